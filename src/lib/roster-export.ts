// Shared body of the roster export endpoints: guard, load, audit, respond.
import type { APIContext } from 'astro';
import { appDb } from './db.ts';
import { isTeamLeader } from '../domain/accounts/policy.ts';
import { teamBySlug } from '../domain/teams/membership.ts';
import { roster, teamEvent } from '../domain/events/manage.ts';
import { rosterCsv, rosterXlsx } from '../domain/events/export.ts';
import { audit } from '../domain/audit/index.ts';
import { insuranceExport } from '../domain/events/insurance-export.ts';
import { config } from './config.ts';
import { loginUrl } from './guards.ts';
import { Refusal } from '../domain/refusal.ts';

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

/** The form field a leader must tick to ask for the insurer's list: the explicit request (issue 18, item 11). */
export const INSURANCE_CONFIRM_FIELD = 'forInsurance';

/**
 * POST on the roster.xlsx URL: the insurer's list (full name, ID number, phone) for an insured event, on the
 * leader's explicit request, audited (src/domain/events/insurance-export.ts). A GET stays the masked roster.
 */
export async function insuranceRosterExport(ctx: APIContext): Promise<Response> {
  const user = ctx.locals.user;
  if (!user) return ctx.redirect(loginUrl(ctx.url), 303);
  const raw = ctx.locals.rawForm;
  const form = raw ? new URLSearchParams(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')) : new URLSearchParams();
  if (form.get(INSURANCE_CONFIRM_FIELD) !== '1') return text('请勾选“仅用于为本次活动办理意外保险”后再导出投保名单', 400);
  const db = await appDb();
  const team = await teamBySlug(db, ctx.params.slug ?? '');
  if (!team) return text('队伍不存在', 404);
  const id = Number(ctx.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) return text('活动不存在', 404);
  try {
    const out = await insuranceExport(db, config().secretKey, user, team.id, id, ctx.clientAddress);
    const name = encodeURIComponent(`${out.title}-投保名单.xlsx`);
    return new Response(new Uint8Array(out.bytes), {
      headers: {
        'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'Content-Disposition': `attachment; filename="insurance-${id}.xlsx"; filename*=UTF-8''${name}`,
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (e) {
    if (e instanceof Refusal) return text(e.message, e.status === 'FORBIDDEN' ? 403 : e.status === 'NOT_FOUND' ? 404 : 409);
    throw e;
  }
}
