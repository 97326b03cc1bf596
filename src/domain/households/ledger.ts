// Reading and spending a household's 文明积分 (issue 21, docs/decisions/102): the balance the database keeps
// (db/sql/households.sql), the card with its base score, and a redemption at a 积分超市 against the household's
// balance — one guarded write with the same exactness as a volunteer's (src/domain/points/shop.ts).
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { PointsError } from '../points/errors.ts';
import { placeShopOrder } from '../points/place-order.ts';
import { fromShanghai, shanghaiDay } from '../../lib/time.ts';

type Row = Record<string, unknown>;

/** SQL predicate: order `orderId` was paid with the points of a household that `userId` belongs to (never handed over by them). */
export function ownHouseholdOrderSql(orderId: number | SQL, userId: number): SQL {
  return sql`EXISTS (SELECT 1 FROM household_shop_orders own_ho JOIN household_members own_m ON own_m.household_id = own_ho.household_id
    WHERE own_ho.order_id = ${orderId} AND own_m.user_id = ${userId})`;
}

/** One line of a household's ledger. */
export interface HouseholdPointsLine {
  id: number;
  amount: number;
  reason: string;
  createdAt: number;
}

/** A household's card: spendable balance (the ledger's sum), the village's base score, and the score shown. */
export interface HouseholdCard {
  balance: number;
  baseScore: number;
  score: number;
  lines: HouseholdPointsLine[];
}

/** A household's spendable balance (0 before anything was posted). */
export async function householdBalance(db: Db, householdId: number): Promise<number> {
  const [r] = await db.all<{ balance: number }>(sql`SELECT balance FROM household_points_balances WHERE household_id = ${householdId}`);
  return Number(r?.balance ?? 0);
}

/** A household's card with its ledger, newest first. */
export async function householdCard(db: Db, householdId: number, limit = 200): Promise<HouseholdCard> {
  const [[s], rows, balance] = await Promise.all([
    db.all<{ base_score: number }>(
      sql`SELECT coalesce(s.base_score, 0) AS base_score FROM households h LEFT JOIN village_points_settings s ON s.village_id = h.village_id WHERE h.id = ${householdId}`,
    ),
    db.all<Row>(sql`SELECT id, amount, reason, created_at FROM household_points_entries WHERE household_id = ${householdId} ORDER BY id DESC LIMIT ${limit}`),
    householdBalance(db, householdId),
  ]);
  const baseScore = Number(s?.base_score ?? 0);
  return { balance, baseScore, score: baseScore + balance, lines: rows.map((r) => ({ id: Number(r.id), amount: Number(r.amount), reason: String(r.reason), createdAt: Number(r.created_at) })) };
}

function monthStart(now: number): number {
  return fromShanghai(`${shanghaiDay(now).slice(0, 7)}-01`);
}

