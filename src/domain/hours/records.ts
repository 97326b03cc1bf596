// Hour records from attendance, leader entry and volunteer claims; confirm/decline.
// Every insert is ONE guarded statement (no overlap with the volunteer's pending or
// confirmed records county-wide, per-day cap) so concurrent requests cannot both pass
// (docs/architecture.md "Writes under contention"; docs/decisions/030).
import type { Db } from '../../../db/client.ts';
import { getSettings } from '../settings/index.ts';
import { leaderMayWriteSql, leaderWriteRefusal, type LeaderWriteRefused } from '../accounts/policy.ts';
import { formatTime, shanghaiDay, fromShanghai } from '../../lib/time.ts';
import { HoursError } from './errors.ts';
import { ACTIVE_STATUSES, auditIfChanged, num, str } from './sql.ts';
import { checkClaimAge, checkEventWindow, checkSpan, dayWindow, spanMinutes, type SpanLimits } from './rules.ts';

export type HourSource = 'attendance' | 'leader' | 'claim';

export interface NewHourRecord {
  userId: number;
  teamId: number;
  eventId?: number | null;
  signupId?: number | null;
  source: HourSource;
  startsAt: number;
  endsAt: number;
  content: string;
  /** A private file (docs/decisions/076): the claim's on-site photo. */
  photoFileId?: number | null;
  createdBy: number | null;
}

/** Limits from settings. */
export async function spanLimits(db: Db): Promise<SpanLimits> {
  const s = await getSettings(db);
  return { maxRecordHours: s.maxRecordHours, maxDayHours: s.maxDayHours, claimMaxAgeDays: s.claimMaxAgeDays };
}

const STATUS_LABEL: Record<string, string> = { pending: '待确认', confirmed: '已确认', declined: '未通过' };

/** Chinese label of a record status. */
export function statusLabel(s: string): string {
  return STATUS_LABEL[s] ?? s;
}

/** Explains why a guarded write for (userId, span) was refused: the clashing record, or the day cap. */
async function explainRefusal(db: Db, userId: number, startsAt: number, endsAt: number, minutes: number, limits: SpanLimits, excludeId?: number): Promise<string> {
  const clash = await db.$client.execute({
    sql: `SELECT h.id, h.starts_at, h.ends_at, h.status, t.name AS team FROM hour_records h JOIN teams t ON t.id = h.team_id
          WHERE h.user_id = ? AND h.status IN ${ACTIVE_STATUSES} AND h.starts_at < ? AND h.ends_at > ? AND h.id <> ?
          ORDER BY h.starts_at LIMIT 1`,
    args: [userId, endsAt, startsAt, excludeId ?? -1],
  });
  if (clash.rows.length) {
    const c = clash.rows[0];
    const s = num(c, 'starts_at');
    return `与已有的服务记录时间重叠：${str(c, 'team')} ${shanghaiDay(s)} ${formatTime(s)}–${formatTime(num(c, 'ends_at'))}（${statusLabel(String(c.status))}，记录号 ${num(c, 'id')}）`;
  }
  const [d0, d1] = dayWindow(startsAt);
  const day = await db.$client.execute({
    sql: `SELECT coalesce(sum(minutes), 0) AS m FROM hour_records WHERE user_id = ? AND status IN ${ACTIVE_STATUSES} AND starts_at >= ? AND starts_at < ? AND id <> ?`,
    args: [userId, d0, d1, excludeId ?? -1],
  });
  const used = num(day.rows[0], 'm');
  if (used + minutes > limits.maxDayHours * 60) {
    return `${shanghaiDay(startsAt)} 当日累计服务时长将超过 ${limits.maxDayHours} 小时（已有 ${Math.round((used / 60) * 10) / 10} 小时，本条 ${Math.round((minutes / 60) * 10) / 10} 小时）`;
  }
  return '该签到记录已生成过服务时长';
}

/**
 * Creates one pending record after the pure rules, with one guarded INSERT … SELECT … WHERE NOT EXISTS
 * plus its audit row in the same batch. Returns the new id; throws HoursError naming the problem.
 */
