// Keeping a 积分超市's catalogue (issue 21, docs/decisions/103): a 超市管理员 of the shop (or an administrator)
// puts items on the shelf, edits or takes them off it, and records every stock change other than an order as
// a stock movement — 入库 (a purchase, or a donation thanked by name on the shop page) or a 盘点 correction
// with its reason. Each change, its movement and its audit row are one guarded write whose WHERE holds the
// shop-manager predicate; stock never goes below zero.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { managesShopSql } from '../accounts/policy.ts';
import { isPlainLine, isPlainText } from '../../lib/plain-text.ts';
import { PointsError } from './errors.ts';
import { POINTS_KIND_LABELS, type PointsKind } from './ledger.ts';
import { inShops } from './shop.ts';

type Row = Record<string, unknown>;

/** How stock changes outside orders: 入库 (purchase), 捐赠入库 (donation), 盘点更正 (count). */
export type MovementKind = 'purchase' | 'donation' | 'count';

/** Chinese names of stock movements (initial: the stock an item had when movements began). */
export const MOVEMENT_LABELS: Record<string, string> = { initial: '期初库存', purchase: '采购入库', donation: '捐赠入库', count: '盘点更正' };

/** What an item is (validated by the Action's schema; checked again here for other callers). */
export interface ItemFields {
  name: string;
  description: string;
  kind: PointsKind;
  price: number;
  monthlyLimit: number;
  householdMonthlyLimit: number;
  /** A library image already stored (uploadImage); undefined leaves it, null removes it. */
  photoMediaId?: number | null;
}

/** A new item: its fields, the shop and the opening stock, with the donor when the goods were donated. */
export interface NewItem extends ItemFields {
  shopId: number;
  stock: number;
  donor?: string;
  thanks?: string;
}

function whole(n: number, min: number, max: number, field: string, label: string): void {
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new PointsError('BAD_REQUEST', `${label}应为 ${min}–${max} 的整数`, field);
}

function line(s: string | undefined, max: number, field: string, label: string, required = false): string | null {
  const v = (s ?? '').trim();
  if (required && v.length < 2) throw new PointsError('BAD_REQUEST', `请填写${label}（至少 2 个字）`, field);
  if (v.length > max || !isPlainLine(v)) throw new PointsError('BAD_REQUEST', `${label}不超过 ${max} 字，且不含特殊控制字符`, field);
  return v || null;
}

function checkFields(f: ItemFields): void {
  line(f.name, 40, 'name', '物品名称', true);
  if (f.description.length > 200 || !isPlainText(f.description)) throw new PointsError('BAD_REQUEST', '物品说明不超过 200 字，且不含特殊控制字符', 'description');
  if (!Object.hasOwn(POINTS_KIND_LABELS, f.kind)) throw new PointsError('BAD_REQUEST', '请选择接受的积分种类', 'kind');
  whole(f.price, 1, 100_000, 'price', '所需积分');
  whole(f.monthlyLimit, 0, 100, 'monthlyLimit', '每人每月限兑');
  whole(f.householdMonthlyLimit, 0, 100, 'householdMonthlyLimit', '每户每月限兑');
  if (f.photoMediaId != null) whole(f.photoMediaId, 1, Number.MAX_SAFE_INTEGER, 'photo', '图片');
}

/** The open shops `shopIds` allows (null: every open shop), for the manager's forms. */
export async function shopChoices(db: Db, shopIds: number[] | null): Promise<{ id: number; name: string }[]> {
  const rows = await db.all<{ id: number; name: string }>(sql`SELECT id, name FROM shops WHERE active = 1 AND ${inShops('id', shopIds)} ORDER BY id LIMIT 100`);
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
}

/**
 * Puts an item on a shop's shelf — only an open shop the actor runs — with its opening stock as the first
 * movement (a donation when a donor is named) and the audit row, in one guarded write.
 */
