// Reading hour records: the leader's queue, a volunteer's records and totals, rosters and past events.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { fromShanghai, shanghaiDay } from '../../lib/time.ts';
import { num, str, type Row } from './sql.ts';
import { leadsOwnTeamSql } from './review.ts';

const STATUS_LABEL: Record<string, string> = { pending: '待确认', confirmed: '已确认', declined: '未通过' };

/** Chinese label of a record status. */
export function statusLabel(s: string): string {
  return STATUS_LABEL[s] ?? s;
}

/** Whether the user is an active member of the team. */
export async function isActiveMember(db: Db, userId: number, teamId: number): Promise<boolean> {
  const rows = await db.all(sql`SELECT 1 FROM team_members WHERE team_id = ${teamId} AND user_id = ${userId} AND status = 'active' LIMIT 1`);
  return rows.length > 0;
}

/** A record row as lists show it. */
export interface RecordRow {
  id: number;
  /** Smallest rendition of the claim's photo (a private /files URL), when one was attached. */
  photoUrl: string | null;
  userId: number;
  userName: string;
  volunteerNo: string | null;
  teamId: number;
  teamName: string;
  eventId: number | null;
  eventTitle: string | null;
  source: string;
  startsAt: number;
  endsAt: number;
  minutes: number;
  content: string;
  status: string;
  reason: string | null;
  reviewedAt: number | null;
  reviewerName: string | null;
  correctionStatus: string | null;
}

/** Records as lists show them, filtered by `where` and ordered by `order`. */
async function records(db: Db, where: SQL, order: SQL, limit: number, offset = 0): Promise<RecordRow[]> {
  const rows = await db.all<Row>(sql`SELECT h.id, h.user_id, u.real_name AS user_name, u.volunteer_no, h.team_id, t.name AS team_name, h.event_id, e.title AS event_title,
      h.source, h.starts_at, h.ends_at, h.minutes, h.content, h.status, h.reason, h.reviewed_at, r.real_name AS reviewer_name,
      (SELECT p.file_key || '-' || json_extract(p.variants, '$[0]') || '.webp' FROM private_files p WHERE p.id = h.photo_file_id) AS photo_file,
      (SELECT c.status FROM hour_corrections c WHERE c.record_id = h.id ORDER BY c.id DESC LIMIT 1) AS correction_status
    FROM hour_records h JOIN users u ON u.id = h.user_id JOIN teams t ON t.id = h.team_id
    LEFT JOIN events e ON e.id = h.event_id LEFT JOIN users r ON r.id = h.reviewer_id
    WHERE ${where} ORDER BY ${order} LIMIT ${sql.raw(String(Math.trunc(limit)))} OFFSET ${sql.raw(String(Math.max(0, Math.trunc(offset))))}`);
  return rows.map(toRecordRow);
}

function toRecordRow(r: Row): RecordRow {
  return {
    id: num(r, 'id'),
    userId: num(r, 'user_id'),
    userName: String(r.user_name),
    volunteerNo: str(r, 'volunteer_no'),
    teamId: num(r, 'team_id'),
    teamName: String(r.team_name),
    eventId: r.event_id == null ? null : num(r, 'event_id'),
    eventTitle: str(r, 'event_title'),
    source: String(r.source),
    startsAt: num(r, 'starts_at'),
    endsAt: num(r, 'ends_at'),
    minutes: num(r, 'minutes'),
    content: String(r.content ?? ''),
    status: String(r.status),
    reason: str(r, 'reason'),
    reviewedAt: r.reviewed_at == null ? null : num(r, 'reviewed_at'),
    reviewerName: str(r, 'reviewer_name'),
    correctionStatus: str(r, 'correction_status'),
    photoUrl: r.photo_file ? `/files/${String(r.photo_file)}` : null,
  };
}

const NEWEST_FIRST = sql.raw('h.starts_at DESC, h.id DESC');

/** Pending records of one team, optionally for one event or volunteer (leader queue). */
export async function pendingQueue(db: Db, teamId: number, f: { eventId?: number; userId?: number } = {}, limit = 200): Promise<RecordRow[]> {
  const where = [sql`h.team_id = ${teamId}`, sql`h.status = 'pending'`];
  if (f.eventId) where.push(sql`h.event_id = ${f.eventId}`);
  if (f.userId) where.push(sql`h.user_id = ${f.userId}`);
  return records(db, sql.join(where, sql` AND `), NEWEST_FIRST, limit);
}

/** Pending records whose volunteer leads the record's team: what staff review (the leader may not confirm their own). */
export async function leadersOwnPending(db: Db, limit = 200): Promise<RecordRow[]> {
  return records(db, sql`h.status = 'pending' AND ${leadsOwnTeamSql('h')}`, NEWEST_FIRST, limit);
}

/** The latest reviewed records of a team (confirmed or declined). */
export async function recentlyReviewed(db: Db, teamId: number, limit = 30): Promise<RecordRow[]> {
  return records(db, sql`h.team_id = ${teamId} AND h.status IN ('confirmed','declined')`, sql.raw('h.reviewed_at DESC, h.id DESC'), limit);
}