export async function createHourRecord(db: Db, r: NewHourRecord, opts: { now?: number; limits?: SpanLimits; event?: { startsAt: number; endsAt: number; title: string } } = {}): Promise<number> {
  const now = opts.now ?? Date.now();
  const limits = opts.limits ?? (await spanLimits(db));
  const problem = checkSpan(r.startsAt, r.endsAt, limits, now)
    ?? (r.source === 'claim' ? checkClaimAge(r.startsAt, limits, now) : null)
    ?? (opts.event ? checkEventWindow(r.startsAt, r.endsAt, opts.event) : null);
  if (problem) throw new HoursError('BAD_REQUEST', problem);
  const minutes = spanMinutes(r.startsAt, r.endsAt);
  const [d0, d1] = dayWindow(r.startsAt);
  const content = r.content.trim().slice(0, 500);
  const signupId = r.signupId ?? null;
  const [ins] = await db.$client.batch([
    {
      sql: `INSERT INTO hour_records (user_id, team_id, event_id, signup_id, source, starts_at, ends_at, minutes, content, status, photo_file_id, created_by, created_at)
            SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?
            WHERE NOT EXISTS (SELECT 1 FROM hour_records WHERE user_id = ? AND status IN ${ACTIVE_STATUSES} AND starts_at < ? AND ends_at > ?)
              AND (SELECT coalesce(sum(minutes), 0) FROM hour_records WHERE user_id = ? AND status IN ${ACTIVE_STATUSES} AND starts_at >= ? AND starts_at < ?) + ? <= ?
              AND (? IS NULL OR NOT EXISTS (SELECT 1 FROM hour_records WHERE signup_id = ?))
            RETURNING id`,
      args: [
        r.userId, r.teamId, r.eventId ?? null, signupId, r.source, r.startsAt, r.endsAt, minutes, content, r.photoFileId ?? null, r.createdBy, now,
        r.userId, r.endsAt, r.startsAt,
        r.userId, d0, d1, minutes, limits.maxDayHours * 60,
        signupId, signupId,
      ],
    },
    auditIfChanged({ actorId: r.createdBy, action: `hours.create.${r.source}`, targetType: 'hour_record', after: { userId: r.userId, teamId: r.teamId, eventId: r.eventId ?? null, startsAt: r.startsAt, endsAt: r.endsAt, minutes, status: 'pending' } }, 'last_insert_rowid()'),
  ], 'write');
  if (!ins.rows.length) throw new HoursError('CONFLICT', await explainRefusal(db, r.userId, r.startsAt, r.endsAt, minutes, limits));
  return num(ins.rows[0], 'id');
}

/** Throws unless the actor may exercise leader write powers over the team (policy.leaderWriteRefusal: leads it, team active). */
export async function assertLeader(db: Db, actorId: number, teamId: number, doing = '处理服务时长'): Promise<void> {
  const refusal = await leaderWriteRefusal(db, actorId, teamId, doing);
  if (refusal) throw new HoursError('FORBIDDEN', refusal.message);
}

/** How a reviewer acts: as a leader of the record's team, or as staff (hours.review) for what the team cannot review itself. */
export interface Reviewer {
  id: number;
  /** Holds hours.review; may act on records and requests of a team's own leaders (docs/decisions/079). */
  staff?: boolean;
}

/**
 * SQL predicate over a row with `team_id` and `user_id` columns of table `t`: the reviewer bound to
 * the three `?` (reviewer id, staff flag 0/1, reviewer id) may review it — never their own row; a
 * leader who may write to the team; or staff when the row's volunteer leads that team.
 */
export function mayReviewSql(t: string): string {
  return `(${t}.user_id <> ? AND ((? = 1 AND ${leadsOwnTeamSql(t)}) OR ${leaderMayWriteSql(`${t}.team_id`, '?')}))`;
}

/** Arguments for `mayReviewSql`. */
export function mayReviewArgs(r: Reviewer): number[] {
  return [r.id, r.staff ? 1 : 0, r.id];
}

