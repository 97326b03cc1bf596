// Correction requests: the volunteer proposes new times with a reason; the team's
// leader accepts (new times applied with one guarded UPDATE, re-validated) or declines.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { formatDateTime, formatTime, parseDateTimeLocal } from '../../lib/time.ts';
import { HoursError } from './errors.ts';
import { ACTIVE_STATUSES, num, str, type Row } from './sql.ts';
import { checkEventWindow, checkSpan, dayWindow, spanMinutes } from './rules.ts';
import { spanLimits } from './new-record.ts';
import { leadsOwnTeamSql, mayReviewSql, recordFactsSql, reviewRefusal, type Reviewer } from './review.ts';

/** Opens a correction request on one of the volunteer's own pending or confirmed records (one open request per record). */
export async function requestCorrection(db: Db, userId: number, input: { recordId: number; startsAt: string; endsAt: string; reason: string }, now = Date.now()): Promise<number> {
  const reason = input.reason.trim();
  if (reason.length < 2) throw new HoursError('BAD_REQUEST', '请填写更正理由（至少 2 个字）');
  const startsAt = parseDateTimeLocal(input.startsAt);
  const endsAt = parseDateTimeLocal(input.endsAt);
  const [rec] = await db.all<Row>(sql`SELECT id, user_id, status FROM hour_records WHERE id = ${input.recordId}`);
  if (!rec || num(rec, 'user_id') !== userId) throw new HoursError('NOT_FOUND', '记录不存在');
  if (!['pending', 'confirmed'].includes(String(rec.status))) throw new HoursError('BAD_REQUEST', '只能对待确认或已确认的记录申请更正');
  const problem = checkSpan(startsAt, endsAt, await spanLimits(db), now);
  if (problem) throw new HoursError('BAD_REQUEST', problem);
  // One open request per record: the guard's condition names the new row too.
  const openRequest = sql`SELECT id FROM hour_corrections WHERE record_id = ${input.recordId} AND status = 'pending'`;
  const written = await guardedWrite(
    db,
    sql`INSERT INTO hour_corrections (record_id, requested_by, reason, proposed_starts_at, proposed_ends_at, status, created_at)
    SELECT ${input.recordId}, ${userId}, ${reason.slice(0, 300)}, ${startsAt}, ${endsAt}, 'pending', ${now} WHERE NOT EXISTS (${openRequest}) RETURNING id`,
    [auditStatement({ actorId: userId, action: 'hours.correction.request', targetType: 'hour_correction', targetId: openRequest, after: { recordId: input.recordId, startsAt, endsAt, reason } })],
  );
  if (!written) throw new HoursError('CONFLICT', '该记录已有一条待处理的更正申请');
  return num(written[0].rows[0], 'id');
}

async function correctionWithRecord(db: Db, id: number) {
  const [c] =
    await db.all<Row>(sql`SELECT c.id, c.status, c.proposed_starts_at, c.proposed_ends_at, c.requested_by, h.id AS record_id, h.user_id, h.team_id, h.starts_at, h.ends_at, h.minutes, h.event_id,
      e.title AS event_title, e.starts_at AS event_starts, e.ends_at AS event_ends
    FROM hour_corrections c JOIN hour_records h ON h.id = c.record_id LEFT JOIN events e ON e.id = h.event_id WHERE c.id = ${id}`);
  if (!c) throw new HoursError('NOT_FOUND', '更正申请不存在');
  return c;
}

