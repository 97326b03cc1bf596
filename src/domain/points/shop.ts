// The 积分超市 (issue 21): a catalogue, redemptions that never oversell or overdraw, pickup codes used once,
// and orders not collected in time returned. Every contended write is one guarded write (docs/architecture.md
// "Writes under contention"); the ledger's triggers (db/sql/points.sql) keep the balance and refuse an overdraw.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import type { AuditAction } from '../audit/actions.ts';
import { fromShanghai, shanghaiDay, formatDateTime } from '../../lib/time.ts';
import { maskName } from '../../lib/pii.ts';
import { managesShopSql } from '../accounts/policy.ts';
import { imageUrls } from '../media/index.ts';
import { PointsError } from './errors.ts';
import { placeShopOrder } from './place-order.ts';
import { POINTS_KIND_LABELS, type PointsKind } from './ledger.ts';
import { ownHouseholdOrderSql, redeemWithHouseholdPoints } from '../households/ledger.ts';
import { repeatEvery } from '../../lib/repeat.ts';

type Row = Record<string, unknown>;

/** An item as the catalogue shows it. */
export interface ShopItem {
  id: number;
  shopId: number;
  shopName: string;
  name: string;
  description: string;
  kind: PointsKind;
  kindLabel: string;
  price: number;
  stock: number;
  monthlyLimit: number;
  donor: string | null;
  /** The item's picture (a library image, resized; served while the item is on an open shop's shelf). */
  photo: { src: string; srcset: string; alt: string } | null;
}

/** A shop with its active items. */
export interface Shop {
  id: number;
  name: string;
  level: string;
  address: string;
  openHours: string;
  pickupDays: number;
  items: ShopItem[];
}

/** Chinese names of shop levels. */
export const SHOP_LEVEL_LABELS: Record<string, string> = { county: '县级', town: '乡镇', village: '村（社区）' };

/** Chinese names of order statuses. */
export const ORDER_STATUS_LABELS: Record<string, string> = { reserved: '待领取', collected: '已领取', cancelled: '已取消', expired: '超期未领，已退回' };

function toItem(r: Row): ShopItem {
  const kind = String(r.kind) as PointsKind;
  return {
    id: Number(r.id),
    shopId: Number(r.shop_id),
    shopName: String(r.shop_name),
    name: String(r.name),
    description: String(r.description),
    kind,
    kindLabel: POINTS_KIND_LABELS[kind] ?? kind,
    price: Number(r.price),
    stock: Number(r.stock),
    monthlyLimit: Number(r.monthly_limit),
    donor: r.donor == null ? null : String(r.donor),
    photo:
      r.photo_key == null
        ? null
        : {
            ...imageUrls({ fileKey: String(r.photo_key), mime: String(r.photo_mime), variants: String(r.photo_variants), width: null, height: null }),
            alt: String(r.photo_alt ?? ''),
          },
  };
}

/** Every open shop with its active items (the public /shop page and /me/points). */
export async function listShops(db: Db): Promise<Shop[]> {
  const shopRows = await db.all<Row>(sql`SELECT id, name, level, address, open_hours, pickup_days FROM shops WHERE active = 1 ORDER BY id LIMIT 50`);
  const itemRows = await db.all<Row>(sql`SELECT i.*, s.name AS shop_name, m.file_key AS photo_key, m.mime AS photo_mime, m.variants AS photo_variants, m.alt AS photo_alt
    FROM shop_items i JOIN shops s ON s.id = i.shop_id LEFT JOIN media m ON m.id = i.photo_media_id AND m.kind = 'image'
    WHERE i.active = 1 AND s.active = 1 ORDER BY i.shop_id, i.price, i.id LIMIT 500`);
  const items = itemRows.map(toItem);
  return shopRows.map((s) => ({
    id: Number(s.id),
    name: String(s.name),
    level: String(s.level),
    address: String(s.address),
    openHours: String(s.open_hours),
    pickupDays: Number(s.pickup_days),
    items: items.filter((i) => i.shopId === Number(s.id)),
  }));
}

/** The first instant of the Beijing calendar month that holds `now`: monthly limits count from here. */
export function monthStart(now: number): number {
  return fromShanghai(`${shanghaiDay(now).slice(0, 7)}-01`);
}

function assertId(id: number, label: string): void {
  if (!Number.isSafeInteger(id) || id <= 0) throw new PointsError('BAD_REQUEST', `请选择${label}`);
}