/** SQL predicate: the volunteer of row `t` is an active leader or co-leader of the row's team — the rows staff review. */
export function leadsOwnTeamSql(t: string): string {
  return `EXISTS (SELECT 1 FROM team_members om WHERE om.team_id = ${t}.team_id AND om.user_id = ${t}.user_id AND om.status = 'active' AND om.role IN ('leader', 'coleader'))`;
}

/** A review refused: the reviewer's own row, or a leader refusal (not a leader, team suspended, account). */
export interface ReviewRefusal {
  why: 'self' | LeaderWriteRefused['why'];
  error: HoursError;
}

/**
 * Why a reviewer may not act on a row (an hour record, certificate or the record behind a correction),
 * or null. Self-review is refused first: nobody confirms or certifies their own record (issue 15, item 5).
 */
export async function reviewRefusal(db: Db, r: Reviewer, row: { userId: number; teamId: number }, doing: string): Promise<ReviewRefusal | null> {
  if (row.userId === r.id) {
    return { why: 'self', error: new HoursError('FORBIDDEN', `这是您本人的记录，不能由本人${doing}；需由队伍其他负责人或县文明实践中心工作人员${doing}`) };
  }
  if (r.staff) {
    const rs = await db.$client.execute({ sql: `SELECT ${leadsOwnTeamSql('x')} AS own FROM (SELECT ? AS team_id, ? AS user_id) x`, args: [row.teamId, row.userId] });
    if (Number(rs.rows[0]?.own)) return null;
  }
  const refusal = await leaderWriteRefusal(db, r.id, row.teamId, doing);
  return refusal ? { why: refusal.why, error: new HoursError('FORBIDDEN', refusal.message) } : null;
}

async function isActiveMember(db: Db, userId: number, teamId: number): Promise<boolean> {
  const rs = await db.$client.execute({ sql: `SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ? AND status = 'active' LIMIT 1`, args: [teamId, userId] });
  return rs.rows.length > 0;
}

export interface ClaimInput {
  teamId: number;
  /** YYYY-MM-DD, Shanghai */
  day: string;
  /** HH:MM */
  start: string;
  /** HH:MM */
  end: string;
  content: string;
  photoFileId?: number | null;
}

/** A volunteer's claim for team work without an event (pending until the team confirms). */
export async function claimHours(db: Db, userId: number, c: ClaimInput, now = Date.now()): Promise<number> {
  if (!(await isActiveMember(db, userId, c.teamId))) throw new HoursError('FORBIDDEN', '只能为自己所在的队伍申报服务时长');
  let startsAt: number;
  let endsAt: number;
  try {
    startsAt = fromShanghai(c.day, c.start);
    endsAt = fromShanghai(c.day, c.end);
  } catch {
    throw new HoursError('BAD_REQUEST', '日期或时间格式不正确');
  }
  if (!c.content.trim()) throw new HoursError('BAD_REQUEST', '请填写服务内容');
  return createHourRecord(db, { userId, teamId: c.teamId, source: 'claim', startsAt, endsAt, content: c.content, photoFileId: c.photoFileId ?? null, createdBy: userId }, { now });
}

export interface BulkResult {
  userId: number;
  name: string;
  ok: boolean;
  recordId?: number;
  message?: string;
}

async function eventOf(db: Db, eventId: number) {
  const rs = await db.$client.execute({ sql: `SELECT id, team_id, title, starts_at, ends_at FROM events WHERE id = ?`, args: [eventId] });
  if (!rs.rows.length) throw new HoursError('NOT_FOUND', '活动不存在');
  const e = rs.rows[0];
  return { id: num(e, 'id'), teamId: num(e, 'team_id'), title: String(e.title), startsAt: num(e, 'starts_at'), endsAt: num(e, 'ends_at') };
}

async function namesOf(db: Db, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rs = await db.$client.execute({ sql: `SELECT id, real_name FROM users WHERE id IN (${ids.map(() => '?').join(',')})`, args: ids });
  return new Map(rs.rows.map((r) => [num(r, 'id'), String(r.real_name)]));
}

