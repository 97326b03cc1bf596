// XLSX 台账 of all teams, for staff with 'ledger.export'.
import type { APIRoute } from 'astro';
import { appDb } from '../../lib/db.ts';
import { requireAbility } from '../../lib/guards.ts';
import { ledgerResponse } from '../../domain/hours/ledger-download.ts';

export const GET: APIRoute = async (ctx) => {
  const user = await requireAbility(ctx, 'ledger.export');
  if (user instanceof Response) return user;
  const db = await appDb();
  return ledgerResponse(db, user, ctx.url.searchParams, {}, ctx.clientAddress, ctx.locals.clientReady);
};