/** Why a redemption matched nothing: read after the write, to word the refusal (never the guard itself). */
async function redeemProblem(db: Db, userId: number, itemId: number, now: number): Promise<PointsError> {
  const [item] = await db.all<Row>(sql`SELECT i.name, i.kind, i.price, i.stock, i.monthly_limit, i.active, s.active AS shop_active,
      coalesce((SELECT balance FROM points_balances b WHERE b.user_id = ${userId} AND b.kind = i.kind), 0) AS balance,
      (SELECT count(*) FROM shop_orders o WHERE o.item_id = i.id AND o.user_id = ${userId} AND o.status IN ('reserved', 'collected') AND o.created_at >= ${monthStart(now)}) AS this_month
    FROM shop_items i JOIN shops s ON s.id = i.shop_id WHERE i.id = ${itemId}`);
  if (!item || !Number(item.active) || !Number(item.shop_active)) return new PointsError('NOT_FOUND', '该物品已下架或不存在');
  if (Number(item.stock) <= 0) return new PointsError('CONFLICT', `“${String(item.name)}”已兑完，请选择其他物品`);
  const label = POINTS_KIND_LABELS[String(item.kind) as PointsKind] ?? '积分';
  if (Number(item.balance) < Number(item.price)) {
    return new PointsError('CONFLICT', `${label}不足：兑换“${String(item.name)}”需 ${Number(item.price)} 分，您现有 ${Math.max(0, Number(item.balance))} 分`);
  }
  const limit = Number(item.monthly_limit);
  if (limit > 0 && Number(item.this_month) >= limit) return new PointsError('CONFLICT', `“${String(item.name)}”每人每月限兑 ${limit} 件，您本月已兑 ${Number(item.this_month)} 件`);
  return new PointsError('CONFLICT', '兑换未成功，请刷新后重试');
}

/**
 * Redeems one item: ONE guarded write. The guard takes one from stock only while stock is left, the item and
 * its shop are open, the person's balance of the item's kind covers the price and the monthly limit is not
 * reached; the order, the negative ledger entry and the audit row follow in the same batch. 200 people racing
 * for the last 10 get exactly 10 orders; a balance never goes below zero (points_no_overdraw is the last line).
 */
export async function redeem(db: Db, input: { userId: number; itemId: number }, now = Date.now()): Promise<{ code: string; orderId: number }> {
  assertId(input.itemId, '要兑换的物品');
  const { userId, itemId } = input;
  // Household 文明积分 are spent from the household's own ledger (src/domain/households/ledger.ts): kinds never mix.
  const [target] = await db.all<{ kind: string }>(sql`SELECT kind FROM shop_items WHERE id = ${itemId}`);
  if (target?.kind === 'household') return redeemWithHouseholdPoints(db, input, now);
  return placeShopOrder(db, {
    userId,
    itemId,
    now,
    guard: sql`UPDATE shop_items SET stock = stock - 1
        WHERE id = ${itemId} AND active = 1 AND stock > 0
          AND (SELECT s.active FROM shops s WHERE s.id = shop_items.shop_id) = 1
          AND coalesce((SELECT b.balance FROM points_balances b WHERE b.user_id = ${userId} AND b.kind = shop_items.kind), 0) >= shop_items.price
          AND (shop_items.monthly_limit = 0 OR (SELECT count(*) FROM shop_orders o WHERE o.item_id = shop_items.id AND o.user_id = ${userId}
            AND o.status IN ('reserved', 'collected') AND o.created_at >= ${monthStart(now)}) < shop_items.monthly_limit)`,
    spend: (code) => [
      sql`INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
        SELECT o.user_id, o.kind, -o.price, '兑换：' || i.name, 'shop_order', o.id, ${now}
        FROM shop_orders o JOIN shop_items i ON i.id = o.item_id WHERE o.code = ${code}`,
    ],
    action: 'points.redeem',
    problem: () => redeemProblem(db, userId, itemId, now),
  });
}

/** The audit code of each way an order is closed without a handover. */
const CLOSE_AUDIT: Record<'cancelled' | 'expired', AuditAction> = { cancelled: 'points.cancel', expired: 'points.expire' };

/**
 * Closes a reserved order without handing it over — cancelled by its owner or expired — and returns the
 * points and the stock, in one guarded write: only an order still reserved is closed, so a code handed
 * over at the same moment is never refunded as well.
 */
async function closeOrder(db: Db, orderId: number, to: 'cancelled' | 'expired', condition: ReturnType<typeof sql>, actorId: number | null, now: number): Promise<boolean> {
  const reason = to === 'cancelled' ? '取消兑换，退回积分：' : '超期未领取，退回积分：';
  const written = await guardedWrite(db, sql`UPDATE shop_orders SET status = ${to}, closed_at = ${now} WHERE id = ${orderId} AND status = 'reserved' AND ${condition}`, [
    sql`UPDATE shop_items SET stock = stock + 1 WHERE id = (SELECT item_id FROM shop_orders WHERE id = ${orderId})`,
    sql`INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
      SELECT o.user_id, o.kind, o.price, ${reason} || i.name, 'shop_order', o.id, ${now}
      FROM shop_orders o JOIN shop_items i ON i.id = o.item_id WHERE o.id = ${orderId} AND o.kind <> 'household'`,
    auditStatement({ actorId, action: CLOSE_AUDIT[to], targetType: 'shop_order', targetId: orderId, before: { status: 'reserved' }, after: { status: to } }),
  ]);
  return written !== null;
}

