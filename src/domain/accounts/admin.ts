// Administration of accounts (/console/users): search with masked data, roles, disable, reset links.
import { and, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Db } from '../../../db/client.ts';
import { passwordResets, sessions, userRoles, users } from '../../../db/schema/index.ts';
import { maskPhone } from '../../lib/pii.ts';
import { randomToken } from '../../lib/ids.ts';
import { auditStatement } from '../audit/index.ts';
import { regionNames, regionLabel } from '../regions/index.ts';
import { hashPassword } from './passwords.ts';
import { ROLE_LABELS, isRole, type Role } from './policy.ts';
import { STAFF_TTL_MS, sessionTtl } from './sessions.ts';
import { AccountError } from './errors.ts';
import { roleTakesTownScope, scopeTownName } from './staff-scope.ts';
import { guardedWrite, writeBatch, type Statement } from '../../../db/write.ts';

export const RESET_TTL_MS = 3600_000;

/** A user as an administrator sees them in lists: phone and ID masked. */
export interface UserListRow {
  id: number;
  realName: string;
  phoneMasked: string;
  idType: string | null;
  idNumberMasked: string;
  volunteerNo: string | null;
  status: string;
  roles: string[];
  regionLabel: string;
  createdAt: number;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** Searches users by name, phone digits or volunteer number; masked output. */
export async function searchUsers(db: Db, opts: { q?: string; role?: string; status?: string; limit?: number; offset?: number } = {}): Promise<{ rows: UserListRow[]; total: number }> {
  const where: SQL[] = [];
  const q = opts.q?.trim();
  if (q) {
    const pat = `%${escapeLike(q)}%`;
    const alts: SQL[] = [sql`${users.realName} LIKE ${pat} ESCAPE '\\'`, eq(users.volunteerNo, q.toUpperCase())];
    if (/^\d{4,11}$/.test(q)) alts.push(sql`${users.phone} LIKE ${pat} ESCAPE '\\'`);
    where.push(or(...alts)!);
  }
  if (opts.status) where.push(eq(users.status, opts.status));
  else where.push(sql`${users.status} != 'deleted'`);
  if (opts.role && isRole(opts.role)) {
    where.push(sql`EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = ${users.id} AND r.role = ${opts.role})`);
  }
  const cond = and(...where);
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)` })
    .from(users)
    .where(cond);
  const rows = await db
    .select({
      id: users.id,
      realName: users.realName,
      phone: users.phone,
      idType: users.idType,
      idNumberMasked: users.idNumberMasked,
      volunteerNo: users.volunteerNo,
      status: users.status,
      townId: users.townId,
      villageId: users.villageId,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(cond)
    .orderBy(desc(users.id))
    .limit(Math.min(opts.limit ?? 30, 100))
    .offset(opts.offset ?? 0);
  const ids = rows.map((r) => r.id);
  const roleRows = ids.length ? await db.select().from(userRoles).where(inArray(userRoles.userId, ids)) : [];
  const names = await regionNames(
    db,
    rows.flatMap((r) => [r.townId, r.villageId]),
  );
  return {
    total: Number(n),
    rows: rows.map((r) => ({
      id: r.id,
      realName: r.realName,
      phoneMasked: maskPhone(r.phone),
      idType: r.idType,
      idNumberMasked: r.idNumberMasked ?? '',
      volunteerNo: r.volunteerNo,
      status: r.status,
      roles: roleRows.filter((x) => x.userId === r.id).map((x) => x.role),
      regionLabel: regionLabel(names, r.townId, r.villageId),
      createdAt: r.createdAt,
    })),
  };
}

/** One user for the admin detail page (masked), with the number of open sessions. */
export async function getUserForAdmin(db: Db, userId: number): Promise<(UserListRow & { activeSessions: number; hasEmail: boolean }) | null> {
  const [r] = await db.select().from(users).where(eq(users.id, userId));
  if (!r) return null;
  const roles = await rolesOf(db, userId);
  const names = await regionNames(db, [r.townId, r.villageId]);
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)` })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), sql`${sessions.expiresAt} > ${Date.now()}`));
  return {
    id: r.id,
    realName: r.realName,
    phoneMasked: maskPhone(r.phone),
    idType: r.idType,
    idNumberMasked: r.idNumberMasked ?? '',
    volunteerNo: r.volunteerNo,
    status: r.status,
    roles,
    regionLabel: regionLabel(names, r.townId, r.villageId),
    createdAt: r.createdAt,
    activeSessions: Number(n),
    hasEmail: !!r.email,
  };
}