/** Turns an event's attendance into pending records: one per attended sign-up; minutes = overlap of check-in/out with the event window, or the whole window for a roster mark. */
export async function recordsFromAttendance(db: Db, actorId: number, eventId: number, now = Date.now()): Promise<BulkResult[]> {
  const ev = await eventOf(db, eventId);
  await assertLeader(db, actorId, ev.teamId, '生成服务时长');
  const limits = await spanLimits(db);
  const rs = await db.$client.execute({
    sql: `SELECT s.id, s.user_id, s.status, s.checkin_at, s.checkout_at, u.real_name FROM signups s JOIN users u ON u.id = s.user_id
          WHERE s.event_id = ? AND (s.status = 'attended' OR (s.checkin_at IS NOT NULL AND s.checkout_at IS NOT NULL AND s.status NOT IN ('cancelled','removed','refused','no_show')))
            AND NOT EXISTS (SELECT 1 FROM hour_records h WHERE h.signup_id = s.id)
          ORDER BY s.seq`,
    args: [eventId],
  });
  const out: BulkResult[] = [];
  for (const s of rs.rows) {
    const userId = num(s, 'user_id');
    const name = String(s.real_name);
    const ci = s.checkin_at == null ? null : num(s, 'checkin_at');
    const co = s.checkout_at == null ? null : num(s, 'checkout_at');
    let startsAt = ev.startsAt;
    let endsAt = ev.endsAt;
    if (ci != null || co != null) {
      if (ci == null || co == null) {
        out.push({ userId, name, ok: false, message: ci == null ? '未签到' : '未签退' });
        continue;
      }
      startsAt = Math.max(ci, ev.startsAt);
      endsAt = Math.min(co, ev.endsAt);
      if (endsAt <= startsAt) {
        out.push({ userId, name, ok: false, message: '签到签退时间不在活动时间范围内' });
        continue;
      }
    }
    try {
      const id = await createHourRecord(db, { userId, teamId: ev.teamId, eventId, signupId: num(s, 'id'), source: 'attendance', startsAt, endsAt, content: ev.title, createdBy: actorId }, { now, limits, event: ev });
      out.push({ userId, name, ok: true, recordId: id });
    } catch (e) {
      if (!(e instanceof HoursError)) throw e;
      out.push({ userId, name, ok: false, message: e.message });
    }
  }
  return out;
}

export interface LeaderEntryInput {
  teamId: number;
  eventId?: number | null;
  startsAt: number;
  endsAt: number;
  content: string;
  userIds: number[];
}

/** A leader enters hours for a roster: one pending record per ticked volunteer (members of the team, or signed up for the event). */
export async function leaderEntry(db: Db, actorId: number, input: LeaderEntryInput, now = Date.now()): Promise<BulkResult[]> {
  await assertLeader(db, actorId, input.teamId, '录入服务时长');
  if (!input.userIds.length) throw new HoursError('BAD_REQUEST', '请至少勾选一名志愿者');
  const limits = await spanLimits(db);
  let event: Awaited<ReturnType<typeof eventOf>> | undefined;
  if (input.eventId) {
    event = await eventOf(db, input.eventId);
    if (event.teamId !== input.teamId) throw new HoursError('FORBIDDEN', '只能为本队的活动录入时长');
  }
  const problem = checkSpan(input.startsAt, input.endsAt, limits, now) ?? (event ? checkEventWindow(input.startsAt, input.endsAt, event) : null);
  if (problem) throw new HoursError('BAD_REQUEST', problem);
  const ids = [...new Set(input.userIds)];
  const names = await namesOf(db, ids);
  const content = input.content.trim() || event?.title || '';
  if (!content) throw new HoursError('BAD_REQUEST', '请填写服务内容');
  const out: BulkResult[] = [];
  for (const userId of ids) {
    const name = names.get(userId) ?? `用户 ${userId}`;
    const eligible = event
      ? (await db.$client.execute({ sql: `SELECT 1 FROM signups WHERE event_id = ? AND user_id = ? AND status NOT IN ('cancelled','removed','refused') LIMIT 1`, args: [event.id, userId] })).rows.length > 0 || (await isActiveMember(db, userId, input.teamId))
      : await isActiveMember(db, userId, input.teamId);
    if (!eligible) {
      out.push({ userId, name, ok: false, message: '不是本队队员' });
      continue;
    }
    try {
      const id = await createHourRecord(db, { userId, teamId: input.teamId, eventId: event?.id ?? null, source: 'leader', startsAt: input.startsAt, endsAt: input.endsAt, content, createdBy: actorId }, { now, limits, event });
      out.push({ userId, name, ok: true, recordId: id });
    } catch (e) {
      if (!(e instanceof HoursError)) throw e;
      out.push({ userId, name, ok: false, message: e.message });
    }
  }
  return out;
}

