// Phone + password login with database-backed brute-force limits and an audit trail.
// Unknown phones and wrong passwords take the same path (verifyDummy) and get the same answer.
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { users } from '../../../db/schema/index.ts';
import { maskPhone } from '../../lib/pii.ts';
import { audit } from '../audit/index.ts';
import { verifyDummy, verifyPassword } from './passwords.ts';
import { clearRateLimit, hitRateLimit, phoneRateKey, rateKey } from './rate-limit.ts';
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
export async function login(db: Db, input: { secretKey: Buffer; phone: string; password: string; ip: string; previousSessionId?: string | null; now?: number }): Promise<LoginResult> {
  const now = input.now ?? Date.now();
  const phone = input.phone.replace(/\s+/g, '');
  const ipLimit = await hitRateLimit(db, rateKey(input.secretKey, 'login-ip', input.ip), ATTEMPTS_PER_IP, LOGIN_WINDOW_MS, now);
  if (!ipLimit.allowed) {
    // No phone here: the IP is what is blocked, and the audit log keeps no contact data it does not need.
    await audit(db, { action: 'login.blocked', targetType: 'ip', detail: 'IP 尝试过多', ip: input.ip });
    throw new RateLimitedError('此网络的登录尝试过多', ipLimit.resetAt, now);
  }
  const [user] = /^1[3-9]\d{9}$/.test(phone) ? await db.select({ id: users.id, passwordHash: users.passwordHash, status: users.status }).from(users).where(eq(users.phone, phone)) : [];
  // Audit rows about an account name it by id (erased with it on 注销, decision 077); a phone with no
  // account is kept masked, as nobody's account can be erased for it.
  const unknownPhone = user ? undefined : maskPhone(phone);
  // The attempt is counted BEFORE the password is checked, in one guarded statement: 45 parallel
  // guesses used to read "0 failures" together and were all verified (issue 15, item 8). Counting
  // first means at most FAILURES_PER_ACCOUNT verifications per window, whatever the concurrency.
  const accountKey = phoneRateKey(input.secretKey, 'login-fail', phone);
  const attempt = await hitRateLimit(db, accountKey, FAILURES_PER_ACCOUNT, LOGIN_WINDOW_MS, now);
  if (!attempt.allowed) {
    await audit(db, { action: 'login.blocked', targetType: 'user', targetId: user?.id, detail: joinDetail('账户失败次数过多', unknownPhone), ip: input.ip });
    throw new RateLimitedError('该账户密码错误次数过多，已暂时锁定', attempt.resetAt, now);
  }

  const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, input.password) : await verifyDummy(input.password);
  if (!ok || !user) {
    await audit(db, { action: 'login.failure', targetType: 'user', targetId: user?.id, detail: joinDetail('密码错误或账户不存在', unknownPhone), ip: input.ip });
    throw new AccountError('UNAUTHORIZED', LOGIN_INVALID);
  }
  // The right password: this attempt was no failure, and the earlier ones are forgiven.
  await clearRateLimit(db, accountKey);
  if (user.status !== 'active') {
    await audit(db, { actorId: user.id, action: 'login.refused', targetType: 'user', targetId: user.id, detail: `账户状态 ${user.status}`, ip: input.ip });
    throw new AccountError('FORBIDDEN', '该账户已被停用，如有疑问请联系县委宣传部系统管理员');
  }
  if (input.previousSessionId) await invalidateSession(db, input.previousSessionId);
  const token = generateSessionToken();
  const session = await createSession(db, token, user.id);
  await audit(db, { actorId: user.id, action: 'login.success', targetType: 'user', targetId: user.id, ip: input.ip });
  return { token, session, userId: user.id };
}

function joinDetail(what: string, masked?: string): string {
  return masked ? `${what} ${masked}` : what;
}