export async function addItem(db: Db, actorId: number, item: NewItem, now = Date.now()): Promise<number> {
  whole(item.shopId, 1, Number.MAX_SAFE_INTEGER, 'shopId', '积分超市');
  checkFields(item);
  whole(item.stock, 0, 100_000, 'stock', '库存');
  const donor = line(item.donor, 60, 'donor', '捐赠方');
  const thanks = line(item.thanks, 60, 'thanks', '致谢语');
  if (thanks && !donor) throw new PointsError('BAD_REQUEST', '请先填写捐赠方，致谢语随捐赠方显示', 'donor');
  const name = item.name.trim();
  // The new row is named by shop and name: within the batch the highest such id is the one just inserted.
  const newId = sql`(SELECT max(id) FROM shop_items WHERE shop_id = ${item.shopId} AND name = ${name})`;
  const written = await guardedWrite(
    db,
    sql`INSERT INTO shop_items (shop_id, name, description, kind, price, stock, monthly_limit, household_monthly_limit, donor, photo_media_id, created_at)
      SELECT id, ${name}, ${item.description.trim()}, ${item.kind}, ${item.price}, ${item.stock}, ${item.monthlyLimit}, ${item.householdMonthlyLimit}, ${donor},
        ${item.photoMediaId ?? null}, ${now}
      FROM shops WHERE id = ${item.shopId} AND active = 1 AND ${managesShopSql(sql.raw('shops.id'), actorId)}`,
    [
      sql`INSERT INTO shop_stock_movements (item_id, change, kind, donor, thanks, actor_id, created_at)
        SELECT ${newId}, ${item.stock}, ${donor ? 'donation' : 'purchase'}, ${donor}, ${thanks}, ${actorId}, ${now} WHERE ${item.stock} > 0`,
      auditStatement({
        actorId,
        action: 'points.item.add',
        targetType: 'shop_item',
        targetId: newId,
        after: { shopId: item.shopId, name, kind: item.kind, price: item.price, stock: item.stock, monthlyLimit: item.monthlyLimit, donor },
      }),
      sql`SELECT ${newId} AS id`,
    ],
  );
  if (written) return Number(written[3]?.rows[0]?.id);
  const [s] = await db.all<Row>(sql`SELECT active, ${managesShopSql(sql.raw('shops.id'), actorId)} AS manages FROM shops WHERE id = ${item.shopId}`);
  if (!s || !Number(s.active)) throw new PointsError('NOT_FOUND', '该积分超市不存在或已停用', 'shopId');
  throw new PointsError('FORBIDDEN', '您不是该积分超市的管理员，不能为它上架物品', 'shopId');
}

/** One item as its edit form shows it, or null when missing or not the actor's shop. */
export interface EditableItem extends Required<Omit<ItemFields, 'photoMediaId'>> {
  id: number;
  shopId: number;
  shopName: string;
  stock: number;
  active: boolean;
  photoMediaId: number | null;
}

/** An item for its edit form, if it belongs to a shop in `shopIds` (null: any). */
export async function itemForEdit(db: Db, itemId: number, shopIds: number[] | null): Promise<EditableItem | null> {
  if (!Number.isSafeInteger(itemId) || itemId <= 0) return null;
  const [r] = await db.all<Row>(sql`SELECT i.*, s.name AS shop_name FROM shop_items i JOIN shops s ON s.id = i.shop_id WHERE i.id = ${itemId} AND ${inShops('i.shop_id', shopIds)}`);
  if (!r) return null;
  return {
    id: Number(r.id),
    shopId: Number(r.shop_id),
    shopName: String(r.shop_name),
    name: String(r.name),
    description: String(r.description),
    kind: String(r.kind) as PointsKind,
    price: Number(r.price),
    stock: Number(r.stock),
    monthlyLimit: Number(r.monthly_limit),
    householdMonthlyLimit: Number(r.household_monthly_limit),
    active: Number(r.active) === 1,
    photoMediaId: r.photo_media_id == null ? null : Number(r.photo_media_id),
  };
}

/**
 * Edits an item of a shop the actor runs: name, description, kind of points, price, limits, picture and
 * whether it is on the shelf (下架 keeps its history and open orders). A new price applies to new orders only.
 */
