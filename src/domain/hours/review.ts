// Reviewing hour records: who may confirm or decline (a leader who may write to the team, never for
// their own record; staff for a team's own leaders, docs/decisions/079), and the guarded transitions.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { leaderMayWriteSql, leaderWriteRefusal, leadsTeamSql, type LeaderWriteRefused } from '../accounts/policy.ts';
import { HoursError } from './errors.ts';
import { num, type Row } from './sql.ts';

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

/** SQL predicate: the volunteer of row `t` (with `team_id` and `user_id` columns) leads the row's team — the rows staff review. */
export function leadsOwnTeamSql(t: string): SQL {
  return leadsTeamSql(sql.raw(`${t}.team_id`), sql.raw(`${t}.user_id`));
}

/**
 * SQL predicate over a row of table `t` with `team_id` and `user_id` columns: reviewer `r` may review it —
 * never their own row; a leader who may write to the team; or staff when the row's volunteer leads that team.
 */
export function mayReviewSql(t: string, r: Reviewer): SQL {
  const staffPath = r.staff ? sql`${leadsOwnTeamSql(t)} OR ` : sql``;
  return sql`(${sql.raw(t)}.user_id <> ${r.id} AND (${staffPath}${leaderMayWriteSql(sql.raw(`${t}.team_id`), r.id)}))`;
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
    const [own] = await db.all<Row>(sql`SELECT ${leadsTeamSql(row.teamId, row.userId)} AS own`);
    if (Number(own?.own)) return null;
  }
  const refusal = await leaderWriteRefusal(db, r.id, row.teamId, doing);
  return refusal ? { why: refusal.why, error: new HoursError('FORBIDDEN', refusal.message) } : null;
}

/** Why a pending record could not be reviewed by `r`: the reviewer's own, a suspended team, else "not found" (no leak of other teams' ids) or already handled. */
async function recordReviewProblem(db: Db, r: Reviewer, id: number, doing: string): Promise<HoursError> {
  const [row] = await db.all<Row>(sql`SELECT user_id, team_id, status FROM hour_records WHERE id = ${id}`);
  const unknown = new HoursError('NOT_FOUND', '记录不存在、已处理，或不属于您带领的队伍');
  if (!row) return unknown;
  const refusal = await reviewRefusal(db, r, { userId: num(row, 'user_id'), teamId: num(row, 'team_id') }, doing);
  if (refusal) return refusal.why === 'self' || refusal.why === 'team_inactive' ? refusal.error : unknown;
  return row.status === 'pending' ? new HoursError('CONFLICT', '记录暂时无法处理，请刷新后再试') : unknown;
}

/**
 * What a review notice says about record `id`: "活动：…；服务时间：2026/11/22 09:00–11:30；时长：2.5 小时" (the hours
 * rounded as formatHours does), so the volunteer knows which record without opening the site (issue 18, item 8).
 */
export function recordFactsSql(id: number): SQL {
  const at = (col: string, fmt: string) => sql.raw(`strftime('${fmt}', (r.${col} + 28800000) / 1000, 'unixepoch')`);
  return sql`(SELECT '活动：' || coalesce(e.title, r.content) || '；服务时间：' || ${at('starts_at', '%Y/%m/%d %H:%M')} || '–' || ${at('ends_at', '%H:%M')}
      || '；时长：' || printf('%g', round(r.minutes / 6.0) / 10.0) || ' 小时'
    FROM hour_records r LEFT JOIN events e ON e.id = r.event_id WHERE r.id = ${id})`;
}

/**
 * Confirms pending records; returns how many were confirmed and why others were not. Each is one guarded
 * UPDATE with its audit row: never the reviewer's own record, only a team they may write to as leader, or
 * (staff) a leader's own.
 */
export async function confirmRecords(
  db: Db,
  reviewer: number | Reviewer,
  ids: number[],
  now = Date.now(),
  /** For more than one record: the count shown on the bulk confirm step; confirming many is a deliberate act (issue 18, item 10). */
  expectedCount?: number,
): Promise<{ confirmed: number; failed: { id: number; message: string }[] }> {
  const r: Reviewer = typeof reviewer === 'number' ? { id: reviewer } : reviewer;
  const unique = [...new Set(ids)];
  if (unique.length > 1 && expectedCount !== unique.length) {
    throw new HoursError('BAD_REQUEST', '批量确认需先核对：请在“批量确认”中勾选记录，核对条数后再确认');
  }
  let confirmed = 0;
  const failed: { id: number; message: string }[] = [];
  for (const id of unique) {
    try {
      const written = await guardedWrite(
        db,
        sql`UPDATE hour_records SET status = 'confirmed', reviewer_id = ${r.id}, reviewed_at = ${now}, reason = NULL
        WHERE id = ${id} AND status = 'pending' AND ${mayReviewSql('hour_records', r)}`,
        [
          auditStatement({ actorId: r.id, action: 'hours.confirm', targetType: 'hour_record', targetId: id, before: { status: 'pending' }, after: { status: 'confirmed', asStaff: !!r.staff } }),
          sql`INSERT INTO notices (user_id, kind, title, body, link, created_at)
          SELECT user_id, 'hours.confirmed', '服务时长已确认', ${recordFactsSql(id)} || '。已计入您的累计服务时长。', '/me/hours', ${now} FROM hour_records WHERE id = ${id}`,
        ],
      );
      if (written) confirmed++;
      else failed.push({ id, message: (await recordReviewProblem(db, r, id, '确认')).message });
    } catch (e) {
      if (String((e as Error).message).includes('HOURS_OVERLAP')) failed.push({ id, message: '与该志愿者已确认的记录时间重叠，无法确认' });
      else throw e;
    }
  }
  return { confirmed, failed };
}

/** Declines a pending record (same reviewers as `confirmRecords`); a reason is required. The volunteer is told in the same write. */
export async function declineRecord(db: Db, reviewer: number | Reviewer, id: number, reason: string, now = Date.now()): Promise<void> {
  const r: Reviewer = typeof reviewer === 'number' ? { id: reviewer } : reviewer;
  const why = reason.trim();
  if (why.length < 2) throw new HoursError('BAD_REQUEST', '请填写不予确认的理由（至少 2 个字）');
  const written = await guardedWrite(
    db,
    sql`UPDATE hour_records SET status = 'declined', reviewer_id = ${r.id}, reviewed_at = ${now}, reason = ${why.slice(0, 300)}
    WHERE id = ${id} AND status = 'pending' AND ${mayReviewSql('hour_records', r)}`,
    [
      auditStatement({
        actorId: r.id,
        action: 'hours.decline',
        targetType: 'hour_record',
        targetId: id,
        before: { status: 'pending' },
        after: { status: 'declined', reason: why, asStaff: !!r.staff },
      }),
      sql`INSERT INTO notices (user_id, kind, title, body, link, created_at)
      SELECT user_id, 'hours.declined', '服务时长未予确认', ${recordFactsSql(id)} || ${`。不予确认的理由：${why}。如有异议，可在“我的时长”中申请更正或联系队伍负责人。`}, '/me/hours', ${now} FROM hour_records WHERE id = ${id}`,
    ],
  );
  if (!written) throw await recordReviewProblem(db, r, id, '审核');
}
