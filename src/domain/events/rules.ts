// Event rules that do not need the database: ages, publish preconditions, attendance minutes.

/** Full years of age on the Shanghai day of `atMs` for a YYYY-MM-DD birth date; null when unparseable. */
export function ageOn(birthDate: string, atMs: number): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate);
  if (!m) return null;
  const d = new Date(atMs + 8 * 3600_000);
  const y = d.getUTCFullYear(), mo = d.getUTCMonth() + 1, day = d.getUTCDate();
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

/** The categories an event may have (settings.eventCategories holds the live list). */
export const EVENT_CATEGORIES = ['法治宣传', '平安巡防', '助老助残', '环境保护', '文明劝导', '应急救援', '普法讲座', '其他'];
