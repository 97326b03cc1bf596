// 超市管理员 per shop (issue 21, docs/decisions/103): an administrator grants a person one or more shops on
// /console/users. The global role `shop_manager` is kept as the marker "runs at least one shop" (the console
// menu, the 12 h staff session) and follows the grants in the same write; what a manager may touch is
// always `managesShopSql` (src/domain/accounts/policy.ts).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { STAFF_TTL_MS } from '../accounts/sessions.ts';
import { PointsError } from './errors.ts';

/** A shop a person runs, for the users page. */
export interface ManagedShop {
  shopId: number;
  name: string;
  grantedAt: number;
}

function assertId(id: number, label: string, field?: string): void {
  if (!Number.isSafeInteger(id) || id <= 0) throw new PointsError('BAD_REQUEST', `请选择${label}`, field);
}

/** The shop's name for the audit line (the guard, not this read, decides). */
async function shopName(db: Db, shopId: number): Promise<string> {
  const [r] = await db.all<{ name: string }>(sql`SELECT name FROM shops WHERE id = ${shopId}`);
  if (!r) throw new PointsError('NOT_FOUND', '该积分超市不存在', 'shopId');
  return String(r.name);
}

/** The shops a person runs, by name. */
export async function shopsManagedBy(db: Db, userId: number): Promise<ManagedShop[]> {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT m.shop_id, s.name, m.granted_at FROM shop_managers m JOIN shops s ON s.id = m.shop_id
    WHERE m.user_id = ${userId} ORDER BY s.id`);
  return rows.map((r) => ({ shopId: Number(r.shop_id), name: String(r.name), grantedAt: Number(r.granted_at) }));
}

/** The managers of a shop (ids), for tests and the counter's hint. */
export async function shopManagerIds(db: Db, shopId: number): Promise<number[]> {
  const rows = await db.all<{ user_id: number }>(sql`SELECT user_id FROM shop_managers WHERE shop_id = ${shopId} ORDER BY user_id`);
  return rows.map((r) => Number(r.user_id));
}

/**
 * Makes `userId` a 超市管理员 of `shopId`: one guarded write — the grant only for an active account and an
 * open shop, then the marker role, the staff session length and the audit row. A second grant changes nothing.
 */
export async function grantShopManager(db: Db, input: { actorId: number; userId: number; shopId: number; ip?: string }, now = Date.now()): Promise<void> {
  assertId(input.userId, '用户');
  assertId(input.shopId, '积分超市', 'shopId');
  const name = await shopName(db, input.shopId);
  const written = await guardedWrite(
    db,
    sql`INSERT INTO shop_managers (shop_id, user_id, granted_by, granted_at)
      SELECT s.id, u.id, ${input.actorId}, ${now} FROM shops s JOIN users u ON u.id = ${input.userId}
      WHERE s.id = ${input.shopId} AND s.active = 1 AND u.status = 'active'
      ON CONFLICT (shop_id, user_id) DO NOTHING`,
    [
      sql`INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES (${input.userId}, 'shop_manager', ${input.actorId}, ${now})
        ON CONFLICT (user_id, role) DO NOTHING`,
      // A staff role: open sessions drop to the 12 h idle window at once (as grantRoleAsAdmin does).
      sql`UPDATE sessions SET ttl_ms = ${STAFF_TTL_MS}, expires_at = min(expires_at, ${now + STAFF_TTL_MS}) WHERE user_id = ${input.userId}`,
      auditStatement({
        actorId: input.actorId,
        action: 'points.manager.grant',
        targetType: 'user',
        targetId: input.userId,
        after: { shopId: input.shopId },
        detail: name,
        ip: input.ip,
      }),
    ],
  );
  if (written) return;
  const [r] = await db.all<Record<string, unknown>>(sql`SELECT
      (SELECT active FROM shops WHERE id = ${input.shopId}) AS shop_active,
      (SELECT status FROM users WHERE id = ${input.userId}) AS user_status,
      EXISTS (SELECT 1 FROM shop_managers WHERE shop_id = ${input.shopId} AND user_id = ${input.userId}) AS already`);
  if (Number(r?.already)) return;
  if (r?.user_status !== 'active') throw new PointsError('NOT_FOUND', '用户不存在、已停用或已注销');
  throw new PointsError('NOT_FOUND', '该积分超市不存在或已停用', 'shopId');
}

/** Takes one shop from a manager; the marker role goes with the last shop. Audited; nothing when not granted. */
export async function revokeShopManager(db: Db, input: { actorId: number; userId: number; shopId: number; ip?: string }): Promise<void> {
  assertId(input.userId, '用户');
  assertId(input.shopId, '积分超市', 'shopId');
  const name = await shopName(db, input.shopId);
  await guardedWrite(db, sql`DELETE FROM shop_managers WHERE shop_id = ${input.shopId} AND user_id = ${input.userId}`, [
    sql`DELETE FROM user_roles WHERE user_id = ${input.userId} AND role = 'shop_manager'
      AND NOT EXISTS (SELECT 1 FROM shop_managers WHERE user_id = ${input.userId})`,
    auditStatement({
      actorId: input.actorId,
      action: 'points.manager.revoke',
      targetType: 'user',
      targetId: input.userId,
      before: { shopId: input.shopId },
      detail: name,
      ip: input.ip,
    }),
  ]);
}