/** Why a pending record could not be reviewed by `r`: the reviewer's own, a suspended team, else "not found" (no leak of other teams' ids) or already handled. */
async function recordReviewProblem(db: Db, r: Reviewer, id: number, doing: string): Promise<HoursError> {
  const rs = await db.$client.execute({ sql: `SELECT user_id, team_id, status FROM hour_records WHERE id = ?`, args: [id] });
  const row = rs.rows[0];
  const unknown = new HoursError('NOT_FOUND', '记录不存在、已处理，或不属于您带领的队伍');
  if (!row) return unknown;
  const refusal = await reviewRefusal(db, r, { userId: num(row, 'user_id'), teamId: num(row, 'team_id') }, doing);
  if (refusal) return refusal.why === 'self' || refusal.why === 'team_inactive' ? refusal.error : unknown;
  return row.status === 'pending' ? new HoursError('CONFLICT', '记录暂时无法处理，请刷新后再试') : unknown;
}

/**
 * Confirms pending records; returns how many were confirmed and why others were not. Each is one guarded
 * UPDATE: never the reviewer's own record, only a team they may write to as leader, or (staff) a leader's own.
 */
export async function confirmRecords(db: Db, reviewer: number | Reviewer, ids: number[], now = Date.now()): Promise<{ confirmed: number; failed: { id: number; message: string }[] }> {
  const r: Reviewer = typeof reviewer === 'number' ? { id: reviewer } : reviewer;
  let confirmed = 0;
  const failed: { id: number; message: string }[] = [];
  for (const id of [...new Set(ids)]) {
    try {
      const [upd] = await db.$client.batch([
        {
          sql: `UPDATE hour_records SET status = 'confirmed', reviewer_id = ?, reviewed_at = ?, reason = NULL
                WHERE id = ? AND status = 'pending' AND ${mayReviewSql('hour_records')}
                RETURNING id`,
          args: [r.id, now, id, ...mayReviewArgs(r)],
        },
        auditIfChanged({ actorId: r.id, action: 'hours.confirm', targetType: 'hour_record', before: { status: 'pending' }, after: { status: 'confirmed', asStaff: !!r.staff } }, '?', id),
      ], 'write');
      if (upd.rows.length) confirmed++;
      else failed.push({ id, message: (await recordReviewProblem(db, r, id, '确认')).message });
    } catch (e) {
      if (String((e as Error).message).includes('HOURS_OVERLAP')) failed.push({ id, message: '与该志愿者已确认的记录时间重叠，无法确认' });
      else throw e;
    }
  }
  return { confirmed, failed };
}

