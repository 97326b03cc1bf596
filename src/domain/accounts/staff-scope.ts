// The 乡镇 a staff member's order role is limited to (issue 20 审单, docs/decisions/100): granted with the
// role on /console/users/<id> and changed there, each change audited. Null is the county 中心 (all 乡镇).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { ORDER_ROLES } from '../orders/scope.ts';
import { ROLE_LABELS, type Role } from './policy.ts';
import { AccountError } from './errors.ts';

/** Whether a role carries a 乡镇 scope (the roles that handle service orders). */
export function roleTakesTownScope(role: string): boolean {
  return ORDER_ROLES.includes(role);
}

/** The 乡镇's name when `townId` is a town region; refuses anything else next to the field. */
export async function scopeTownName(db: Db, townId: number): Promise<string> {
  const [t] = Number.isSafeInteger(townId) ? await db.all<{ name: string }>(sql`SELECT name FROM regions WHERE id = ${townId} AND level = 'town'`) : [];
  if (!t) throw new AccountError('BAD_REQUEST', '请选择一个乡镇（街道），或选“全县（县中心）”', 'townId');
  return t.name;
}

/** Scopes per role of one user, for the console users page: role → 乡镇 id (null = 全县). */
export async function roleScopes(db: Db, userId: number): Promise<Map<string, number | null>> {
  const rows = await db.all<{ role: string; town_id: number | null }>(sql`SELECT role, town_id FROM user_roles WHERE user_id = ${userId}`);
  return new Map(rows.map((r) => [r.role, r.town_id == null ? null : Number(r.town_id)]));
}

/** Moves a held order role to another 乡镇 (or to the 中心 with null); audited, a no-op when unchanged. */
export async function setRoleScopeAsAdmin(db: Db, input: { actorId: number; userId: number; role: string; townId: number | null; ip?: string }): Promise<void> {
  if (!roleTakesTownScope(input.role)) throw new AccountError('BAD_REQUEST', '该角色不分乡镇范围', 'townId');
  const name = input.townId == null ? '全县（县中心）' : await scopeTownName(db, input.townId);
  const [held] = await db.all<{ town_id: number | null }>(sql`SELECT town_id FROM user_roles WHERE user_id = ${input.userId} AND role = ${input.role}`);
  if (!held) throw new AccountError('NOT_FOUND', '该用户没有这个角色，请先授予');
  await guardedWrite(db, sql`UPDATE user_roles SET town_id = ${input.townId} WHERE user_id = ${input.userId} AND role = ${input.role} AND town_id IS NOT ${input.townId}`, [
    auditStatement({
      actorId: input.actorId,
      action: 'role.scope',
      targetType: 'user',
      targetId: input.userId,
      before: { role: input.role, townId: held.town_id },
      after: { role: input.role, townId: input.townId },
      ip: input.ip,
      detail: `${ROLE_LABELS[input.role as Role] ?? input.role}：${name}`,
    }),
  ]);
}
