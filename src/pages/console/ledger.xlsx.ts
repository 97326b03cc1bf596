// XLSX 台账 of all teams, for staff with 'ledger.export'.
import type { APIRoute } from 'astro';
import { appDb } from '../../lib/db.ts';
import { loginUrl } from '../../lib/guards.ts';
import { can } from '../../domain/accounts/policy.ts';
import { ledgerResponse } from '../../domain/hours/ledger-download.ts';

export const GET: APIRoute = async (ctx) => {
  const user = ctx.locals.user;
  if (!user) return ctx.redirect(loginUrl(ctx.url), 303);
  if (!can(user, 'ledger.export')) return ctx.rewrite('/403');
  const db = await appDb();
  return ledgerResponse(db, user, ctx.url.searchParams, {}, ctx.clientAddress);
};
