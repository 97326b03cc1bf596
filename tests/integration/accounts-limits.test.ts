// Issue 15, items 7 and 8: registration is no unlimited oracle, and the per-account login
// lock-out holds under parallel attempts (docs/decisions/077).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { smsCodeFor } from '../helpers/sms.ts';
import type { Db } from '../../db/client.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { RegisterSchema } from '../../src/domain/accounts/schemas.ts';
import { registerVolunteer } from '../../src/domain/accounts/register.ts';
import { FAILURES_PER_ACCOUNT, login } from '../../src/domain/accounts/login.ts';
import { RateLimitedError } from '../../src/domain/accounts/errors.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { searchAudit } from '../../src/domain/audit/search.ts';

let db: Db & { path: string };
let town: number;
let village: number;

beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  const tree = await regionTree(db);
  town = tree[0].id;
  village = tree[0].villages[0].id;
});
afterAll(() => db.$client.close());

let serial = 300;
async function form(over: Record<string, unknown> = {}) {
  serial++;
  const phone = String(over.phone ?? `1351111${String(serial).padStart(4, '0')}`);
  return RegisterSchema.parseAsync({
    phone,
    smsCode: await smsCodeFor(db, phone),
    password: 'correct horse battery',
    realName: '王小明',
    idType: '居民身份证',
    idNumber: makeIdNumber('1990-03-15', serial),
    townId: town,
    villageId: village,
    agreeTerms: true,
    agreePrivacy: true,
    ...over,
  });
}

describe('login lock-out under parallel attempts (item 8)', () => {
  test('45 parallel wrong passwords for one account: at most 10 are checked, the rest answer 429', async () => {
    const phone = '13744445555';
    const password = 'the right password 2026';
    const userId = await createUser(db, TEST_KEY, { phone, password, realName: '赵并发' });
    // 45 attempts from 45 addresses (the per-IP limit must not be what stops them).
    const results = await Promise.allSettled(Array.from({ length: 45 }, (_, i) => login(db, { secretKey: TEST_KEY, phone, password: `wrong-password-${i}`, ip: `10.45.0.${i}` })));
    const refused = results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'LOGGED_IN'));
    const checked = refused.filter((c) => c === 'UNAUTHORIZED').length;
    expect(refused).not.toContain('LOGGED_IN');
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(FAILURES_PER_ACCOUNT);
    expect(refused.filter((c) => c === 'TOO_MANY_REQUESTS').length).toBe(45 - checked);
    // Each checked password left one login.failure row: the audit log agrees.
    expect((await searchAudit(db, { action: 'login.failure', targetId: String(userId) })).total).toBe(checked);
    // Locked: even the right password is refused now.
    await expect(login(db, { secretKey: TEST_KEY, phone, password, ip: '10.45.1.1' })).rejects.toBeInstanceOf(RateLimitedError);
  }, 120_000);

  test('a right password clears the count, so an owner who mistyped a few times is not locked', async () => {
    const phone = '13744446666';
    const password = 'the right password 2027';
    await createUser(db, TEST_KEY, { phone, password, realName: '钱清零' });
    for (let i = 0; i < FAILURES_PER_ACCOUNT - 1; i++) await login(db, { secretKey: TEST_KEY, phone, password: 'nope', ip: '10.46.0.1' }).catch(() => undefined);
    await expect(login(db, { secretKey: TEST_KEY, phone, password, ip: '10.46.0.1' })).resolves.toMatchObject({ userId: expect.any(Number) });
    for (let i = 0; i < FAILURES_PER_ACCOUNT - 1; i++) await login(db, { secretKey: TEST_KEY, phone, password: 'nope', ip: '10.46.0.1' }).catch(() => undefined);
    await expect(login(db, { secretKey: TEST_KEY, phone, password, ip: '10.46.0.1' })).resolves.toMatchObject({ userId: expect.any(Number) });
  }, 120_000);
});

describe('registration answers that reveal an account (item 7)', () => {
  test('an IP learns “already registered” at most 5 times an hour; then every attempt answers 429, taken or not', async () => {
    const ip = '10.70.0.1';
    const taken = await form();
    await registerVolunteer(db, TEST_KEY, taken, { ip: '10.70.9.9' });
    const answers: string[] = [];
    for (let i = 0; i < 8; i++) {
      const probe = await form({ phone: taken.phone });
      answers.push(
        await registerVolunteer(db, TEST_KEY, probe, { ip }).then(
          () => 'CREATED',
          (e) => e.code,
        ),
      );
    }
    expect(answers.slice(0, 5)).toEqual(Array(5).fill('CONFLICT'));
    expect(answers.slice(5)).toEqual(Array(3).fill('TOO_MANY_REQUESTS'));
    // A probe for a phone nobody has gets the same 429: the answer no longer depends on the phone.
    const fresh = await form();
    await expect(registerVolunteer(db, TEST_KEY, fresh, { ip })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    // Probing by ID number counts the same way, from another address.
    const other = '10.70.0.2';
    const byId: string[] = [];
    for (let i = 0; i < 6; i++)
      byId.push(
        await registerVolunteer(db, TEST_KEY, await form({ idNumber: taken.idNumber }), { ip: other }).then(
          () => 'CREATED',
          (e) => e.code,
        ),
      );
    expect(byId).toEqual([...Array(5).fill('CONFLICT'), 'TOO_MANY_REQUESTS']);
  });
});

describe('other password checks (same class as item 8)', () => {
  test('a signed-in session cannot try passwords without end: the 11th wrong one answers 429 for 改密 and 注销 alike', async () => {
    const { changePassword, deleteAccount } = await import('../../src/domain/accounts/profile.ts');
    const { createSession, generateSessionToken, sessionIdFromToken } = await import('../../src/domain/accounts/sessions.ts');
    const password = 'the right password 2028';
    const userId = await createUser(db, TEST_KEY, { phone: '13744447777', password, realName: '孙会话' });
    const token = generateSessionToken();
    await createSession(db, token, userId);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        await changePassword(db, { userId, currentSessionId: sessionIdFromToken(token), current: `guess-${i}`, password: 'a brand new password 1' }).then(
          () => 'OK',
          (e) => e.code,
        ),
      );
    for (let i = 0; i < 6; i++)
      codes.push(
        await deleteAccount(db, { secretKey: TEST_KEY, userId, password: `guess-${i}` }).then(
          () => 'OK',
          (e) => e.code,
        ),
      );
    expect(codes).toEqual([...Array(10).fill('BAD_REQUEST'), 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    // Even the right password waits for the window to end; the account is untouched.
    await expect(deleteAccount(db, { secretKey: TEST_KEY, userId, password })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    const row = await db.$client.execute({ sql: 'SELECT status FROM users WHERE id = ?', args: [userId] });
    expect(row.rows[0].status).toBe('active');
  });
});