/** The owner cancels a reserved order: the points and the item go back. */
export async function cancelOrder(db: Db, input: { userId: number; orderId: number }, now = Date.now()): Promise<void> {
  assertId(input.orderId, '兑换单');
  const ok = await closeOrder(db, input.orderId, 'cancelled', sql`user_id = ${input.userId}`, input.userId, now);
  if (ok) return;
  // Another person's order is "not found": its existence is not confirmed to a stranger.
  const [o] = await db.all<Row>(sql`SELECT status FROM shop_orders WHERE id = ${input.orderId} AND user_id = ${input.userId}`);
  if (!o) throw new PointsError('NOT_FOUND', '兑换单不存在');
  throw new PointsError('CONFLICT', `该兑换单${ORDER_STATUS_LABELS[String(o.status)] ?? '已关闭'}，不能取消`);
}

/** Cancels every reserved order past its pickup deadline (the timer in scripts/start.mjs); returns how many. */
export async function expireOrders(db: Db, now = Date.now()): Promise<number> {
  const due = await db.all<Row>(sql`SELECT id FROM shop_orders WHERE status = 'reserved' AND expires_at <= ${now} ORDER BY expires_at LIMIT 200`);
  let n = 0;
  for (const r of due) if (await closeOrder(db, Number(r.id), 'expired', sql`expires_at <= ${now}`, null, now)) n++;
  return n;
}

/** Runs `expireOrders` every `everyMs` (each order is claimed by one guarded UPDATE: safe with several processes). */
export function startOrderExpiryTimer(getDb: () => Promise<Db>, everyMs = 10 * 60_000): () => void {
  return repeatEvery(['积分兑换单超期处理', 'order expiry'], everyMs, async () => expireOrders(await getDb()));
}

/** What the counter sees after a handover. */
export interface HandedOver {
  orderId: number;
  itemName: string;
  shopName: string;
  personName: string;
  price: number;
}

/**
 * The 超市管理员 hands the goods over against a pickup code: one guarded UPDATE, so a code is used once
 * however many counters enter it at once; only at a shop the actor runs (`managesShopSql` in the same WHERE);
 * never the manager's own order — one redeemed at their own shop is handed over by another manager of it or
 * an administrator (docs/decisions/103) — never an expired one.
 */
export async function handOver(db: Db, input: { actorId: number; code: string }, now = Date.now()): Promise<HandedOver> {
  const code = input.code.replace(/\s+/g, '');
  if (!/^\d{8}$/.test(code)) throw new PointsError('BAD_REQUEST', '取货码是 8 位数字', 'code');
  const written = await guardedWrite(
    db,
    sql`UPDATE shop_orders SET status = 'collected', collected_at = ${now}, collected_by = ${input.actorId}
      WHERE code = ${code} AND status = 'reserved' AND expires_at > ${now} AND user_id <> ${input.actorId} AND NOT ${ownHouseholdOrderSql(sql`shop_orders.id`, input.actorId)}
        AND ${managesShopSql(sql.raw('shop_orders.shop_id'), input.actorId)}`,
    [
      auditStatement({
        actorId: input.actorId,
        action: 'points.handover',
        targetType: 'shop_order',
        targetId: sql`SELECT id FROM shop_orders WHERE code = ${code}`,
        before: { status: 'reserved' },
        after: { status: 'collected' },
      }),
      sql`INSERT INTO notices (user_id, kind, title, body, link, created_at)
        SELECT o.user_id, 'points.collected', '积分兑换物品已领取', '您兑换的“' || i.name || '”已在' || s.name || '领取。', '/me/points', ${now}
        FROM shop_orders o JOIN shop_items i ON i.id = o.item_id JOIN shops s ON s.id = o.shop_id WHERE o.code = ${code}`,
    ],
  );
  const [o] = await db.all<Row>(sql`SELECT o.id, o.user_id, o.status, o.price, o.expires_at, o.collected_at, o.collected_by, i.name AS item_name, s.name AS shop_name, u.real_name AS person,
      ${managesShopSql(sql.raw('o.shop_id'), input.actorId)} AS manages
    FROM shop_orders o JOIN shop_items i ON i.id = o.item_id JOIN shops s ON s.id = o.shop_id JOIN users u ON u.id = o.user_id WHERE o.code = ${code}`);
  if (!o) throw new PointsError('NOT_FOUND', '没有这个取货码，请核对后重新输入', 'code');
  if (written) return { orderId: Number(o.id), itemName: String(o.item_name), shopName: String(o.shop_name), personName: maskName(String(o.person ?? '')), price: Number(o.price) };
  if (Number(o.user_id) === input.actorId) throw new PointsError('FORBIDDEN', '这是您本人的兑换单，不能由本人发放；请由本超市其他管理员或县文明实践中心工作人员办理', 'code');
  const [own] = await db.all<{ own: number }>(sql`SELECT ${ownHouseholdOrderSql(Number(o.id), input.actorId)} AS own`);
  if (Number(own?.own)) throw new PointsError('FORBIDDEN', '这是您本户以户积分兑换的物品，不能由本人发放；请由本超市其他管理员或县文明实践中心工作人员办理', 'code');
  if (!Number(o.manages)) throw new PointsError('FORBIDDEN', `该兑换单应到“${String(o.shop_name)}”领取，您不是该积分超市的管理员`, 'code');
  if (o.status === 'collected') throw new PointsError('CONFLICT', `该取货码已于 ${formatDateTime(Number(o.collected_at))} 使用，物品已领取`, 'code');
  if (o.status === 'reserved' && Number(o.expires_at) <= now) throw new PointsError('CONFLICT', '该兑换单已超过领取期限，积分将退回，不能再发放', 'code');
  throw new PointsError('CONFLICT', `该兑换单${ORDER_STATUS_LABELS[String(o.status)] ?? '已关闭'}，不能发放`, 'code');
}

