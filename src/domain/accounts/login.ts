// Phone + password login with database-backed brute-force limits and an audit trail.
// Unknown phones and wrong passwords take the same path (verifyDummy) and get the same answer.
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { users } from '../../../db/schema/index.ts';
import { maskPhone } from '../../lib/pii.ts';
import { audit } from '../audit/index.ts';
import { verifyDummy, verifyPassword } from './passwords.ts';
import { clearRateLimit, hitRateLimit, rateLimitState } from './rate-limit.ts';
import { createSession, generateSessionToken, invalidateSession, type Session } from './sessions.ts';
import { AccountError, RateLimitedError } from './errors.ts';

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const FAILURES_PER_ACCOUNT = 10;
export const ATTEMPTS_PER_IP = 50;
export const LOGIN_INVALID = '手机号或密码不正确';

/** Result of a successful login: the token for the cookie (never stored) and the session row. */
export interface LoginResult {
  token: string;
  session: Session;
  userId: number;
}

/**
 * Checks the limits, verifies the password and creates a fresh session.
 * `previousSessionId` (the session the request came with, if any) is deleted, so a login never reuses a session.
 */
export async function login(
  db: Db,
  input: { phone: string; password: string; ip: string; previousSessionId?: string | null; now?: number },
): Promise<LoginResult> {
  const now = input.now ?? Date.now();
  const phone = input.phone.replace(/\s+/g, '');
  const ipLimit = await hitRateLimit(db, `login-ip:${input.ip}`, ATTEMPTS_PER_IP, LOGIN_WINDOW_MS, now);
  if (!ipLimit.allowed) {
    await audit(db, { action: 'login.blocked', targetType: 'ip', detail: `IP 尝试过多 ${maskPhone(phone)}`, ip: input.ip });
    throw new RateLimitedError('此网络的登录尝试过多', ipLimit.resetAt, now);
  }
  const accountKey = `login-fail:${phone}`;
  const failures = await rateLimitState(db, accountKey, LOGIN_WINDOW_MS, now);
  if (failures.count >= FAILURES_PER_ACCOUNT) {
    await audit(db, { action: 'login.blocked', targetType: 'user', detail: `账户失败次数过多 ${maskPhone(phone)}`, ip: input.ip });
    throw new RateLimitedError('该账户密码错误次数过多，已暂时锁定', failures.resetAt, now);
  }

  const [user] = /^1[3-9]\d{9}$/.test(phone)
    ? await db.select({ id: users.id, passwordHash: users.passwordHash, status: users.status }).from(users).where(eq(users.phone, phone))
    : [];
  const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, input.password) : await verifyDummy(input.password);
  if (!ok || !user) {
    await hitRateLimit(db, accountKey, FAILURES_PER_ACCOUNT, LOGIN_WINDOW_MS, now);
    await audit(db, { action: 'login.failure', targetType: 'user', targetId: user?.id, detail: `密码错误或账户不存在 ${maskPhone(phone)}`, ip: input.ip });
    throw new AccountError('UNAUTHORIZED', LOGIN_INVALID);
  }
  if (user.status !== 'active') {
    await audit(db, { actorId: user.id, action: 'login.refused', targetType: 'user', targetId: user.id, detail: `账户状态 ${user.status}`, ip: input.ip });
    throw new AccountError('FORBIDDEN', '该账户已被停用，如有疑问请联系县委宣传部系统管理员');
  }
  await clearRateLimit(db, accountKey);
  if (input.previousSessionId) await invalidateSession(db, input.previousSessionId);
  const token = generateSessionToken();
  const session = await createSession(db, token, user.id);
  await audit(db, { actorId: user.id, action: 'login.success', targetType: 'user', targetId: user.id, ip: input.ip });
  return { token, session, userId: user.id };
}
