// Correction requests: the volunteer proposes new times with a reason; the team's
// leader accepts (new times applied with one guarded UPDATE, re-validated) or declines.
import type { Db } from '../../../db/client.ts';
import { formatDateTime, formatTime, parseDateTimeLocal } from '../../lib/time.ts';
import { HoursError } from './errors.ts';
import { ACTIVE_STATUSES, auditIfChanged, num, str } from './sql.ts';
import { checkEventWindow, checkSpan, dayWindow, spanMinutes } from './rules.ts';
import { leadsOwnTeamSql, mayReviewArgs, mayReviewSql, reviewRefusal, spanLimits, type Reviewer } from './records.ts';

/** Opens a correction request on one of the volunteer's own pending or confirmed records (one open request per record). */
export async function requestCorrection(db: Db, userId: number, input: { recordId: number; startsAt: string; endsAt: string; reason: string }, now = Date.now()): Promise<number> {
  const reason = input.reason.trim();
  if (reason.length < 2) throw new HoursError('BAD_REQUEST', '请填写更正理由（至少 2 个字）');
  const startsAt = parseDateTimeLocal(input.startsAt);
  const endsAt = parseDateTimeLocal(input.endsAt);
  const rec = await db.$client.execute({ sql: `SELECT id, user_id, status FROM hour_records WHERE id = ?`, args: [input.recordId] });
  if (!rec.rows.length || num(rec.rows[0], 'user_id') !== userId) throw new HoursError('NOT_FOUND', '记录不存在');
  if (!['pending', 'confirmed'].includes(String(rec.rows[0].status))) throw new HoursError('BAD_REQUEST', '只能对待确认或已确认的记录申请更正');
  const problem = checkSpan(startsAt, endsAt, await spanLimits(db), now);
  if (problem) throw new HoursError('BAD_REQUEST', problem);
  const [ins] = await db.$client.batch([
    {
      sql: `INSERT INTO hour_corrections (record_id, requested_by, reason, proposed_starts_at, proposed_ends_at, status, created_at)
            SELECT ?, ?, ?, ?, ?, 'pending', ? WHERE NOT EXISTS (SELECT 1 FROM hour_corrections WHERE record_id = ? AND status = 'pending') RETURNING id`,
      args: [input.recordId, userId, reason.slice(0, 300), startsAt, endsAt, now, input.recordId],
    },
    auditIfChanged({ actorId: userId, action: 'hours.correction.request', targetType: 'hour_correction', after: { recordId: input.recordId, startsAt, endsAt, reason } }, 'last_insert_rowid()'),
  ], 'write');
  if (!ins.rows.length) throw new HoursError('CONFLICT', '该记录已有一条待处理的更正申请');
  return num(ins.rows[0], 'id');
}

async function correctionWithRecord(db: Db, id: number) {
  const rs = await db.$client.execute({
    sql: `SELECT c.id, c.status, c.proposed_starts_at, c.proposed_ends_at, c.requested_by, h.id AS record_id, h.user_id, h.team_id, h.starts_at, h.ends_at, h.minutes, h.event_id,
            e.title AS event_title, e.starts_at AS event_starts, e.ends_at AS event_ends
          FROM hour_corrections c JOIN hour_records h ON h.id = c.record_id LEFT JOIN events e ON e.id = h.event_id WHERE c.id = ?`,
    args: [id],
  });
  if (!rs.rows.length) throw new HoursError('NOT_FOUND', '更正申请不存在');
  return rs.rows[0];
}

/** Refuses a reviewer who may not decide a correction of this record (their own record; not their team to write to). */
async function assertMayDecide(db: Db, r: Reviewer, c: Awaited<ReturnType<typeof correctionWithRecord>>): Promise<void> {
  const refusal = await reviewRefusal(db, r, { userId: num(c, 'user_id'), teamId: num(c, 'team_id') }, '处理更正申请');
  if (refusal) throw refusal.error;
}

