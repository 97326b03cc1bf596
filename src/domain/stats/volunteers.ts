// Who counts as a 注册志愿者 in every public figure (home, /stats): an active account that is not a staff
// account (editor, reviewer, admin, 超市管理员). Every account carries the volunteer role, so the role alone would count the
// 文明办's own staff (issue 18, item 15). One definition, used by every count; the aggregate behind the public
// figures (stats_src_volunteer in db/sql/stats.sql) states it in SQL and is held to this one by
// tests/integration/stats-aggregates.test.ts.
import { sql, type SQL } from 'drizzle-orm';

/** Staff roles: their accounts run the portal and are not counted as volunteers. */
export const STAFF_ROLES = ['editor', 'reviewer', 'admin', 'shop_manager'] as const;

/** SQL predicate over the users row `u` (an alias): an active account counted as a registered volunteer. */
export function registeredVolunteerSql(u: string): SQL {
  const staff = sql.raw(STAFF_ROLES.map((r) => `'${r}'`).join(', '));
  return sql`(${sql.raw(u)}.status = 'active' AND NOT EXISTS (SELECT 1 FROM user_roles staff_role WHERE staff_role.user_id = ${sql.raw(u)}.id AND staff_role.role IN (${staff})))`;
}