async function rolesOf(db: Db, userId: number): Promise<string[]> {
  return (await db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId))).map((r) => r.role).sort();
}

async function activeUser(db: Db, userId: number) {
  const [u] = await db.select({ id: users.id, status: users.status, realName: users.realName, email: users.email }).from(users).where(eq(users.id, userId));
  if (!u || u.status === 'deleted') throw new AccountError('NOT_FOUND', '用户不存在或已注销');
  return u;
}

/**
 * Grants a global role; staff roles shorten the user's open sessions to the 12 h idle window at once.
 * An order-handling role may be granted for one 乡镇 (`townId`, a 所's staff); without it, county-wide.
 */
export async function grantRoleAsAdmin(db: Db, input: { actorId: number; userId: number; role: string; townId?: number | null; ip?: string }): Promise<void> {
  if (!isRole(input.role)) throw new AccountError('BAD_REQUEST', '未知的角色', 'role');
  // 超市管理员 runs named shops (docs/decisions/103): granted per shop, the role follows (src/domain/points/managers.ts).
  if (input.role === 'shop_manager') throw new AccountError('BAD_REQUEST', '超市管理员按积分超市授予：请在“管理的积分超市”中选择超市', 'role');
  const townId = roleTakesTownScope(input.role) ? (input.townId ?? null) : null;
  const scopeName = townId == null ? null : await scopeTownName(db, townId);
  await activeUser(db, input.userId);
  const before = await rolesOf(db, input.userId);
  if (before.includes(input.role)) return;
  const after = [...before, input.role].sort();
  const now = Date.now();
  const followUps: Statement[] = [
    auditStatement({
      actorId: input.actorId,
      action: 'role.grant',
      targetType: 'user',
      targetId: input.userId,
      before,
      after,
      ip: input.ip,
      detail: scopeName ? `${ROLE_LABELS[input.role as Role]}（${scopeName}）` : ROLE_LABELS[input.role as Role],
    }),
  ];
  if (sessionTtl(after) === STAFF_TTL_MS) {
    followUps.push(
      db
        .update(sessions)
        .set({ ttlMs: STAFF_TTL_MS, expiresAt: sql`min(${sessions.expiresAt}, ${now + STAFF_TTL_MS})` })
        .where(eq(sessions.userId, input.userId)),
    );
  }
  // Granted once: a second press (or a concurrent one) changes nothing and records nothing.
  await guardedWrite(db, db.insert(userRoles).values({ userId: input.userId, role: input.role, grantedBy: input.actorId, grantedAt: now, townId }).onConflictDoNothing(), followUps);
}

/** Revokes a global role; an administrator cannot remove their own admin role, and the last admin stays. */
export async function revokeRoleAsAdmin(db: Db, input: { actorId: number; userId: number; role: string; ip?: string }): Promise<void> {
  if (!isRole(input.role)) throw new AccountError('BAD_REQUEST', '未知的角色', 'role');
  await activeUser(db, input.userId);
  if (input.role === 'admin' && input.userId === input.actorId) throw new AccountError('FORBIDDEN', '不能撤销自己的系统管理员角色，请由其他管理员操作');
  const before = await rolesOf(db, input.userId);
  if (!before.includes(input.role)) return;
  // Guarded delete: never leaves the portal without an active administrator.
  const lastAdminGuard = input.role === 'admin' ? sql` AND (SELECT count(*) FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = 'admin' AND u.status = 'active') > 1` : sql``;
  const written = await guardedWrite(db, sql`DELETE FROM user_roles WHERE user_id = ${input.userId} AND role = ${input.role}${lastAdminGuard}`, [
    auditStatement({
      actorId: input.actorId,
      action: 'role.revoke',
      targetType: 'user',
      targetId: input.userId,
      before,
      after: before.filter((r) => r !== input.role),
      ip: input.ip,
      detail: ROLE_LABELS[input.role as Role],
    }),
    // Without the role a person runs no shop: the per-shop grants go with it.
    ...(input.role === 'shop_manager' ? [sql`DELETE FROM shop_managers WHERE user_id = ${input.userId}`] : []),
  ]);
  if (!written && input.role === 'admin') throw new AccountError('CONFLICT', '这是最后一位系统管理员，不能撤销');
}

