// Who may see an order's private parts (issue 20 "privacy"): the resident's phone, address and photos
// reach only the staff handling the order and the leaders of the team that holds it (or the volunteer
// who claimed a 微心愿). One place to ask, so the /files route, the pages and the actions agree.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { can, isTeamLeader } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import type { ServiceOrder } from './index.ts';

type OrderScope = Pick<ServiceOrder, 'id' | 'townId' | 'teamId' | 'claimedByUser'>;

/**
 * Whether a staff member may handle this order. Today every 'orders.handle' holder handles every order,
 * as the county 中心 does; a 乡镇 (所) scope narrows it here, and every caller follows.
 */
export async function mayHandleOrder(_db: Db, user: SessionUser | null | undefined, _order: Pick<ServiceOrder, 'townId'>): Promise<boolean> {
  return Boolean(user && user.status === 'active' && can(user, 'orders.handle'));
}

/** Whether the user may see the order's private parts: handling staff, the holding team's leaders, the 微心愿 volunteer. */
export async function maySeeOrderPrivate(db: Db, user: SessionUser | null | undefined, order: OrderScope): Promise<boolean> {
  if (!user || user.status !== 'active') return false;
  if (await mayHandleOrder(db, user, order)) return true;
  if (order.claimedByUser != null && order.claimedByUser === user.id) return true;
  return order.teamId != null && (await isTeamLeader(db, user, order.teamId));
}

/** Whether the user may see a private file that belongs to an order (its own photos or a progress note's). */
export async function mayViewOrderFile(db: Db, user: SessionUser | null | undefined, fileId: number): Promise<boolean> {
  if (!user) return false;
  const [o] = await db.all<{ id: number; town_id: number; team_id: number | null; claimed_by_user: number | null }>(
    sql`SELECT o.id, o.town_id, o.team_id, o.claimed_by_user FROM service_order_files f JOIN service_orders o ON o.id = f.order_id WHERE f.file_id = ${fileId}`,
  );
  if (!o) return false;
  return maySeeOrderPrivate(db, user, {
    id: Number(o.id),
    townId: Number(o.town_id),
    teamId: o.team_id == null ? null : Number(o.team_id),
    claimedByUser: o.claimed_by_user == null ? null : Number(o.claimed_by_user),
  });
}
