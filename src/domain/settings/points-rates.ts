// The county's 志愿积分 amounts (issue 21): points per confirmed hour and the cap per record, and the grants for
// 上榜好人榜 and a 五星 service rating. db/sql/points.sql reads them at the moment points are earned, so a
// change applies from then on; what was earned stays (docs/decisions/095, 103).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { getSettings } from './index.ts';
import { SettingsError } from './public-phones.ts';

/** The four amounts, as the settings form posts them. */
export interface PointsRates {
  pointsPerHour: number;
  pointsCapPerRecord: number;
  pointsForHonor: number;
  pointsForFiveStar: number;
}

/** Each amount's bounds and Chinese name (the form's labels and the refusals). */
export const POINTS_RATE_FIELDS: Record<keyof PointsRates, { label: string; min: number; max: number }> = {
  pointsPerHour: { label: '每小时服务时长积分', min: 0, max: 1000 },
  pointsCapPerRecord: { label: '每条时长记录最多积分', min: 0, max: 10_000 },
  pointsForHonor: { label: '登上好人榜奖励积分', min: 0, max: 10_000 },
  pointsForFiveStar: { label: '服务点单五星评价奖励积分', min: 0, max: 10_000 },
};

/** Saves the amounts with one audit row (before and after) in the same batch. */
export async function savePointsRates(db: Db, actorId: number, rates: PointsRates, ip?: string): Promise<void> {
  for (const [key, f] of Object.entries(POINTS_RATE_FIELDS) as [keyof PointsRates, (typeof POINTS_RATE_FIELDS)[keyof PointsRates]][]) {
    const v = rates[key];
    if (!Number.isSafeInteger(v) || v < f.min || v > f.max) throw new SettingsError(`${f.label}应为 ${f.min}–${f.max} 的整数`, key);
  }
  const s = await getSettings(db);
  const before = { pointsPerHour: s.pointsPerHour, pointsCapPerRecord: s.pointsCapPerRecord, pointsForHonor: s.pointsForHonor, pointsForFiveStar: s.pointsForFiveStar };
  const now = Date.now();
  await writeBatch(db, [
    ...(Object.keys(POINTS_RATE_FIELDS) as (keyof PointsRates)[]).map(
      (key) =>
        sql`INSERT INTO settings (key, value, updated_at) VALUES (${key}, ${JSON.stringify(rates[key])}, ${now}) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
    auditStatement({ actorId, action: 'settings.points', targetType: 'settings', targetId: 'points', before, after: rates, ip }),
  ]);
}
