import type { APIRoute } from 'astro';
import { insuranceRosterExport, rosterExport } from '../../../../../../lib/roster-export.ts';

export const GET: APIRoute = (ctx) => rosterExport(ctx, 'xlsx');
/** The insurer's list (full ID numbers) for an insured event: only on the leader's explicit POST, audited. */
export const POST: APIRoute = (ctx) => insuranceRosterExport(ctx);