export async function editItem(db: Db, actorId: number, input: ItemFields & { itemId: number; active: boolean }): Promise<void> {
  whole(input.itemId, 1, Number.MAX_SAFE_INTEGER, 'itemId', '物品');
  checkFields(input);
  const before = await itemForEdit(db, input.itemId, null);
  if (!before) throw new PointsError('NOT_FOUND', '物品不存在', 'itemId');
  const photo = input.photoMediaId === undefined ? before.photoMediaId : input.photoMediaId;
  const after = {
    name: input.name.trim(),
    description: input.description.trim(),
    kind: input.kind,
    price: input.price,
    monthlyLimit: input.monthlyLimit,
    householdMonthlyLimit: input.householdMonthlyLimit,
    active: input.active,
    photoMediaId: photo,
  };
  const written = await guardedWrite(
    db,
    sql`UPDATE shop_items SET name = ${after.name}, description = ${after.description}, kind = ${after.kind}, price = ${after.price},
        monthly_limit = ${after.monthlyLimit}, household_monthly_limit = ${after.householdMonthlyLimit}, active = ${after.active ? 1 : 0}, photo_media_id = ${photo}
      WHERE id = ${input.itemId} AND ${managesShopSql(sql.raw('shop_items.shop_id'), actorId)}`,
    [
      auditStatement({
        actorId,
        action: 'points.item.edit',
        targetType: 'shop_item',
        targetId: input.itemId,
        before: {
          name: before.name,
          description: before.description,
          kind: before.kind,
          price: before.price,
          monthlyLimit: before.monthlyLimit,
          householdMonthlyLimit: before.householdMonthlyLimit,
          active: before.active,
          photoMediaId: before.photoMediaId,
        },
        after,
      }),
    ],
  );
  if (!written) throw new PointsError('FORBIDDEN', '您不是该积分超市的管理员，不能修改它的物品');
}

/**
 * Records a stock change of an item of a shop the actor runs: 入库 (+, a purchase or a donation naming its
 * donor, who is then thanked on the shop page) or a 盘点 correction (±, with its reason). One guarded
 * UPDATE — never below zero — with the movement and the audit row.
 */
export async function changeStock(
  db: Db,
  actorId: number,
  input: { itemId: number; change: number; kind?: MovementKind; donor?: string; thanks?: string; reason?: string },
  now = Date.now(),
): Promise<void> {
  whole(input.itemId, 1, Number.MAX_SAFE_INTEGER, 'itemId', '物品');
  whole(input.change, -100_000, 100_000, 'change', '数量');
  const donor = line(input.donor, 60, 'donor', '捐赠方');
  const thanks = line(input.thanks, 60, 'thanks', '致谢语');
  const reason = line(input.reason, 100, 'reason', '盘点原因');
  // Older callers sent only a number and maybe a donor: a donor makes it a donation, else a purchase or a count.
  const kind: MovementKind = input.kind ?? (donor ? 'donation' : input.change < 0 ? 'count' : 'purchase');
  if (input.change === 0) throw new PointsError('BAD_REQUEST', '数量不能为 0', 'change');
  if (kind !== 'count' && input.change < 0) throw new PointsError('BAD_REQUEST', '入库数量应为正数；短少、损耗请选“盘点更正”并写明原因', 'change');
  if (kind === 'donation' && !donor) throw new PointsError('BAD_REQUEST', '捐赠入库请填写捐赠方，页面上会致谢', 'donor');
  if (kind !== 'donation' && (donor || thanks)) throw new PointsError('BAD_REQUEST', '只有捐赠入库才填写捐赠方和致谢语', 'donor');
  if (kind === 'count' && !reason) throw new PointsError('BAD_REQUEST', '盘点更正请写明原因（如“盘点短少 2 件”“破损”）', 'reason');
  const written = await guardedWrite(
    db,
    sql`UPDATE shop_items SET stock = stock + ${input.change}, donor = coalesce(${donor}, donor)
      WHERE id = ${input.itemId} AND stock + ${input.change} >= 0 AND ${managesShopSql(sql.raw('shop_items.shop_id'), actorId)}`,
    [
      sql`INSERT INTO shop_stock_movements (item_id, change, kind, donor, thanks, reason, actor_id, created_at)
        VALUES (${input.itemId}, ${input.change}, ${kind}, ${donor}, ${thanks}, ${reason}, ${actorId}, ${now})`,
      auditStatement({
        actorId,
        action: 'points.stock',
        targetType: 'shop_item',
        targetId: input.itemId,
        after: { change: input.change, kind, donor: donor ?? undefined, thanks: thanks ?? undefined, reason: reason ?? undefined },
      }),
    ],
  );
  if (written) return;
  const [row] = await db.all<Row>(sql`SELECT stock, ${managesShopSql(sql.raw('shop_items.shop_id'), actorId)} AS manages FROM shop_items WHERE id = ${input.itemId}`);
  if (!row) throw new PointsError('NOT_FOUND', '物品不存在', 'itemId');
  if (!Number(row.manages)) throw new PointsError('FORBIDDEN', '您不是该积分超市的管理员，不能登记它的库存', 'itemId');
  throw new PointsError('CONFLICT', `库存只有 ${Number(row.stock)} 件，出库后不能少于 0`, 'change');
}

