// Event rules that do not need the database: ages, publish preconditions, attendance minutes.

/** Full years of age on the Shanghai day of `atMs` for a YYYY-MM-DD birth date; null when unparseable. */
export function ageOn(birthDate: string, atMs: number): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate);
  if (!m) return null;
  const d = new Date(atMs + 8 * 3600_000);
  const y = d.getUTCFullYear(),
    mo = d.getUTCMonth() + 1,
    day = d.getUTCDate();
  let age = y - Number(m[1]);
  if (mo < Number(m[2]) || (mo === Number(m[2]) && day < Number(m[3]))) age--;
  return age;
}

/** Why an event may not be published yet, or null. */
export function publishProblem(e: { dangerous: boolean; insurancePolicy: string | null; startsAt: number; endsAt: number; capacity: number }, now: number): string | null {
  if (e.dangerous && !e.insurancePolicy?.trim()) return '高风险活动须先填写意外保险保单号，才能发布';
  if (e.endsAt <= e.startsAt) return '结束时间须晚于开始时间';
  if (e.startsAt <= now) return '活动开始时间已过，不能发布';
  if (e.capacity < 1) return '名额至少为 1';
  return null;
}

/** Proposed service minutes: the overlap of [checkin, checkout] with [start, end], whole minutes. */
export function overlapMinutes(checkinAt: number, checkoutAt: number, startsAt: number, endsAt: number): number {
  const from = Math.max(checkinAt, startsAt);
  const to = Math.min(checkoutAt, endsAt);
  return to > from ? Math.floor((to - from) / 60_000) : 0;
}

/** The earliest instant an event may be set to (Shanghai 2000-01-01): nothing the county records is older. */
export const EVENT_EARLIEST_MS = Date.UTC(2000, 0, 1) - 8 * 3600_000;
/** How far ahead an event may be planned: two years (an annual plan and the next). */
export const EVENT_MAX_AHEAD_MS = 2 * 366 * 86400_000;

/** Why an event time is outside the sane range (year 0001, year 9999), or null. */
export function eventTimeProblem(ms: number, label: string, now = Date.now()): string | null {
  if (ms < EVENT_EARLIEST_MS) return `${label}不能早于 2000 年，请检查年份`;
  if (ms > now + EVENT_MAX_AHEAD_MS) return `${label}最多可安排在两年以内，请检查年份`;
  return null;
}

/** The categories an event may have (settings.eventCategories holds the live list). */
export const EVENT_CATEGORIES = ['法治宣传', '平安巡防', '助老助残', '环境保护', '文明劝导', '应急救援', '普法讲座', '其他'];
