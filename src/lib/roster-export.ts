// Shared body of the roster export endpoints: guard, load, audit, respond.
import type { APIContext } from 'astro';
import { appDb } from './db.ts';
import { isTeamLeader } from '../domain/accounts/policy.ts';
import { teamBySlug } from '../domain/teams/membership.ts';
import { roster, teamEvent } from '../domain/events/manage.ts';
import { rosterCsv, rosterXlsx } from '../domain/events/export.ts';
import { audit } from '../domain/audit/index.ts';
import { loginUrl } from './guards.ts';

const text = (body: string, status: number) => new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/** Answers a roster export in the given format; every export is audited. */
export async function rosterExport(ctx: APIContext, format: 'xlsx' | 'csv'): Promise<Response> {
  const user = ctx.locals.user;
  if (!user) return ctx.redirect(loginUrl(ctx.url), 303);
  const db = await appDb();
  const team = await teamBySlug(db, ctx.params.slug ?? '');
  if (!team) return text('队伍不存在', 404);
  if (!(await isTeamLeader(db, user, team.id))) return text('您没有权限导出该名单', 403);
  const id = Number(ctx.params.id);
  const e = Number.isSafeInteger(id) && id > 0 ? await teamEvent(db, team.id, id) : undefined;
  if (!e) return text('活动不存在', 404);
  const lines = await roster(db, e.id);
  await audit(db, { actorId: user.id, action: 'event.roster_export', targetType: 'event', targetId: e.id, detail: `${format} ${lines.length} 行`, ip: ctx.clientAddress });
  const name = encodeURIComponent(`${e.title}-报名名单.${format}`);
  const disposition = `attachment; filename="roster-${e.id}.${format}"; filename*=UTF-8''${name}`;
  if (format === 'csv') return new Response(rosterCsv(lines), { headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': disposition, 'Cache-Control': 'private, no-store' } });
  const buf = await rosterXlsx(lines, e.title);
  return new Response(new Uint8Array(buf), {
    headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Content-Disposition': disposition, 'Cache-Control': 'private, no-store' },
  });
}
