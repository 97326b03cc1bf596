// Keeping a 积分超市's catalogue (issue 21): the 超市管理员 puts an item on the shelf and records stock
// coming in (a purchase or a donation, thanked by name) or going out (a stock-take). Each change and its
// audit row are one guarded write; stock never goes below zero.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { PointsError } from './errors.ts';

/** What a new item needs (validated by the Action's schema; checked again here for other callers). */
export interface NewItem {
  shopId: number;
  name: string;
  description: string;
  price: number;
  stock: number;
  monthlyLimit: number;
  donor?: string;
}

function whole(n: number, min: number, max: number, field: string, label: string): void {
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new PointsError('BAD_REQUEST', `${label}应为 ${min}–${max} 的整数`, field);
}

/** Every shop (open or not) for the manager's forms. */
export async function shopChoices(db: Db): Promise<{ id: number; name: string }[]> {
  const rows = await db.all<{ id: number; name: string }>(sql`SELECT id, name FROM shops WHERE active = 1 ORDER BY id LIMIT 100`);
  return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
}

/** Puts an item on a shop's shelf (only an open shop), audited in the same write. */
export async function addItem(db: Db, actorId: number, item: NewItem, now = Date.now()): Promise<void> {
  whole(item.shopId, 1, Number.MAX_SAFE_INTEGER, 'shopId', '积分超市');
  whole(item.price, 1, 100_000, 'price', '所需积分');
  whole(item.stock, 0, 100_000, 'stock', '库存');
  whole(item.monthlyLimit, 0, 100, 'monthlyLimit', '每人每月限兑');
  const donor = item.donor?.trim() || null;
  const written = await guardedWrite(
    db,
    sql`INSERT INTO shop_items (shop_id, name, description, kind, price, stock, monthly_limit, donor, created_at)
      SELECT id, ${item.name}, ${item.description}, 'volunteer', ${item.price}, ${item.stock}, ${item.monthlyLimit}, ${donor}, ${now} FROM shops WHERE id = ${item.shopId} AND active = 1`,
    [
      auditStatement({
        actorId,
        action: 'points.item.add',
        targetType: 'shop',
        targetId: item.shopId,
        after: { name: item.name, price: item.price, stock: item.stock, monthlyLimit: item.monthlyLimit, donor },
      }),
    ],
  );
  if (!written) throw new PointsError('NOT_FOUND', '该积分超市不存在或已停用', 'shopId');
}

/**
 * Changes an item's stock by `change` (+ goods in, − a stock-take), never below zero; a donation names the
 * donor, who is then thanked on the item. One guarded UPDATE with its audit row.
 */
export async function changeStock(db: Db, actorId: number, input: { itemId: number; change: number; donor?: string; note?: string }): Promise<void> {
  whole(input.itemId, 1, Number.MAX_SAFE_INTEGER, 'itemId', '物品');
  whole(input.change, -100_000, 100_000, 'change', '数量');
  if (input.change === 0) throw new PointsError('BAD_REQUEST', '数量不能为 0：入库填正数，盘亏出库填负数', 'change');
  const donor = input.donor?.trim() || null;
  if (donor && input.change < 0) throw new PointsError('BAD_REQUEST', '捐赠只能是入库（正数）', 'change');
  const written = await guardedWrite(
    db,
    sql`UPDATE shop_items SET stock = stock + ${input.change}, donor = coalesce(${donor}, donor)
      WHERE id = ${input.itemId} AND stock + ${input.change} >= 0`,
    [
      auditStatement({
        actorId,
        action: 'points.stock',
        targetType: 'shop_item',
        targetId: input.itemId,
        after: { change: input.change, donor, note: input.note?.trim() || undefined },
      }),
    ],
  );
  if (written) return;
  const [row] = await db.all<{ stock: number }>(sql`SELECT stock FROM shop_items WHERE id = ${input.itemId}`);
  if (!row) throw new PointsError('NOT_FOUND', '物品不存在', 'itemId');
  throw new PointsError('CONFLICT', `库存只有 ${Number(row.stock)} 件，出库后不能少于 0`, 'change');
}

/** Every item with its stock for the manager, lowest stock first within each shop. */
export async function stockList(db: Db): Promise<{ id: number; shopName: string; name: string; price: number; stock: number; active: boolean }[]> {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT i.id, s.name AS shop_name, i.name, i.price, i.stock, i.active FROM shop_items i
    JOIN shops s ON s.id = i.shop_id ORDER BY s.id, i.stock, i.id LIMIT 500`);
  return rows.map((r) => ({ id: Number(r.id), shopName: String(r.shop_name), name: String(r.name), price: Number(r.price), stock: Number(r.stock), active: Number(r.active) === 1 }));
}