/** Declines a pending record (same reviewers as `confirmRecords`); a reason is required. */
export async function declineRecord(db: Db, reviewer: number | Reviewer, id: number, reason: string, now = Date.now()): Promise<void> {
  const r: Reviewer = typeof reviewer === 'number' ? { id: reviewer } : reviewer;
  const why = reason.trim();
  if (why.length < 2) throw new HoursError('BAD_REQUEST', '请填写不予确认的理由（至少 2 个字）');
  const [upd] = await db.$client.batch([
    {
      sql: `UPDATE hour_records SET status = 'declined', reviewer_id = ?, reviewed_at = ?, reason = ?
            WHERE id = ? AND status = 'pending' AND ${mayReviewSql('hour_records')}
            RETURNING id, user_id`,
      args: [r.id, now, why.slice(0, 300), id, ...mayReviewArgs(r)],
    },
    auditIfChanged({ actorId: r.id, action: 'hours.decline', targetType: 'hour_record', before: { status: 'pending' }, after: { status: 'declined', reason: why, asStaff: !!r.staff } }, '?', id),
  ], 'write');
  if (!upd.rows.length) throw await recordReviewProblem(db, r, id, '审核');
  await db.$client.execute({
    sql: `INSERT INTO notices (user_id, kind, title, body, link, created_at) VALUES (?, 'hours', '服务时长未通过确认', ?, '/me/hours', ?)`,
    args: [num(upd.rows[0], 'user_id'), `理由：${why}`, now],
  });
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

const RECORD_SELECT = `SELECT h.id, h.user_id, u.real_name AS user_name, u.volunteer_no, h.team_id, t.name AS team_name, h.event_id, e.title AS event_title,
  h.source, h.starts_at, h.ends_at, h.minutes, h.content, h.status, h.reason, h.reviewed_at, r.real_name AS reviewer_name,
  (SELECT p.file_key || '-' || json_extract(p.variants, '$[0]') || '.webp' FROM private_files p WHERE p.id = h.photo_file_id) AS photo_file,
  (SELECT c.status FROM hour_corrections c WHERE c.record_id = h.id ORDER BY c.id DESC LIMIT 1) AS correction_status
  FROM hour_records h JOIN users u ON u.id = h.user_id JOIN teams t ON t.id = h.team_id
  LEFT JOIN events e ON e.id = h.event_id LEFT JOIN users r ON r.id = h.reviewer_id`;

function toRecordRow(r: import('@libsql/client').Row): RecordRow {
  return {
    id: num(r, 'id'), userId: num(r, 'user_id'), userName: String(r.user_name), volunteerNo: str(r, 'volunteer_no'), teamId: num(r, 'team_id'), teamName: String(r.team_name),
    eventId: r.event_id == null ? null : num(r, 'event_id'), eventTitle: str(r, 'event_title'), source: String(r.source), startsAt: num(r, 'starts_at'), endsAt: num(r, 'ends_at'),
    minutes: num(r, 'minutes'), content: String(r.content ?? ''), status: String(r.status), reason: str(r, 'reason'), reviewedAt: r.reviewed_at == null ? null : num(r, 'reviewed_at'),
    reviewerName: str(r, 'reviewer_name'), correctionStatus: str(r, 'correction_status'),
    photoUrl: r.photo_file ? `/files/${String(r.photo_file)}` : null,
  };
}

/** Pending records of one team, optionally for one event or volunteer (leader queue). */
export async function pendingQueue(db: Db, teamId: number, f: { eventId?: number; userId?: number } = {}, limit = 200): Promise<RecordRow[]> {
  const where = ['h.team_id = ?', `h.status = 'pending'`];
  const args: number[] = [teamId];
  if (f.eventId) { where.push('h.event_id = ?'); args.push(f.eventId); }
  if (f.userId) { where.push('h.user_id = ?'); args.push(f.userId); }
  const rs = await db.$client.execute({ sql: `${RECORD_SELECT} WHERE ${where.join(' AND ')} ORDER BY h.starts_at DESC, h.id DESC LIMIT ${limit}`, args });
  return rs.rows.map(toRecordRow);
}

/** Pending records whose volunteer leads the record's team: what staff review (the leader may not confirm their own). */
export async function leadersOwnPending(db: Db, limit = 200): Promise<RecordRow[]> {
  const rs = await db.$client.execute({ sql: `${RECORD_SELECT} WHERE h.status = 'pending' AND ${leadsOwnTeamSql('h')} ORDER BY h.starts_at DESC, h.id DESC LIMIT ${limit}`, args: [] });
  return rs.rows.map(toRecordRow);
}

/** The latest reviewed records of a team (confirmed or declined). */
export async function recentlyReviewed(db: Db, teamId: number, limit = 30): Promise<RecordRow[]> {
  const rs = await db.$client.execute({ sql: `${RECORD_SELECT} WHERE h.team_id = ? AND h.status IN ('confirmed','declined') ORDER BY h.reviewed_at DESC, h.id DESC LIMIT ${limit}`, args: [teamId] });
  return rs.rows.map(toRecordRow);
}

/** All records of a volunteer, newest first. */
export async function volunteerRecords(db: Db, userId: number, limit = 500): Promise<RecordRow[]> {
  const rs = await db.$client.execute({ sql: `${RECORD_SELECT} WHERE h.user_id = ? ORDER BY h.starts_at DESC, h.id DESC LIMIT ${limit}`, args: [userId] });
  return rs.rows.map(toRecordRow);
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
  const [u, y, t] = await db.$client.batch([
    { sql: `SELECT real_name, volunteer_no, confirmed_minutes FROM users WHERE id = ?`, args: [userId] },
    { sql: `SELECT coalesce(sum(CASE WHEN status = 'confirmed' AND starts_at >= ? THEN minutes END), 0) AS year, coalesce(sum(CASE WHEN status = 'pending' THEN minutes END), 0) AS pending FROM hour_records WHERE user_id = ?`, args: [yearStart, userId] },
    { sql: `SELECT h.team_id, t.name, sum(h.minutes) AS m FROM hour_records h JOIN teams t ON t.id = h.team_id WHERE h.user_id = ? AND h.status = 'confirmed' GROUP BY h.team_id ORDER BY m DESC`, args: [userId] },
  ], 'read');
  const row = u.rows[0];
  return {
    realName: row ? String(row.real_name) : '',
    volunteerNo: row ? str(row, 'volunteer_no') : null,
    totalMinutes: row ? num(row, 'confirmed_minutes') : 0,
    yearMinutes: num(y.rows[0], 'year'),
    pendingMinutes: num(y.rows[0], 'pending'),
    byTeam: t.rows.map((r) => ({ teamId: num(r, 'team_id'), teamName: String(r.name), minutes: num(r, 'm') })),
  };
}

/** The county's confirmed minutes, maintained by triggers (no scan). */
export async function countyConfirmedMinutes(db: Db): Promise<number> {
  const rs = await db.$client.execute(`SELECT value FROM counters WHERE name = 'hours.county_minutes'`);
  return rs.rows.length ? num(rs.rows[0], 'value') : 0;
}

/** Active members of a team (for the roster). */
export async function teamRoster(db: Db, teamId: number): Promise<{ userId: number; name: string; volunteerNo: string | null }[]> {
  const rs = await db.$client.execute({
    sql: `SELECT u.id, u.real_name, u.volunteer_no FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ? AND m.status = 'active' ORDER BY u.real_name LIMIT 500`,
    args: [teamId],
  });
  return rs.rows.map((r) => ({ userId: num(r, 'id'), name: String(r.real_name), volunteerNo: str(r, 'volunteer_no') }));
}

/** Recent events of a team that have started (for attendance and entry). */
export async function teamPastEvents(db: Db, teamId: number, now = Date.now(), limit = 30): Promise<{ id: number; title: string; startsAt: number; endsAt: number }[]> {
  const rs = await db.$client.execute({
    sql: `SELECT id, title, starts_at, ends_at FROM events WHERE team_id = ? AND starts_at <= ? AND status <> 'cancelled' ORDER BY starts_at DESC LIMIT ${limit}`,
    args: [teamId, now],
  });
  return rs.rows.map((r) => ({ id: num(r, 'id'), title: String(r.title), startsAt: num(r, 'starts_at'), endsAt: num(r, 'ends_at') }));
}

/** Teams the user is an active member of. */
export async function memberTeams(db: Db, userId: number): Promise<{ id: number; slug: string; name: string }[]> {
  const rs = await db.$client.execute({
    sql: `SELECT t.id, t.slug, t.name FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ? AND m.status = 'active' ORDER BY t.name`,
    args: [userId],
  });
  return rs.rows.map((r) => ({ id: num(r, 'id'), slug: String(r.slug), name: String(r.name) }));
}
