// XLSX 台账 of one team, for its leaders.
import type { APIRoute } from 'astro';
import { appDb } from '../../../../lib/db.ts';
import { forbiddenToNonLeader, loginUrl } from '../../../../lib/guards.ts';
import { isTeamLeader } from '../../../../domain/accounts/policy.ts';
import { teamBySlug } from '../../../../domain/teams/membership.ts';
import { ledgerResponse } from '../../../../domain/hours/ledger-download.ts';

export const GET: APIRoute = async (ctx) => {
  const user = ctx.locals.user;
  if (!user) return ctx.redirect(loginUrl(ctx.url), 303);
  const db = await appDb();
  const team = await teamBySlug(db, ctx.params.slug ?? '');
  if (!team) return ctx.rewrite('/404');
  if (!(await isTeamLeader(db, user, team.id))) return forbiddenToNonLeader(ctx, team.name);
  return ledgerResponse(db, user, ctx.url.searchParams, { teamIds: [team.id] }, ctx.clientAddress, ctx.locals.clientReady);
};