/** An item's line on the manager's stock list. */
export interface StockRow {
  id: number;
  shopName: string;
  name: string;
  kindLabel: string;
  price: number;
  stock: number;
  active: boolean;
}

/** Every item of the shops `shopIds` allows (null: all), lowest stock first within each shop. */
export async function stockList(db: Db, shopIds: number[] | null): Promise<StockRow[]> {
  const rows = await db.all<Row>(sql`SELECT i.id, s.name AS shop_name, i.name, i.kind, i.price, i.stock, i.active FROM shop_items i
    JOIN shops s ON s.id = i.shop_id WHERE ${inShops('i.shop_id', shopIds)} ORDER BY s.id, i.active DESC, i.stock, i.id LIMIT 500`);
  return rows.map((r) => ({
    id: Number(r.id),
    shopName: String(r.shop_name),
    name: String(r.name),
    kindLabel: POINTS_KIND_LABELS[String(r.kind) as PointsKind] ?? String(r.kind),
    price: Number(r.price),
    stock: Number(r.stock),
    active: Number(r.active) === 1,
  }));
}

/** One stock movement as the item's history shows it. */
export interface Movement {
  id: number;
  change: number;
  kind: string;
  kindLabel: string;
  donor: string | null;
  thanks: string | null;
  reason: string | null;
  createdAt: number;
}

/** An item's stock movements, newest first. */
export async function itemMovements(db: Db, itemId: number, limit = 50): Promise<Movement[]> {
  const rows = await db.all<Row>(sql`SELECT * FROM shop_stock_movements WHERE item_id = ${itemId} ORDER BY id DESC LIMIT ${limit}`);
  return rows.map((r) => ({
    id: Number(r.id),
    change: Number(r.change),
    kind: String(r.kind),
    kindLabel: MOVEMENT_LABELS[String(r.kind)] ?? String(r.kind),
    donor: r.donor == null ? null : String(r.donor),
    thanks: r.thanks == null ? null : String(r.thanks),
    reason: r.reason == null ? null : String(r.reason),
    createdAt: Number(r.created_at),
  }));
}

/** A donation the shop page thanks: who gave what, how many, when, and their thank-you line. */
export interface Donation {
  shopId: number;
  donor: string;
  thanks: string | null;
  itemName: string;
  quantity: number;
  createdAt: number;
}

/** The latest donations to open shops (newest first), for the thank-you list on /shop. */
export async function recentDonations(db: Db, limit = 30): Promise<Donation[]> {
  const rows = await db.all<Row>(sql`SELECT m.donor, m.thanks, m.change, m.created_at, i.name, i.shop_id FROM shop_stock_movements m
    JOIN shop_items i ON i.id = m.item_id JOIN shops s ON s.id = i.shop_id
    WHERE m.donor IS NOT NULL AND m.change > 0 AND s.active = 1 ORDER BY m.id DESC LIMIT ${limit}`);
  return rows.map((r) => ({
    shopId: Number(r.shop_id),
    donor: String(r.donor),
    thanks: r.thanks == null ? null : String(r.thanks),
    itemName: String(r.name),
    quantity: Number(r.change),
    createdAt: Number(r.created_at),
  }));
}
