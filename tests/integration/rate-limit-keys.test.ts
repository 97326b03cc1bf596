// A copy of the database names nobody through its rate-limit counters: every key is `scope:<id>` or
// `scope:<keyed hash>`, and housekeeping drops what has run out (sessions and SMS codes too).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { login } from '../../src/domain/accounts/login.ts';
import { requestSmsCode, checkSmsCode } from '../../src/domain/accounts/sms-codes.ts';
import { requestResetByEmail } from '../../src/domain/accounts/recovery.ts';
import { countRegistrationAttempt } from '../../src/domain/accounts/register.ts';
import { trackNumber } from '../../src/domain/tracking/index.ts';
import { rateOrder } from '../../src/domain/orders/index.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { clearRateLimit, hitRateLimit, rateKey, rateKeyForId, rateLimitState } from '../../src/domain/accounts/rate-limit.ts';
import { sweep } from '../../src/domain/accounts/housekeeping.ts';

let db: Db;
beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
});
afterAll(() => db.$client.close());

const keys = async () => (await db.all<{ key: string }>(sql`SELECT key FROM rate_limits ORDER BY key`)).map((r) => r.key);

describe('what the counters keep', () => {
  test('a visitor who logs in, asks for codes, registers, tracks and rates leaves no phone or address in rate_limits', async () => {
    const ip = '203.0.113.77';
    const phone = '13912345678';
    const other = '13698765432';
    await createUser(db, TEST_KEY, { phone, password: 'the right password 2026', realName: '钱保密' });
    await expect(login(db, { secretKey: TEST_KEY, phone, password: 'wrong password here', ip })).rejects.toThrow('手机号或密码不正确');
    await expect(login(db, { secretKey: TEST_KEY, phone: other, password: 'wrong password here', ip })).rejects.toThrow('手机号或密码不正确');
    const sent = await requestSmsCode(db, TEST_KEY, { phone: other, purpose: 'register', ip, send: async () => {} });
    await sent.delivery;
    await expect(checkSmsCode(db, TEST_KEY, { phone: other, purpose: 'register', code: '000000' })).rejects.toThrow('验证码');
    await requestResetByEmail(db, { secretKey: TEST_KEY, phone, ip, siteUrl: 'http://localhost', mail: async () => {} });
    await countRegistrationAttempt(db, TEST_KEY, ip);
    expect(await trackNumber(db, { number: 'TJ-2026-ABC123', digits: '5678', ip, secretKey: TEST_KEY })).toBeNull();
    await expect(rateOrder(db, { secretKey: TEST_KEY, number: 'TJ-2026-ABC123', digits: '5678', rating: 5, comment: '' })).rejects.toThrow('没有找到');

    const written = await keys();
    const scopes = new Set(written.map((k) => k.slice(0, k.lastIndexOf(':'))));
    // Every limit on the way was counted (the test would pass vacuously on an empty table otherwise).
    for (const s of [
      'login-ip',
      'login-fail',
      'sms-ip-hour',
      'sms-ip-day',
      'sms-resend',
      'sms-phone-day',
      'sms-check:register',
      'reset-mail-ip',
      'reset-mail',
      'register-attempt',
      'track-ip',
      'track-no',
      'order-rate',
    ])
      expect(scopes, s).toContain(s);
    for (const k of written) {
      expect(k).toMatch(/^[a-z][a-z-]*(?::[a-z][a-z-]*)*:(?:[1-9]\d{0,8}|[0-9a-f]{64})$/);
      for (const secret of [ip, phone, other, '203.0.113', '12345678', 'ABC123']) expect(k).not.toContain(secret);
    }
    // The same value under another key gives another hash: two scopes cannot be joined.
    expect(rateKey(TEST_KEY, 'login-ip', ip).split(':')[1]).not.toBe(rateKey(TEST_KEY, 'sms-ip-day', ip).split(':')[1]);
    // Without the key the hash is of no use: another server key gives another one.
    expect(rateKey(Buffer.alloc(32, 7), 'login-ip', ip)).not.toBe(rateKey(TEST_KEY, 'login-ip', ip));
  });

  test('a raw phone or address as a key is refused before anything is written', async () => {
    const before = await keys();
    for (const raw of ['login-ip:203.0.113.9', 'sms-resend:13812345678', 'login-ip:::1', 'track-no:TJ-2026-ABC123', 'x:', 'checkin:0']) {
      await expect(hitRateLimit(db, raw, 5, 60_000)).rejects.toThrow('rate limit key');
      await expect(rateLimitState(db, raw, 60_000)).rejects.toThrow('rate limit key');
      await expect(clearRateLimit(db, raw)).rejects.toThrow('rate limit key');
    }
    await expect(hitRateLimit(db, rateKey(TEST_KEY, 'Bad Scope', '1'), 5, 60_000)).rejects.toThrow('rate limit key');
    expect(await keys()).toEqual(before);
    expect(rateKeyForId('checkin', 42)).toBe('checkin:42');
  });
});

