// The part of every 积分超市 redemption that does not depend on the kind of points (issue 21): draw a pickup
// code, take one from stock under the caller's guard, write the order named by that code, the caller's
// ledger statements, the audit row, and return the order's id — one guarded write (docs/architecture.md
// "Writes under contention"). Volunteer points (src/domain/points/shop.ts) and household points
// (src/domain/households/ledger.ts) differ only in the guard and the ledger they spend from.
import { randomInt } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, type Statement } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import type { AuditAction } from '../audit/actions.ts';
import { PointsError } from './errors.ts';

const DAY = 86_400_000;

/** A pickup code: 8 digits, easy to read out at the counter and to type on a phone's number pad. */
export function pickupCode(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0');
}

export interface PlaceOrder {
  userId: number;
  itemId: number;
  now: number;
  /** The guarded `UPDATE shop_items SET stock = stock - 1 WHERE …`: the whole invariant of this kind of points. */
  guard: SQL;
  /** What the order costs, in its own ledger, for the order named by `code` (after the order row exists). */
  spend: (code: string) => Statement[];
  action: AuditAction;
  /** Why nothing matched, worded for the person (read after the write). */
  problem: () => Promise<PointsError>;
}

/** Places the order; a code already taken by another order is drawn again (one in millions while few are open). */
export async function placeShopOrder(db: Db, o: PlaceOrder): Promise<{ code: string; orderId: number }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const code = pickupCode();
    const spend = o.spend(code);
    let written;
    try {
      written = await guardedWrite(db, o.guard, [
        sql`INSERT INTO shop_orders (code, user_id, item_id, shop_id, kind, price, status, expires_at, created_at)
          SELECT ${code}, ${o.userId}, i.id, i.shop_id, i.kind, i.price, 'reserved', ${o.now} + s.pickup_days * ${DAY}, ${o.now}
          FROM shop_items i JOIN shops s ON s.id = i.shop_id WHERE i.id = ${o.itemId}`,
        ...spend,
        auditStatement({
          actorId: o.userId,
          action: o.action,
          targetType: 'shop_order',
          targetId: sql`SELECT id FROM shop_orders WHERE code = ${code}`,
          after: { itemId: o.itemId, status: 'reserved' },
        }),
        sql`SELECT id FROM shop_orders WHERE code = ${code}`,
      ]);
    } catch (e) {
      const message = String((e as Error).message);
      if (message.includes('UNIQUE') && message.includes('shop_orders.code')) continue;
      if (message.includes('POINTS_OVERDRAWN')) throw await o.problem();
      throw e;
    }
    if (!written) throw await o.problem();
    // guard, order, the spend statements, audit, then the SELECT naming the order.
    return { code, orderId: Number(written[spend.length + 3]?.rows[0]?.id) };
  }
  throw new PointsError('CONFLICT', '兑换未成功，请稍后重试');
}