/** Why a household redemption matched nothing: read after the write, to word the refusal. */
async function redeemProblem(db: Db, userId: number, itemId: number, now: number): Promise<PointsError> {
  const [i] = await db.all<Row>(sql`SELECT i.name, i.kind, i.price, i.stock, i.monthly_limit, i.active, s.active AS shop_active,
      (SELECT household_id FROM household_members WHERE user_id = ${userId}) AS household_id
    FROM shop_items i JOIN shops s ON s.id = i.shop_id WHERE i.id = ${itemId}`);
  if (!i || !Number(i.active) || !Number(i.shop_active)) return new PointsError('NOT_FOUND', '该物品已下架或不存在');
  if (i.household_id == null) return new PointsError('FORBIDDEN', '您的账户尚未登记在任何农户中，不能使用户积分；请联系村（社区）积分管理员');
  if (Number(i.stock) <= 0) return new PointsError('CONFLICT', `“${String(i.name)}”已兑完，请选择其他物品`);
  const hid = Number(i.household_id);
  const balance = await householdBalance(db, hid);
  if (balance < Number(i.price)) return new PointsError('CONFLICT', `户积分不足：兑换“${String(i.name)}”需 ${Number(i.price)} 分，本户可用 ${Math.max(0, balance)} 分（基础分不能兑换）`);
  const [c] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM household_shop_orders ho JOIN shop_orders o ON o.id = ho.order_id
    WHERE ho.household_id = ${hid} AND ho.item_id = ${itemId} AND o.status IN ('reserved', 'collected') AND ho.created_at >= ${monthStart(now)}`);
  const limit = Number(i.monthly_limit);
  if (limit > 0 && Number(c?.n) >= limit) return new PointsError('CONFLICT', `“${String(i.name)}”每户每月限兑 ${limit} 件，本户本月已兑 ${Number(c?.n)} 件`);
  return new PointsError('CONFLICT', '兑换未成功，请刷新后重试');
}

/**
 * A household member with an account redeems an item that accepts household points: ONE guarded write. The
 * guard takes one from stock only while stock is left, the item and shop are open, the household's balance
 * covers the price and the household's monthly limit is not reached; the order (named by its pickup code),
 * the household link, the negative ledger entry and the audit row follow in the same batch.
 * household_points_no_overdraw is the last line. Pickup and expiry go through the shop's own paths; a
 * cancelled or expired household order is refunded to the household by a trigger.
 */
export async function redeemWithHouseholdPoints(db: Db, input: { userId: number; itemId: number }, now = Date.now()): Promise<{ code: string; orderId: number }> {
  const { userId, itemId } = input;
  if (!Number.isSafeInteger(itemId) || itemId <= 0) throw new PointsError('BAD_REQUEST', '请选择要兑换的物品');
  const household = sql`(SELECT hm.household_id FROM household_members hm WHERE hm.user_id = ${userId})`;
  return placeShopOrder(db, {
    userId,
    itemId,
    now,
    guard: sql`UPDATE shop_items SET stock = stock - 1
        WHERE id = ${itemId} AND kind = 'household' AND active = 1 AND stock > 0
          AND (SELECT s.active FROM shops s WHERE s.id = shop_items.shop_id) = 1
          AND ${household} IS NOT NULL
          AND coalesce((SELECT b.balance FROM household_points_balances b WHERE b.household_id = ${household}), 0) >= shop_items.price
          AND (shop_items.monthly_limit = 0 OR (SELECT count(*) FROM household_shop_orders ho JOIN shop_orders o ON o.id = ho.order_id
            WHERE ho.household_id = ${household} AND ho.item_id = shop_items.id AND o.status IN ('reserved', 'collected') AND ho.created_at >= ${monthStart(now)}) < shop_items.monthly_limit)`,
    spend: (code) => [
      sql`INSERT INTO household_shop_orders (order_id, household_id, item_id, created_at) SELECT id, ${household}, item_id, ${now} FROM shop_orders WHERE code = ${code}`,
      sql`INSERT INTO household_points_entries (household_id, amount, reason, source_type, source_id, created_at)
        SELECT ho.household_id, -o.price, '兑换：' || i.name, 'shop_order', o.id, ${now}
        FROM shop_orders o JOIN household_shop_orders ho ON ho.order_id = o.id JOIN shop_items i ON i.id = o.item_id WHERE o.code = ${code}`,
    ],
    action: 'household.redeem',
    problem: () => redeemProblem(db, userId, itemId, now),
  });
}

/** An order paid with household points, as the household's members see it. */
export interface HouseholdOrder {
  id: number;
  itemName: string;
  shopName: string;
  price: number;
  status: string;
  /** The pickup code, only for the member who redeemed (a code is its owner's). */
  code: string | null;
  mine: boolean;
  personName: string;
  expiresAt: number;
  createdAt: number;
}

/** A household's orders, newest first; codes only on the viewer's own. */
export async function householdOrders(db: Db, householdId: number, viewerId: number, limit = 50): Promise<HouseholdOrder[]> {
  const rows = await db.all<Row>(sql`SELECT o.id, o.code, o.user_id, o.price, o.status, o.expires_at, o.created_at, i.name AS item_name, s.name AS shop_name, u.real_name
    FROM household_shop_orders ho JOIN shop_orders o ON o.id = ho.order_id JOIN shop_items i ON i.id = o.item_id JOIN shops s ON s.id = o.shop_id JOIN users u ON u.id = o.user_id
    WHERE ho.household_id = ${householdId} ORDER BY o.id DESC LIMIT ${limit}`);
  return rows.map((r) => {
    const mine = Number(r.user_id) === viewerId;
    return {
      id: Number(r.id),
      itemName: String(r.item_name),
      shopName: String(r.shop_name),
      price: Number(r.price),
      status: String(r.status),
      code: mine ? String(r.code) : null,
      mine,
      personName: String(r.real_name),
      expiresAt: Number(r.expires_at),
      createdAt: Number(r.created_at),
    };
  });
}
