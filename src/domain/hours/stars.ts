// Star levels from confirmed minutes (民政部 2012 practice; thresholds in settings).

export interface StarLevel {
  /** 0–5 stars reached. */
  stars: number;
  /** "★★" or "" */
  label: string;
  /** Hours needed for the next star, null at the top. */
  nextHours: number | null;
  /** Confirmed hours still missing for the next star (one decimal), null at the top. */
  remainingHours: number | null;
  /** Progress from the current to the next threshold, 0–100. */
  percent: number;
}

/** The star level of a volunteer with `minutes` confirmed; compares in minutes so 99.9 h stays below 100 h. */
export function starLevel(minutes: number, thresholdsHours: number[]): StarLevel {
  const t = [...thresholdsHours].sort((a, b) => a - b);
  let stars = 0;
  while (stars < t.length && minutes >= t[stars] * 60) stars++;
  const next = stars < t.length ? t[stars] : null;
  const prev = stars > 0 ? t[stars - 1] : 0;
  const percent = next == null ? 100 : Math.max(0, Math.min(100, Math.floor(((minutes - prev * 60) / ((next - prev) * 60)) * 100)));
  const remaining = next == null ? null : Math.ceil((next * 60 - minutes) / 6) / 10;
  return { stars, label: '★'.repeat(stars), nextHours: next, remainingHours: remaining, percent };
}
