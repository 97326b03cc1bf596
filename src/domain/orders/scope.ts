// Which service orders a staff member may handle (issue 20 审单, docs/decisions/100): a 所 staff member
// (an order-handling role granted with a 乡镇) the orders of that 乡镇, the county 中心 (granted with no
// 乡镇) all of them. One SQL predicate, embedded in every guarded UPDATE and every staff read.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { can, rolesFor } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';

/** The roles that carry an order scope: those holding 'orders.handle'. */
export const ORDER_ROLES: readonly string[] = rolesFor('orders.handle');

const roleList = () =>
  sql.join(
    ORDER_ROLES.map((r) => sql`${r}`),
    sql`, `,
  );

/**
 * SQL predicate: user `userId` (active) holds an order-handling role whose scope covers the 乡镇 `townId`
 * (a value, or a column such as `sql.raw('service_orders.town_id')`). THE definition of "may handle".
 */
export function mayHandleOrderSql(userId: number, townId: number | SQL): SQL {
  return sql`EXISTS (SELECT 1 FROM user_roles scope_row JOIN users scope_user ON scope_user.id = scope_row.user_id
    WHERE scope_row.user_id = ${userId} AND scope_user.status = 'active' AND scope_row.role IN (${roleList()})
      AND (scope_row.town_id IS NULL OR scope_row.town_id = ${townId}))`;
}

/** The predicate for a statement on `service_orders` (its own row's 乡镇). */
export const mayHandleThisOrderSql = (userId: number): SQL => mayHandleOrderSql(userId, sql.raw('service_orders.town_id'));

/** A staff member's order scope: `{ townId: null }` for the 中心 (all 乡镇), a 乡镇 id for 所 staff, null for no order role. */
export async function orderScope(db: Db, user: SessionUser | null | undefined): Promise<{ townId: number | null } | null> {
  if (!user || !can(user, 'orders.handle')) return null;
  const rows = await db.all<{ town_id: number | null }>(
    sql`SELECT r.town_id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.user_id = ${user.id} AND u.status = 'active' AND r.role IN (${roleList()})`,
  );
  if (!rows.length) return null;
  // Any unscoped grant makes the holder 中心 staff; several scoped grants cannot happen (one row per role).
  if (rows.some((r) => r.town_id == null)) return { townId: null };
  return { townId: Number(rows[0].town_id) };
}

/** Whether the user may see and handle this order (its 乡镇 within their scope). */
export async function mayHandleOrder(db: Db, user: SessionUser | null | undefined, order: { townId: number }): Promise<boolean> {
  if (!user || !can(user, 'orders.handle')) return false;
  const [r] = await db.all<{ ok: number }>(sql`SELECT ${mayHandleOrderSql(user.id, order.townId)} AS ok`);
  return Boolean(Number(r?.ok));
}

/** SQL: the ids of active users who handle orders of the 乡镇 `townId` as its 所 staff (scoped to it). */
export function townOrderStaffSql(townId: number | SQL): SQL {
  return sql`SELECT DISTINCT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.status = 'active' AND r.role IN (${roleList()}) AND r.town_id = ${townId}`;
}

/** SQL: the ids of active 中心 order staff (an order role with no 乡镇). */
export function centreOrderStaffSql(): SQL {
  return sql`SELECT DISTINCT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.status = 'active' AND r.role IN (${roleList()}) AND r.town_id IS NULL`;
}