/** Refuses a reviewer who may not decide a correction of this record (their own record; not their team to write to). */
async function assertMayDecide(db: Db, r: Reviewer, c: Row): Promise<void> {
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
  const problem =
    checkSpan(startsAt, endsAt, limits, now) ??
    (c.event_id != null ? checkEventWindow(startsAt, endsAt, { title: String(c.event_title), startsAt: num(c, 'event_starts'), endsAt: num(c, 'event_ends') }) : null);
  if (problem) throw new HoursError('BAD_REQUEST', problem);
  const recordId = num(c, 'record_id');
  const userId = num(c, 'user_id');
  const minutes = spanMinutes(startsAt, endsAt);
  const [d0, d1] = dayWindow(startsAt);
  const before = { startsAt: num(c, 'starts_at'), endsAt: num(c, 'ends_at'), minutes: num(c, 'minutes') };
  let written;
  try {
    // The guard moves the record only while the request is still open: a decline that got there first wins.
    written = await guardedWrite(
      db,
      sql`UPDATE hour_records SET starts_at = ${startsAt}, ends_at = ${endsAt}, minutes = ${minutes}
      WHERE id = ${recordId} AND status IN ${ACTIVE_STATUSES} AND ${mayReviewSql('hour_records', r)}
        AND EXISTS (SELECT 1 FROM hour_corrections WHERE id = ${correctionId} AND record_id = ${recordId} AND status = 'pending')
        AND NOT EXISTS (SELECT 1 FROM hour_records o WHERE o.user_id = ${userId} AND o.id <> ${recordId} AND o.status IN ${ACTIVE_STATUSES} AND o.starts_at < ${endsAt} AND o.ends_at > ${startsAt})
        AND (SELECT coalesce(sum(minutes), 0) FROM hour_records o WHERE o.user_id = ${userId} AND o.id <> ${recordId} AND o.status IN ${ACTIVE_STATUSES} AND o.starts_at >= ${d0} AND o.starts_at < ${d1}) + ${minutes} <= ${limits.maxDayHours * 60}`,
      [
        sql`UPDATE hour_corrections SET status = 'accepted', decided_by = ${actorId}, decided_at = ${now} WHERE id = ${correctionId}`,
        auditStatement({ actorId, action: 'hours.correction.accept', targetType: 'hour_record', targetId: recordId, before, after: { startsAt, endsAt, minutes, correctionId } }),
        // Runs after the guard moved the record, so the notice states the corrected time and hours.
        sql`INSERT INTO notices (user_id, kind, title, body, link, created_at) VALUES (${userId}, 'hours.correction', '服务时长更正已通过', '更正后 ' || ${recordFactsSql(recordId)} || '。', '/me/hours', ${now})`,
      ],
    );
  } catch (e) {
    if (String((e as Error).message).includes('HOURS_OVERLAP')) throw new HoursError('CONFLICT', '更正后的时间与该志愿者已确认的记录重叠');
    throw e;
  }
  if (written) return;
  const [clash] = await db.all<Row>(sql`SELECT h.id, h.starts_at, h.ends_at, t.name FROM hour_records h JOIN teams t ON t.id = h.team_id
    WHERE h.user_id = ${userId} AND h.id <> ${recordId} AND h.status IN ${ACTIVE_STATUSES} AND h.starts_at < ${endsAt} AND h.ends_at > ${startsAt} LIMIT 1`);
  if (clash) {
    throw new HoursError('CONFLICT', `更正后的时间与已有记录重叠：${str(clash, 'name')} ${formatDateTime(num(clash, 'starts_at'))}–${formatTime(num(clash, 'ends_at'))}（记录号 ${num(clash, 'id')}）`);
  }
  const [current] = await db.all<Row>(sql`SELECT status FROM hour_corrections WHERE id = ${correctionId}`);
  if (current?.status !== 'pending') throw new HoursError('CONFLICT', '该更正申请已处理');
  throw new HoursError('CONFLICT', `更正后当日累计服务时长将超过 ${limits.maxDayHours} 小时，或记录已不可更正`);
}

/** Declines a correction with a reason; the record keeps its times. */
export async function declineCorrection(db: Db, actor: number | Reviewer, correctionId: number, decision: string, now = Date.now()): Promise<void> {
  const r: Reviewer = typeof actor === 'number' ? { id: actor } : actor;
  const actorId = r.id;
  const why = decision.trim();
  if (why.length < 2) throw new HoursError('BAD_REQUEST', '请填写不予更正的理由（至少 2 个字）');
  const c = await correctionWithRecord(db, correctionId);
  await assertMayDecide(db, r, c);
  const written = await guardedWrite(
    db,
    sql`UPDATE hour_corrections SET status = 'declined', decided_by = ${actorId}, decided_at = ${now}, decision = ${why.slice(0, 300)}
    WHERE id = ${correctionId} AND status = 'pending'`,
    [
      auditStatement({ actorId, action: 'hours.correction.decline', targetType: 'hour_correction', targetId: correctionId, after: { status: 'declined', decision: why } }),
      sql`INSERT INTO notices (user_id, kind, title, body, link, created_at) VALUES (${num(c, 'user_id')}, 'hours.correction', '服务时长更正未通过', ${recordFactsSql(num(c, 'record_id'))} || ${`。记录保持不变，不予更正的理由：${why}`}, '/me/hours', ${now})`,
    ],
  );
  if (!written) throw new HoursError('CONFLICT', '该更正申请已处理');
}

/** Open correction requests for a team's records. */
export async function pendingCorrections(db: Db, teamId: number) {
  return correctionList(db, sql`h.team_id = ${teamId}`);
}

/** Open correction requests on records of volunteers who lead the record's team: what staff decide. */
export async function leadersOwnCorrections(db: Db) {
  return correctionList(db, leadsOwnTeamSql('h'));
}

async function correctionList(db: Db, where: SQL) {
  const rows =
    await db.all<Row>(sql`SELECT c.id, c.reason, c.proposed_starts_at, c.proposed_ends_at, c.created_at, h.id AS record_id, h.user_id, h.starts_at, h.ends_at, h.status AS record_status, u.real_name, t.name AS team_name
    FROM hour_corrections c JOIN hour_records h ON h.id = c.record_id JOIN users u ON u.id = h.user_id JOIN teams t ON t.id = h.team_id
    WHERE ${where} AND c.status = 'pending' ORDER BY c.id LIMIT 200`);
  return rows.map((r) => ({
    id: num(r, 'id'),
    reason: String(r.reason),
    proposedStartsAt: num(r, 'proposed_starts_at'),
    proposedEndsAt: num(r, 'proposed_ends_at'),
    recordId: num(r, 'record_id'),
    userId: num(r, 'user_id'),
    startsAt: num(r, 'starts_at'),
    endsAt: num(r, 'ends_at'),
    recordStatus: String(r.record_status),
    userName: String(r.real_name),
    teamName: String(r.team_name),
  }));
}
