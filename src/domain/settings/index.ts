// Site settings with defaults; values are JSON in the settings table.
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { settings } from '../../../db/schema/index.ts';

/** Every setting with its default; a row in `settings` overrides it. */
export const DEFAULT_SETTINGS = {
  siteName: '云溪善行',
  countyName: '云溪县',
  /** The honor roll's own name (not always 县名 + 好人榜: 云溪县 → 云溪好人榜). */
  honorRollName: '云溪好人榜',
  organiser: '中共云溪县委宣传部　云溪县精神文明建设办公室',
  icp: '青ICP备2026000123号-1',
  contactPhone: '0838-1234567',
  /** Numbers the county publishes on purpose (hotlines, a 队长's number on a notice), each with what it is: the personal-data check leaves exactly these alone (issue 17.7, settings/public-phones.ts). */
  publicPhones: [] as { number: string; label: string }[],
  skills: ['急救', '法律', '医疗', '心理疏导', '驾驶', '摄影', '文字宣传', '外语', '手语', '电工维修', '信息技术', '教育辅导'],
  honorCategories: ['助人为乐', '见义勇为', '诚实守信', '敬业奉献', '孝老爱亲'],
  localHonorCategories: ['优秀志愿者', '新时代好少年', '最美家庭'],
  honorLevels: ['村/社区', '县', '市', '省', '国家'],
  eventCategories: ['法治宣传', '平安巡防', '助老助残', '环境保护', '文明劝导', '应急救援', '普法讲座', '其他'],
  legalTopics: ['宪法', '民法典', '反电信诈骗', '未成年人保护', '婚姻家庭', '劳动权益', '土地承包', '禁毒', '国家安全', '其他'],
  starThresholdsHours: [100, 300, 600, 1000, 1500],
  maxRecordHours: 12,
  maxDayHours: 24,
  claimMaxAgeDays: 90,
  /** 志愿积分 earned per confirmed service hour, and at most per record (issue 21); db/sql/points.sql reads both. */
  pointsPerHour: 10,
  pointsCapPerRecord: 100,
  /** 志愿积分 for being published on the 好人榜 (an honoree linked to an account) and for a 五星 rating of a delivered service order; db/sql/points.sql reads both. */
  pointsForHonor: 50,
  pointsForFiveStar: 10,
  reviewSteps: 2,
  /** Whether the 《信息发布审核表》 has a 分管领导 signature box after the review levels (signed on paper). */
  reviewFormLeaderSign: true,
  /**
   * What each level's 推荐表 allows (issue 19 item 5): 事迹简介 at most `summaryMax` 字, 主要事迹 between
   * `deedsMin` and `deedsMax` 字 (0 = no upper limit), `photosMin`–`photosMax` everyday photos.
   */
  recommendationLevels: [
    { level: '市', label: '市级好人榜', summaryMax: 140, deedsMin: 800, deedsMax: 1500, photosMin: 3, photosMax: 5 },
    { level: '省', label: '省级好人榜', summaryMax: 300, deedsMin: 1000, deedsMax: 2000, photosMin: 3, photosMax: 5 },
    { level: '国家', label: '中国好人榜', summaryMax: 300, deedsMin: 1500, deedsMax: 0, photosMin: 3, photosMax: 5 },
  ] as { level: string; label: string; summaryMax: number; deedsMin: number; deedsMax: number; photosMin: number; photosMax: number }[],
  autoIssueCertificates: false,
  termsVersion: '2026-01',
  privacyVersion: '2026-01',
  /** Wordings that raise a warning before submission: "误→正" or a bare word (issue 7). */
  sensitiveWords: [
    '做为→作为',
    '既使→即使',
    '按装→安装',
    '渡过难关→度过难关',
    '国家领导人→（请写明具体职务和姓名）',
    '最高级→（广告法禁用语，请核实）',
    '第一品牌→（广告法禁用语，请核实）',
  ] as string[],
};

export type Settings = typeof DEFAULT_SETTINGS;
export type SettingKey = keyof Settings;

/**
 * All settings, stored values over defaults. Every rendered page reads this, so it is a fixed SQL text
 * run by the client itself, without Drizzle's per-call compile and row copy (docs/decisions/074, 084).
 */
export async function getSettings(db: Db): Promise<Settings> {
  const rs = await db.$client.execute('SELECT key, value FROM settings');
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const r of rs.rows) {
    try {
      out[String(r.key)] = JSON.parse(String(r.value));
    } catch {
      /* keep default on a corrupt value */
    }
  }
  return out as Settings;
}

/** One setting. */
export async function getSetting<K extends SettingKey>(db: Db, key: K): Promise<Settings[K]> {
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  if (!row) return DEFAULT_SETTINGS[key];
  try {
    return JSON.parse(row.value) as Settings[K];
  } catch {
    return DEFAULT_SETTINGS[key];
  }
}

/** Stores one setting. */
export async function setSetting<K extends SettingKey>(db: Db, key: K, value: Settings[K]): Promise<void> {
  const v = JSON.stringify(value);
  await db
    .insert(settings)
    .values({ key, value: v, updatedAt: Date.now() })
    .onConflictDoUpdate({ target: settings.key, set: { value: v, updatedAt: Date.now() } });
}
