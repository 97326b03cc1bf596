// Creating one hour record (attendance, leader entry, claims): ONE guarded INSERT — no overlap with the
// volunteer's pending or confirmed records county-wide, the per-day cap, one record per sign-up — with
// its audit row in the same guarded write, so concurrent requests cannot both pass
// (docs/architecture.md "Writes under contention"; docs/decisions/030, 084).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { getSettings } from '../settings/index.ts';
import { formatTime, shanghaiDay } from '../../lib/time.ts';
import { HoursError } from './errors.ts';
import { ACTIVE_STATUSES, num, str, type Row } from './sql.ts';
import { checkClaimAge, checkEventWindow, checkSpan, dayWindow, spanMinutes, type SpanLimits } from './rules.ts';
import { statusLabel } from './queries.ts';

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

/** Explains why a guarded write for (userId, span) was refused: the clashing record, or the day cap. */
async function explainRefusal(db: Db, userId: number, startsAt: number, endsAt: number, minutes: number, limits: SpanLimits): Promise<string> {
  const [c] = await db.all<Row>(sql`SELECT h.id, h.starts_at, h.ends_at, h.status, t.name AS team FROM hour_records h JOIN teams t ON t.id = h.team_id
    WHERE h.user_id = ${userId} AND h.status IN ${ACTIVE_STATUSES} AND h.starts_at < ${endsAt} AND h.ends_at > ${startsAt}
    ORDER BY h.starts_at LIMIT 1`);
  if (c) {
    const s = num(c, 'starts_at');
    return `与已有的服务记录时间重叠：${str(c, 'team')} ${shanghaiDay(s)} ${formatTime(s)}–${formatTime(num(c, 'ends_at'))}（${statusLabel(String(c.status))}，记录号 ${num(c, 'id')}）`;
  }
  const [d0, d1] = dayWindow(startsAt);
  const [day] = await db.all<Row>(sql`SELECT coalesce(sum(minutes), 0) AS m FROM hour_records
    WHERE user_id = ${userId} AND status IN ${ACTIVE_STATUSES} AND starts_at >= ${d0} AND starts_at < ${d1}`);
  const used = num(day, 'm');
  if (used + minutes > limits.maxDayHours * 60) {
    return `${shanghaiDay(startsAt)} 当日累计服务时长将超过 ${limits.maxDayHours} 小时（已有 ${Math.round((used / 60) * 10) / 10} 小时，本条 ${Math.round((minutes / 60) * 10) / 10} 小时）`;
  }
  return '该签到记录已生成过服务时长';
}

/**
 * Creates one pending record after the pure rules, with one guarded INSERT … SELECT … WHERE NOT EXISTS
 * plus its audit row. Returns the new id; throws HoursError naming the problem.
 */
export async function createHourRecord(db: Db, r: NewHourRecord, opts: { now?: number; limits?: SpanLimits; event?: { startsAt: number; endsAt: number; title: string } } = {}): Promise<number> {
  const now = opts.now ?? Date.now();
  const limits = opts.limits ?? (await spanLimits(db));
  const problem =
    checkSpan(r.startsAt, r.endsAt, limits, now) ?? (r.source === 'claim' ? checkClaimAge(r.startsAt, limits, now) : null) ?? (opts.event ? checkEventWindow(r.startsAt, r.endsAt, opts.event) : null);
  if (problem) throw new HoursError('BAD_REQUEST', problem);
  const minutes = spanMinutes(r.startsAt, r.endsAt);
  const [d0, d1] = dayWindow(r.startsAt);
  const content = r.content.trim().slice(0, 500);
  const signupId = r.signupId ?? null;
  const eventId = r.eventId ?? null;
  const written = await guardedWrite(
    db,
    sql`
    INSERT INTO hour_records (user_id, team_id, event_id, signup_id, source, starts_at, ends_at, minutes, content, status, photo_file_id, created_by, created_at)
    SELECT ${r.userId}, ${r.teamId}, ${eventId}, ${signupId}, ${r.source}, ${r.startsAt}, ${r.endsAt}, ${minutes}, ${content}, 'pending', ${r.photoFileId ?? null}, ${r.createdBy}, ${now}
    WHERE NOT EXISTS (SELECT 1 FROM hour_records WHERE user_id = ${r.userId} AND status IN ${ACTIVE_STATUSES} AND starts_at < ${r.endsAt} AND ends_at > ${r.startsAt})
      AND (SELECT coalesce(sum(minutes), 0) FROM hour_records WHERE user_id = ${r.userId} AND status IN ${ACTIVE_STATUSES} AND starts_at >= ${d0} AND starts_at < ${d1}) + ${minutes} <= ${limits.maxDayHours * 60}
      AND (${signupId} IS NULL OR NOT EXISTS (SELECT 1 FROM hour_records WHERE signup_id = ${signupId}))
    RETURNING id`,
    [
      auditStatement({
        actorId: r.createdBy,
        action: `hours.create.${r.source}`,
        targetType: 'hour_record',
        // The new row: no other active record of the volunteer overlaps it, so its start names it.
        targetId: sql`SELECT id FROM hour_records WHERE user_id = ${r.userId} AND starts_at = ${r.startsAt} AND status = 'pending'`,
        after: { userId: r.userId, teamId: r.teamId, eventId, startsAt: r.startsAt, endsAt: r.endsAt, minutes, status: 'pending' },
      }),
    ],
  );
  if (!written) throw new HoursError('CONFLICT', await explainRefusal(db, r.userId, r.startsAt, r.endsAt, minutes, limits));
  return num(written[0].rows[0], 'id');
}