/** One order as its owner or the counter sees it. */
export interface ShopOrder {
  id: number;
  code: string;
  itemName: string;
  shopId: number;
  shopName: string;
  price: number;
  status: string;
  statusLabel: string;
  createdAt: number;
  expiresAt: number;
  collectedAt: number | null;
  personName?: string;
}

function toOrder(r: Row): ShopOrder {
  return {
    id: Number(r.id),
    code: String(r.code),
    itemName: String(r.item_name),
    shopId: Number(r.shop_id),
    shopName: String(r.shop_name),
    price: Number(r.price),
    status: String(r.status),
    statusLabel: ORDER_STATUS_LABELS[String(r.status)] ?? String(r.status),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    collectedAt: r.collected_at == null ? null : Number(r.collected_at),
  };
}

/** A person's orders, newest first (codes shown only to the owner). */
export async function myOrders(db: Db, userId: number, limit = 50): Promise<ShopOrder[]> {
  const rows = await db.all<Row>(sql`SELECT o.*, i.name AS item_name, s.name AS shop_name FROM shop_orders o
    JOIN shop_items i ON i.id = o.item_id JOIN shops s ON s.id = o.shop_id WHERE o.user_id = ${userId} ORDER BY o.id DESC LIMIT ${limit}`);
  return rows.map(toOrder);
}

/** SQL: `o.shop_id` is one of `shopIds` (null: every shop, an administrator's view). */
export function inShops(column: string, shopIds: number[] | null) {
  if (shopIds === null) return sql`1`;
  return shopIds.length
    ? sql`${sql.raw(column)} IN (${sql.join(
        shopIds.map((id) => sql`${id}`),
        sql`, `,
      )})`
    : sql`0`;
}

/** The counter's recent handovers at the shops it runs, newest first: names masked, codes hidden (a code is the owner's). */
export async function recentHandovers(db: Db, shopIds: number[] | null, limit = 30): Promise<ShopOrder[]> {
  const rows = await db.all<Row>(sql`SELECT o.*, i.name AS item_name, s.name AS shop_name, u.real_name AS person FROM shop_orders o
    JOIN shop_items i ON i.id = o.item_id JOIN shops s ON s.id = o.shop_id JOIN users u ON u.id = o.user_id
    WHERE o.status = 'collected' AND ${inShops('o.shop_id', shopIds)} ORDER BY o.collected_at DESC LIMIT ${limit}`);
  return rows.map((r) => ({ ...toOrder(r), code: '', personName: maskName(String(r.person ?? '')) }));
}

/** One handed-over order for the counter's confirmation line, or null (names masked). */
export async function handedOrder(db: Db, orderId: number, shopIds: number[] | null): Promise<ShopOrder | null> {
  if (!Number.isSafeInteger(orderId) || orderId <= 0) return null;
  const [r] = await db.all<Row>(sql`SELECT o.*, i.name AS item_name, s.name AS shop_name, u.real_name AS person FROM shop_orders o
    JOIN shop_items i ON i.id = o.item_id JOIN shops s ON s.id = o.shop_id JOIN users u ON u.id = o.user_id
    WHERE o.id = ${orderId} AND o.status = 'collected' AND ${inShops('o.shop_id', shopIds)}`);
  return r ? { ...toOrder(r), code: '', personName: maskName(String(r.person ?? '')) } : null;
}
