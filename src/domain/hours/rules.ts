// Pure checks on one hour span (issue 5 "Rules"); the database-dependent ones
// (overlap, per-day total) are in the guarded statements of new-record.ts and corrections.ts.
import { formatDateTime, shanghaiDay, fromShanghai } from '../../lib/time.ts';

export interface SpanLimits {
  maxRecordHours: number;
  maxDayHours: number;
  claimMaxAgeDays: number;
}

/** Minutes of a span, rounded down. */
export function spanMinutes(startsAt: number, endsAt: number): number {
  return Math.floor((endsAt - startsAt) / 60000);
}

/** The Shanghai day window [start, end) an instant falls in; a record counts towards the day it starts. */
export function dayWindow(ms: number): [number, number] {
  const start = fromShanghai(shanghaiDay(ms));
  return [start, start + 86400_000];
}

/** A Chinese message naming what is wrong with the span, or null when it passes the pure rules. */
export function checkSpan(startsAt: number, endsAt: number, limits: SpanLimits, now: number): string | null {
  if (!Number.isFinite(startsAt) || !Number.isFinite(endsAt)) return '开始或结束时间格式不正确';
  if (endsAt <= startsAt) return '结束时间必须晚于开始时间';
  if (endsAt > now) return `服务时间不能在未来：结束时间 ${formatDateTime(endsAt)} 尚未到来`;
  const minutes = spanMinutes(startsAt, endsAt);
  if (minutes < 1) return '服务时长不足 1 分钟';
  if (minutes > limits.maxRecordHours * 60) return `单条记录不能超过 ${limits.maxRecordHours} 小时（本条 ${Math.round((minutes / 60) * 10) / 10} 小时）`;
  return null;
}

/** A Chinese message when a claim is older than allowed, else null. */
export function checkClaimAge(startsAt: number, limits: SpanLimits, now: number): string | null {
  if (startsAt < now - limits.claimMaxAgeDays * 86400_000) return `只能申报 ${limits.claimMaxAgeDays} 天以内的服务，${formatDateTime(startsAt)} 的服务已超过申报期限`;
  return null;
}

/** A Chinese message when the span is not inside the event window, else null. */
export function checkEventWindow(startsAt: number, endsAt: number, event: { startsAt: number; endsAt: number; title: string }): string | null {
  if (startsAt < event.startsAt || endsAt > event.endsAt) {
    return `服务时间须在活动“${event.title}”的时间范围内（${formatDateTime(event.startsAt)}–${formatDateTime(event.endsAt)}）`;
  }
  return null;
}