/** Disables (ending every session at once) or re-enables an account. */
export async function setUserDisabled(db: Db, input: { actorId: number; userId: number; disabled: boolean; ip?: string }): Promise<void> {
  if (input.userId === input.actorId) throw new AccountError('FORBIDDEN', '不能停用自己的账户');
  const u = await activeUser(db, input.userId);
  const status = input.disabled ? 'disabled' : 'active';
  if (u.status === status) return;
  const written = await guardedWrite(
    db,
    db
      .update(users)
      .set({ status, updatedAt: Date.now() })
      .where(and(eq(users.id, input.userId), eq(users.status, u.status))),
    [
      ...(input.disabled ? [db.delete(sessions).where(eq(sessions.userId, input.userId))] : []),
      auditStatement({
        actorId: input.actorId,
        action: input.disabled ? 'user.disable' : 'user.enable',
        targetType: 'user',
        targetId: input.userId,
        before: { status: u.status },
        after: { status },
        ip: input.ip,
        detail: input.disabled ? '所有会话已立即结束' : undefined,
      }),
    ],
  );
  if (!written) throw new AccountError('CONFLICT', '该账户状态刚刚发生变化，请刷新后重试');
}

/** SHA-256 (hex) of a reset token: only this is stored. */
export function resetTokenHash(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** Issues a one-time reset link (160-bit token, 1 h, single use); returns the token and the user's e-mail if any. */
export async function issueResetToken(
  db: Db,
  input: { actorId: number; userId: number; ip?: string; now?: number },
): Promise<{ token: string; expiresAt: number; email: string | null; realName: string }> {
  const u = await activeUser(db, input.userId);
  const now = input.now ?? Date.now();
  const token = randomToken(20);
  const expiresAt = now + RESET_TTL_MS;
  await writeBatch(db, [
    // Earlier unused links die when a new one is issued.
    db
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, input.userId), isNull(passwordResets.usedAt))),
    db.insert(passwordResets).values({ tokenHash: resetTokenHash(token), userId: input.userId, expiresAt, createdBy: input.actorId, createdAt: now }),
    auditStatement({ actorId: input.actorId, action: 'password.reset.issue', targetType: 'user', targetId: input.userId, ip: input.ip, detail: '有效期 1 小时，仅可使用一次' }),
  ]);
  return { token, expiresAt, email: u.email, realName: u.realName };
}

/** The account a reset token opens, or null when it is unknown, used or expired. */
export async function resetTokenInfo(db: Db, token: string, now = Date.now()): Promise<{ userId: number; realName: string; expiresAt: number } | null> {
  if (!/^[a-z2-7]{20,64}$/.test(token)) return null;
  const [row] = await db
    .select({ userId: passwordResets.userId, expiresAt: passwordResets.expiresAt, usedAt: passwordResets.usedAt, realName: users.realName, status: users.status })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, resetTokenHash(token)));
  if (!row || row.usedAt != null || row.expiresAt <= now || row.status === 'deleted') return null;
  return { userId: row.userId, realName: row.realName, expiresAt: row.expiresAt };
}

/** Sets a new password through a reset token (consumed by one guarded UPDATE); ends every session of the user. */
export async function resetPasswordWithToken(db: Db, input: { token: string; password: string; ip?: string; now?: number }): Promise<number> {
  const now = input.now ?? Date.now();
  const refused = new AccountError('BAD_REQUEST', '重置链接无效、已使用或已过期，请在“忘记密码”页面重新申请，或联系管理员');
  const info = await resetTokenInfo(db, input.token, now);
  if (!info) throw refused;
  const { userId } = info;
  const passwordHash = await hashPassword(input.password);
  // The token is consumed by the guard, and the new password, the ended sessions and the audit row
  // commit with it: a link is never used up without the password changing.
  const written = await guardedWrite(
    db,
    sql`UPDATE password_resets SET used_at = ${now}
    WHERE token_hash = ${resetTokenHash(input.token)} AND user_id = ${userId} AND used_at IS NULL AND expires_at > ${now}`,
    [
      db
        .update(users)
        .set({ passwordHash, updatedAt: now })
        .where(and(eq(users.id, userId), sql`${users.status} != 'deleted'`)),
      db.delete(sessions).where(eq(sessions.userId, userId)),
      auditStatement({ actorId: userId, action: 'password.reset.use', targetType: 'user', targetId: userId, ip: input.ip, detail: '通过重置链接设置新密码，所有会话已结束' }),
    ],
  );
  if (!written) throw refused;
  return userId;
}