describe('housekeeping', () => {
  test('a counter knows when its window ends, and a new window moves it', async () => {
    const key = rateKeyForId('checkin', 7);
    const t0 = 1_800_000_000_000;
    await hitRateLimit(db, key, 3, 60_000, t0);
    await hitRateLimit(db, key, 3, 60_000, t0 + 10_000);
    const at = async () => (await db.all<{ reset_at: number; count: number }>(sql`SELECT reset_at, count FROM rate_limits WHERE key = ${key}`))[0];
    expect(await at()).toEqual({ reset_at: t0 + 60_000, count: 2 });
    await hitRateLimit(db, key, 3, 60_000, t0 + 60_000);
    expect(await at()).toEqual({ reset_at: t0 + 120_000, count: 1 });
  });

  test('sweep drops ended counters, expired sessions and day-old codes, in batches, and nothing else', async () => {
    const own = await freshDb({ seed: 'base' });
    const now = 1_800_000_000_000;
    const userId = await createUser(own, TEST_KEY, { phone: '13700001111', password: 'the right password 2026', realName: '孙清理' });
    // 1,234 counters that ended (more than one batch), 3 still running.
    await own.$client.execute({
      sql: `WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 1234)
            INSERT INTO rate_limits (key, count, reset_at) SELECT 'checkin:' || v, 1, ? FROM n`,
      args: [now - 60_000],
    });
    for (const id of [5001, 5002, 5003]) await hitRateLimit(own, rateKeyForId('checkin', id), 3, 60_000, now - 30_000);
    // Sessions: 3 expired (never presented again), 2 alive.
    for (const [id, exp] of [
      ['a', now - 1],
      ['b', now - DAY],
      ['c', now - 30 * DAY],
      ['d', now + 1],
      ['e', now + DAY],
    ] as const)
      await own.run(sql`INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES (${id}, ${userId}, ${exp}, ${DAY}, ${now - 40 * DAY})`);
    // SMS codes: one expired two days ago (goes), one an hour ago (kept a day for operators), one live.
    for (const [phone, exp] of [
      ['13700002222', now - 2 * DAY],
      ['13700003333', now - 3_600_000],
      ['13700004444', now + 600_000],
    ] as const)
      await own.run(sql`INSERT INTO sms_codes (phone, purpose, code_hash, expires_at, created_at) VALUES (${phone}, 'register', 'x', ${exp}, ${exp - 600_000})`);

    expect(await sweep(own, now)).toEqual({ rateLimits: 1_234, sessions: 3, smsCodes: 1 });
    expect((await own.all<{ key: string }>(sql`SELECT key FROM rate_limits ORDER BY key`)).map((r) => r.key)).toEqual(['checkin:5001', 'checkin:5002', 'checkin:5003']);
    expect((await own.all<{ id: string }>(sql`SELECT id FROM sessions ORDER BY id`)).map((r) => r.id)).toEqual(['d', 'e']);
    expect((await own.all<{ phone: string }>(sql`SELECT phone FROM sms_codes ORDER BY phone`)).map((r) => r.phone)).toEqual(['13700003333', '13700004444']);
    // A second sweep finds nothing; the running counters still count.
    expect(await sweep(own, now)).toEqual({ rateLimits: 0, sessions: 0, smsCodes: 0 });
    expect((await hitRateLimit(own, rateKeyForId('checkin', 5001), 3, 60_000, now)).count).toBe(2);
    own.$client.close();
  });
});

const DAY = 86_400_000;