/** Accepts a correction: applies the proposed times to the record after re-running every rule (reviewers as for confirming). */
export async function acceptCorrection(db: Db, actor: number | Reviewer, correctionId: number, now = Date.now()): Promise<void> {
  const r: Reviewer = typeof actor === 'number' ? { id: actor } : actor;
  const actorId = r.id;
  const c = await correctionWithRecord(db, correctionId);
  await assertMayDecide(db, r, c);
  if (c.status !== 'pending') throw new HoursError('CONFLICT', '该更正申请已处理');
  const startsAt = num(c, 'proposed_starts_at');
  const endsAt = num(c, 'proposed_ends_at');
  const limits = await spanLimits(db);
  const problem = checkSpan(startsAt, endsAt, limits, now)
    ?? (c.event_id != null ? checkEventWindow(startsAt, endsAt, { title: String(c.event_title), startsAt: num(c, 'event_starts'), endsAt: num(c, 'event_ends') }) : null);
  if (problem) throw new HoursError('BAD_REQUEST', problem);
  const recordId = num(c, 'record_id');
  const userId = num(c, 'user_id');
  const minutes = spanMinutes(startsAt, endsAt);
  const [d0, d1] = dayWindow(startsAt);
  const before = { startsAt: num(c, 'starts_at'), endsAt: num(c, 'ends_at'), minutes: num(c, 'minutes') };
  let results;
  try {
    results = await db.$client.batch([
      {
        sql: `UPDATE hour_records SET starts_at = ?, ends_at = ?, minutes = ?
              WHERE id = ? AND status IN ${ACTIVE_STATUSES} AND ${mayReviewSql('hour_records')}
                AND NOT EXISTS (SELECT 1 FROM hour_records o WHERE o.user_id = ? AND o.id <> ? AND o.status IN ${ACTIVE_STATUSES} AND o.starts_at < ? AND o.ends_at > ?)
                AND (SELECT coalesce(sum(minutes), 0) FROM hour_records o WHERE o.user_id = ? AND o.id <> ? AND o.status IN ${ACTIVE_STATUSES} AND o.starts_at >= ? AND o.starts_at < ?) + ? <= ?
              RETURNING id`,
        args: [startsAt, endsAt, minutes, recordId, ...mayReviewArgs(r), userId, recordId, endsAt, startsAt, userId, recordId, d0, d1, minutes, limits.maxDayHours * 60],
      },
      {
        sql: `UPDATE hour_corrections SET status = 'accepted', decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending' AND changes() = 1`,
        args: [actorId, now, correctionId],
      },
      auditIfChanged({ actorId, action: 'hours.correction.accept', targetType: 'hour_record', before, after: { startsAt, endsAt, minutes, correctionId } }, '?', recordId),
      {
        sql: `INSERT INTO notices (user_id, kind, title, body, link, created_at) SELECT ?, 'hours', '服务时长更正已通过', '', '/me/hours', ? WHERE changes() = 1`,
        args: [userId, now],
      },
    ], 'write');
  } catch (e) {
    if (String((e as Error).message).includes('HOURS_OVERLAP')) throw new HoursError('CONFLICT', '更正后的时间与该志愿者已确认的记录重叠');
    throw e;
  }
  if (!results[0].rows.length) {
    const clash = await db.$client.execute({
      sql: `SELECT h.id, h.starts_at, h.ends_at, t.name FROM hour_records h JOIN teams t ON t.id = h.team_id
            WHERE h.user_id = ? AND h.id <> ? AND h.status IN ${ACTIVE_STATUSES} AND h.starts_at < ? AND h.ends_at > ? LIMIT 1`,
      args: [userId, recordId, endsAt, startsAt],
    });
    if (clash.rows.length) {
      const r = clash.rows[0];
      throw new HoursError('CONFLICT', `更正后的时间与已有记录重叠：${str(r, 'name')} ${formatDateTime(num(r, 'starts_at'))}–${formatTime(num(r, 'ends_at'))}（记录号 ${num(r, 'id')}）`);
    }
    throw new HoursError('CONFLICT', `更正后当日累计服务时长将超过 ${limits.maxDayHours} 小时，或记录已不可更正`);
  }
}

/** Declines a correction with a reason; the record keeps its times. */
export async function declineCorrection(db: Db, actor: number | Reviewer, correctionId: number, decision: string, now = Date.now()): Promise<void> {
  const r: Reviewer = typeof actor === 'number' ? { id: actor } : actor;
  const actorId = r.id;
  const why = decision.trim();
  if (why.length < 2) throw new HoursError('BAD_REQUEST', '请填写不予更正的理由（至少 2 个字）');
  const c = await correctionWithRecord(db, correctionId);
  await assertMayDecide(db, r, c);
  const [upd] = await db.$client.batch([
    { sql: `UPDATE hour_corrections SET status = 'declined', decided_by = ?, decided_at = ?, decision = ? WHERE id = ? AND status = 'pending' RETURNING id`, args: [actorId, now, why.slice(0, 300), correctionId] },
    auditIfChanged({ actorId, action: 'hours.correction.decline', targetType: 'hour_correction', after: { status: 'declined', decision: why } }, '?', correctionId),
    { sql: `INSERT INTO notices (user_id, kind, title, body, link, created_at) SELECT ?, 'hours', '服务时长更正未通过', ?, '/me/hours', ? WHERE changes() = 1`, args: [num(c, 'user_id'), `理由：${why}`, now] },
  ], 'write');
  if (!upd.rows.length) throw new HoursError('CONFLICT', '该更正申请已处理');
}

/** Open correction requests for a team's records. */
export async function pendingCorrections(db: Db, teamId: number) {
  return correctionList(db, 'h.team_id = ?', [teamId]);
}

/** Open correction requests on records of volunteers who lead the record's team: what staff decide. */
export async function leadersOwnCorrections(db: Db) {
  return correctionList(db, leadsOwnTeamSql('h'), []);
}

async function correctionList(db: Db, where: string, args: number[]) {
  const rs = await db.$client.execute({
    sql: `SELECT c.id, c.reason, c.proposed_starts_at, c.proposed_ends_at, c.created_at, h.id AS record_id, h.user_id, h.starts_at, h.ends_at, h.status AS record_status, u.real_name, t.name AS team_name
          FROM hour_corrections c JOIN hour_records h ON h.id = c.record_id JOIN users u ON u.id = h.user_id JOIN teams t ON t.id = h.team_id
          WHERE ${where} AND c.status = 'pending' ORDER BY c.id LIMIT 200`,
    args,
  });
  return rs.rows.map((r) => ({
    id: num(r, 'id'), reason: String(r.reason), proposedStartsAt: num(r, 'proposed_starts_at'), proposedEndsAt: num(r, 'proposed_ends_at'),
    recordId: num(r, 'record_id'), userId: num(r, 'user_id'), startsAt: num(r, 'starts_at'), endsAt: num(r, 'ends_at'), recordStatus: String(r.record_status),
    userName: String(r.real_name), teamName: String(r.team_name),
  }));
}
