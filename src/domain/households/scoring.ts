// A village's scoring table (issue 21, docs/decisions/102): copied from the county template (scoring_items
// with no village) when the village starts household points, then edited by the village's clerk, audited.
// Also the village's settings: days on 公示, a base score that cannot be spent, an annual reset.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { HouseholdError, assertId } from './errors.ts';
import { keepsVillageSql } from './roles.ts';

type Row = Record<string, unknown>;

/** The categories of the 三评两审 card. */
export const CATEGORIES = ['遵纪守法', '移风易俗', '环境卫生', '孝老爱亲', '邻里和睦', '志愿服务', '公益美德'] as const;

/** Chinese names of the directions. */
export const DIRECTION_LABELS: Record<'plus' | 'minus', string> = { plus: '加分项', minus: '扣分项' };

/** One line of a scoring table. */
export interface ScoringItem {
  id: number;
  direction: 'plus' | 'minus';
  category: string;
  title: string;
  points: number;
  active: boolean;
}

/** A village's settings, or null before it started. */
export interface VillageSettings {
  villageId: number;
  publicityDays: number;
  baseScore: number;
  annualReset: boolean;
  resetYear: number | null;
}

/** A village's scoring table (its own copy); active items only unless `all`. */
export async function scoringTable(db: Db, villageId: number, all = false): Promise<ScoringItem[]> {
  const rows = await db.all<Row>(sql`SELECT id, direction, category, title, points, active FROM scoring_items
    WHERE village_id = ${villageId} AND (${all ? 1 : 0} = 1 OR active = 1) ORDER BY sort, id LIMIT 300`);
  return rows.map((r) => ({
    id: Number(r.id),
    direction: r.direction === 'minus' ? 'minus' : 'plus',
    category: String(r.category),
    title: String(r.title),
    points: Number(r.points),
    active: Number(r.active) === 1,
  }));
}

/** A village's settings, or null when it has not started household points. */
export async function villageSettings(db: Db, villageId: number): Promise<VillageSettings | null> {
  const [r] = await db.all<Row>(sql`SELECT * FROM village_points_settings WHERE village_id = ${villageId}`);
  if (!r) return null;
  return {
    villageId,
    publicityDays: Number(r.publicity_days),
    baseScore: Number(r.base_score),
    annualReset: Number(r.annual_reset) === 1,
    resetYear: r.reset_year == null ? null : Number(r.reset_year),
  };
}

/**
 * Starts household points in a village: its settings row and a copy of the county template, in one guarded
 * write (the settings row is the guard, so a second start copies nothing).
 */
export async function startVillage(db: Db, actorId: number, villageId: number, now = Date.now()): Promise<void> {
  assertId(villageId, '村（社区）', 'villageId');
  const written = await guardedWrite(
    db,
    sql`INSERT INTO village_points_settings (village_id, started_at) SELECT v.id, ${now} FROM regions v
      WHERE v.id = ${villageId} AND v.level = 'village' AND ${keepsVillageSql(villageId, actorId)} ON CONFLICT DO NOTHING`,
    [
      sql`INSERT INTO scoring_items (village_id, direction, category, title, points, active, sort, created_at)
        SELECT ${villageId}, direction, category, title, points, 1, sort, ${now} FROM scoring_items WHERE village_id IS NULL AND active = 1 ORDER BY sort, id`,
      auditStatement({ actorId, action: 'household.village.start', targetType: 'village', targetId: villageId }),
    ],
  );
  if (written) return;
  const [k] = await db.all<{ ok: number }>(sql`SELECT ${keepsVillageSql(villageId, actorId)} AS ok`);
  if (!Number(k?.ok)) throw new HouseholdError('FORBIDDEN', '只有本村（社区）的积分管理员可以启用户积分');
  if (await villageSettings(db, villageId)) throw new HouseholdError('CONFLICT', '本村（社区）已启用户积分');
  throw new HouseholdError('NOT_FOUND', '没有这个村（社区）', 'villageId');
}