/** Records a page of /me/hours lists (issue 22: a volunteer with 2,000 records saw only the newest 500, on one 1 MB page). */
export const RECORDS_PER_PAGE = 50;

/**
 * One page of a volunteer's records, newest first, with the page count: every record can be reached,
 * and a page costs the same at 20 records or 2,000 (index hours_user_time).
 */
export async function volunteerRecords(db: Db, userId: number, page = 1, perPage = RECORDS_PER_PAGE): Promise<{ items: RecordRow[]; total: number; page: number; pages: number }> {
  const [c] = await db.all<Row>(sql`SELECT count(*) AS n FROM hour_records WHERE user_id = ${userId}`);
  const total = num(c, 'n');
  const pages = Math.max(1, Math.ceil(total / perPage));
  const at = Math.min(Math.max(1, Number.isSafeInteger(page) ? page : 1), pages);
  const items = await records(db, sql`h.user_id = ${userId}`, NEWEST_FIRST, perPage, (at - 1) * perPage);
  return { items, total, page: at, pages };
}

export interface VolunteerSummary {
  realName: string;
  volunteerNo: string | null;
  totalMinutes: number;
  yearMinutes: number;
  pendingMinutes: number;
  byTeam: { teamId: number; teamName: string; minutes: number }[];
}

/** A volunteer's totals: the maintained total on users, plus this year's and per-team sums over their own records only. */
export async function volunteerSummary(db: Db, userId: number, now = Date.now()): Promise<VolunteerSummary> {
  const yearStart = fromShanghai(`${shanghaiDay(now).slice(0, 4)}-01-01`);
  const [row] = await db.all<Row>(sql`SELECT real_name, volunteer_no, confirmed_minutes FROM users WHERE id = ${userId}`);
  const [y] = await db.all<Row>(sql`SELECT coalesce(sum(CASE WHEN status = 'confirmed' AND starts_at >= ${yearStart} THEN minutes END), 0) AS year,
      coalesce(sum(CASE WHEN status = 'pending' THEN minutes END), 0) AS pending FROM hour_records WHERE user_id = ${userId}`);
  const t = await db.all<Row>(sql`SELECT h.team_id, t.name, sum(h.minutes) AS m FROM hour_records h JOIN teams t ON t.id = h.team_id
      WHERE h.user_id = ${userId} AND h.status = 'confirmed' GROUP BY h.team_id ORDER BY m DESC`);
  return {
    realName: row ? String(row.real_name) : '',
    volunteerNo: row ? str(row, 'volunteer_no') : null,
    totalMinutes: row ? num(row, 'confirmed_minutes') : 0,
    yearMinutes: num(y, 'year'),
    pendingMinutes: num(y, 'pending'),
    byTeam: t.map((r) => ({ teamId: num(r, 'team_id'), teamName: String(r.name), minutes: num(r, 'm') })),
  };
}

/** The county's confirmed minutes, maintained by triggers (no scan). */
export async function countyConfirmedMinutes(db: Db): Promise<number> {
  const [r] = await db.all<Row>(sql`SELECT value FROM counters WHERE name = 'hours.county_minutes'`);
  return r ? num(r, 'value') : 0;
}

/** Active members of a team (for the roster). */
export async function teamRoster(db: Db, teamId: number): Promise<{ userId: number; name: string; volunteerNo: string | null }[]> {
  const rows = await db.all<Row>(sql`SELECT u.id, u.real_name, u.volunteer_no FROM team_members m JOIN users u ON u.id = m.user_id
    WHERE m.team_id = ${teamId} AND m.status = 'active' ORDER BY u.real_name LIMIT 500`);
  return rows.map((r) => ({ userId: num(r, 'id'), name: String(r.real_name), volunteerNo: str(r, 'volunteer_no') }));
}

/** Recent events of a team that have started (for attendance and entry). */
export async function teamPastEvents(db: Db, teamId: number, now = Date.now(), limit = 30): Promise<{ id: number; title: string; startsAt: number; endsAt: number }[]> {
  const rows = await db.all<Row>(sql`SELECT id, title, starts_at, ends_at FROM events
    WHERE team_id = ${teamId} AND starts_at <= ${now} AND status <> 'cancelled' ORDER BY starts_at DESC LIMIT ${sql.raw(String(Math.trunc(limit)))}`);
  return rows.map((r) => ({ id: num(r, 'id'), title: String(r.title), startsAt: num(r, 'starts_at'), endsAt: num(r, 'ends_at') }));
}

/** Teams the user is an active member of. */
export async function memberTeams(db: Db, userId: number): Promise<{ id: number; slug: string; name: string }[]> {
  const rows = await db.all<Row>(sql`SELECT t.id, t.slug, t.name FROM team_members m JOIN teams t ON t.id = m.team_id
    WHERE m.user_id = ${userId} AND m.status = 'active' ORDER BY t.name`);
  return rows.map((r) => ({ id: num(r, 'id'), slug: String(r.slug), name: String(r.name) }));
}
