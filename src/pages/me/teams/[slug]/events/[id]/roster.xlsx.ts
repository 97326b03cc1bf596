import type { APIRoute } from 'astro';
import { rosterExport } from '../../../../../../lib/roster-export.ts';

export const GET: APIRoute = (ctx) => rosterExport(ctx, 'xlsx');