/** Changes a village's settings, audited. */
export async function updateVillageSettings(db: Db, actorId: number, input: { villageId: number; publicityDays: number; baseScore: number; annualReset: boolean }): Promise<void> {
  assertId(input.villageId, '村（社区）', 'villageId');
  if (!Number.isSafeInteger(input.publicityDays) || input.publicityDays < 3 || input.publicityDays > 30) throw new HouseholdError('BAD_REQUEST', '公示天数应为 3–30 天', 'publicityDays');
  if (!Number.isSafeInteger(input.baseScore) || input.baseScore < 0 || input.baseScore > 1000) throw new HouseholdError('BAD_REQUEST', '基础分应为 0–1000 的整数', 'baseScore');
  const before = await villageSettings(db, input.villageId);
  const written = await guardedWrite(
    db,
    sql`UPDATE village_points_settings SET publicity_days = ${input.publicityDays}, base_score = ${input.baseScore}, annual_reset = ${input.annualReset ? 1 : 0}
      WHERE village_id = ${input.villageId} AND ${keepsVillageSql(input.villageId, actorId)}`,
    [
      auditStatement({
        actorId,
        action: 'household.village.settings',
        targetType: 'village',
        targetId: input.villageId,
        before: before ? { publicityDays: before.publicityDays, baseScore: before.baseScore, annualReset: before.annualReset } : undefined,
        after: { publicityDays: input.publicityDays, baseScore: input.baseScore, annualReset: input.annualReset },
      }),
    ],
  );
  if (!written) throw new HouseholdError(before ? 'FORBIDDEN' : 'CONFLICT', before ? '只有本村（社区）的积分管理员可以修改设置' : '本村（社区）尚未启用户积分');
}

function checkItem(input: { direction: string; category: string; title: string; points: number }): void {
  if (input.direction !== 'plus' && input.direction !== 'minus') throw new HouseholdError('BAD_REQUEST', '请选择加分项或扣分项', 'direction');
  if (!(CATEGORIES as readonly string[]).includes(input.category)) throw new HouseholdError('BAD_REQUEST', '请选择类别', 'category');
  const t = input.title.trim();
  if ([...t].length < 4 || [...t].length > 60) throw new HouseholdError('BAD_REQUEST', '项目内容 4–60 字', 'title');
  if (!Number.isSafeInteger(input.points) || input.points < 1 || input.points > 100) throw new HouseholdError('BAD_REQUEST', '分值应为 1–100 的整数', 'points');
}

/** Adds an item to a started village's table, audited. */
export async function addScoringItem(db: Db, actorId: number, input: { villageId: number; direction: string; category: string; title: string; points: number }, now = Date.now()): Promise<void> {
  assertId(input.villageId, '村（社区）', 'villageId');
  checkItem(input);
  const written = await guardedWrite(
    db,
    sql`INSERT INTO scoring_items (village_id, direction, category, title, points, active, sort, created_at)
      SELECT ${input.villageId}, ${input.direction}, ${input.category}, ${input.title.trim()}, ${input.points}, 1,
        (SELECT coalesce(max(sort), 0) + 1 FROM scoring_items WHERE village_id = ${input.villageId}), ${now}
      WHERE EXISTS (SELECT 1 FROM village_points_settings WHERE village_id = ${input.villageId}) AND ${keepsVillageSql(input.villageId, actorId)}`,
    [
      auditStatement({
        actorId,
        action: 'household.item.add',
        targetType: 'village',
        targetId: input.villageId,
        after: { direction: input.direction, category: input.category, title: input.title.trim(), points: input.points },
      }),
    ],
  );
  if (!written) throw new HouseholdError('FORBIDDEN', '请先启用户积分；只有本村（社区）的积分管理员可以修改评分表');
}

/** Changes an item's points or takes it off the table (entries already made keep what they said), audited. */
export async function updateScoringItem(db: Db, actorId: number, input: { itemId: number; points: number; active: boolean }): Promise<void> {
  assertId(input.itemId, '评分项目');
  if (!Number.isSafeInteger(input.points) || input.points < 1 || input.points > 100) throw new HouseholdError('BAD_REQUEST', '分值应为 1–100 的整数', 'points');
  const [before] = await db.all<Row>(sql`SELECT points, active, village_id FROM scoring_items WHERE id = ${input.itemId} AND village_id IS NOT NULL`);
  const written = await guardedWrite(
    db,
    sql`UPDATE scoring_items SET points = ${input.points}, active = ${input.active ? 1 : 0}
      WHERE id = ${input.itemId} AND village_id IS NOT NULL AND ${keepsVillageSql(sql`scoring_items.village_id`, actorId)}`,
    [
      auditStatement({
        actorId,
        action: 'household.item.update',
        targetType: 'scoring_item',
        targetId: input.itemId,
        before: before ? { points: Number(before.points), active: Number(before.active) === 1 } : undefined,
        after: { points: input.points, active: input.active },
      }),
    ],
  );
  if (!written) throw new HouseholdError(before ? 'FORBIDDEN' : 'NOT_FOUND', before ? '只有本村（社区）的积分管理员可以修改评分表' : '评分项目不存在');
}
