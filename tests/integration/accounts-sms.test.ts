// SMS verification and self-service recovery (issue 18, item 13): codes stored hashed, limited,
// expiring, single use under parallel use, bound to their purpose; registration, reset by code or
// e-mail, and a phone change each need theirs — and no answer tells whether a phone is registered.
import { beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { smsCodeFor } from '../helpers/sms.ts';
import { readMessage, startFakeSmtp } from '../helpers/fake-smtp.ts';
import { startFakeSms } from '../helpers/fake-sms.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import type { Db } from '../../db/client.ts';
import { RegisterSchema } from '../../src/domain/accounts/schemas.ts';
import { registerVolunteer } from '../../src/domain/accounts/register.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { login } from '../../src/domain/accounts/login.ts';
import { CHECKS_PER_CODE, CODE_TTL_MS, requestSmsCode } from '../../src/domain/accounts/sms-codes.ts';
import { changePhoneWithCode, requestResetByEmail, resetPasswordWithSmsCode } from '../../src/domain/accounts/recovery.ts';
import { resetPasswordWithToken } from '../../src/domain/accounts/admin.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { sendMail } from '../../src/lib/mail.ts';
import { sendSms, type SmsMessage } from '../../src/lib/sms.ts';
import { readConfig } from '../../src/lib/config.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let db: Db;
let town: number;
let village: number;
beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  const tree = await regionTree(db);
  town = tree[0].id;
  village = tree[0].villages[0].id;
});

let serial = 500;
const nextPhone = () => `1362222${String(++serial).padStart(4, '0')}`;
const capture = () => {
  const sent: SmsMessage[] = [];
  return { sent, send: async (m: SmsMessage) => void sent.push(m) };
};
const rows = (q: ReturnType<typeof sql>) => db.all<Record<string, unknown>>(q);

async function registration(phone: string, smsCode: string) {
  return RegisterSchema.parseAsync({
    phone,
    smsCode,
    password: 'correct horse battery',
    realName: '王小明',
    idType: '居民身份证',
    idNumber: makeIdNumber('1990-03-15', ++serial),
    townId: town,
    villageId: village,
    agreeTerms: true,
    agreePrivacy: true,
  });
}

describe('codes', () => {
  test('six digits, only a keyed hash stored, valid for 10 minutes', async () => {
    const phone = nextPhone();
    const { sent, send } = capture();
    const before = Date.now();
    await (
      await requestSmsCode(db, TEST_KEY, { phone, purpose: 'register', ip: '10.80.0.1', send })
    ).delivery;
    expect(sent).toHaveLength(1);
    expect(sent[0].code).toMatch(/^\d{6}$/);
    const [row] = await rows(sql`SELECT * FROM sms_codes WHERE phone = ${phone}`);
    expect(JSON.stringify(row)).not.toContain(sent[0].code);
    expect(String(row.code_hash)).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(row.expires_at) - before).toBeGreaterThanOrEqual(CODE_TTL_MS);
    expect(Number(row.expires_at) - Date.now()).toBeLessThanOrEqual(CODE_TTL_MS);
    expect(row.sent_at).not.toBeNull();
  });

  test('a second code for the same phone within 60 s is refused; the daily cap per phone and per address holds', async () => {
    const phone = nextPhone();
    const { send } = capture();
    const now = Date.now();
    await requestSmsCode(db, TEST_KEY, { phone, purpose: 'register', ip: '10.80.0.2', send, now });
    await expect(requestSmsCode(db, TEST_KEY, { phone, purpose: 'register', ip: '10.80.0.3', send, now: now + 30_000 })).rejects.toMatchObject({
      status: 'TOO_MANY_REQUESTS',
      field: 'smsCode',
      message: expect.stringContaining('30 秒后'),
    });
    let t = now;
    for (let i = 1; i < 10; i++) await requestSmsCode(db, TEST_KEY, { phone, purpose: 'register', ip: `10.80.1.${i}`, send, now: (t += 61_000) });
    await expect(requestSmsCode(db, TEST_KEY, { phone, purpose: 'register', ip: '10.80.2.1', send, now: t + 61_000 })).rejects.toMatchObject({ status: 'TOO_MANY_REQUESTS' });
    // 20 an hour from one address, whatever the phones.
    const ip = '10.80.3.1';
    for (let i = 0; i < 20; i++) await requestSmsCode(db, TEST_KEY, { phone: nextPhone(), purpose: 'register', ip, send });
    await expect(requestSmsCode(db, TEST_KEY, { phone: nextPhone(), purpose: 'register', ip, send })).rejects.toMatchObject({ status: 'TOO_MANY_REQUESTS' });
  });

  test('a code registers once even when two registrations race with it; it does not work for another purpose', async () => {
    const phone = nextPhone();
    const code = await smsCodeFor(db, phone);
    await expect(resetPasswordWithSmsCode(db, TEST_KEY, { phone, code, password: 'another good password' })).rejects.toMatchObject({ field: 'smsCode' });
    const a = await registration(phone, code);
    const b = { ...(await registration(phone, code)) };
    const results = await Promise.allSettled([registerVolunteer(db, TEST_KEY, a, { ip: '10.81.0.1' }), registerVolunteer(db, TEST_KEY, b, { ip: '10.81.0.2' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [{ n }] = await rows(sql`SELECT count(*) AS n FROM users WHERE phone = ${phone}`);
    expect(Number(n)).toBe(1);
    const [used] = await rows(sql`SELECT used_at FROM sms_codes WHERE phone = ${phone} AND purpose = 'register'`);
    expect(used.used_at).not.toBeNull();
  });

  test('registration without the right code is refused next to the code field, and nothing is written', async () => {
    const phone = nextPhone();
    const code = await smsCodeFor(db, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    await expect(registerVolunteer(db, TEST_KEY, await registration(phone, wrong), { ip: '10.82.0.1' })).rejects.toMatchObject({ status: 'BAD_REQUEST', field: 'smsCode' });
    const other = nextPhone();
    await expect(registerVolunteer(db, TEST_KEY, await registration(other, code), { ip: '10.82.0.1' })).rejects.toMatchObject({ field: 'smsCode' });
    const [{ n }] = await rows(sql`SELECT count(*) AS n FROM users WHERE phone IN (${phone}, ${other})`);
    expect(Number(n)).toBe(0);
  });

  test('five wrong tries use the code up: the right code then fails too', async () => {
    const phone = nextPhone();
    const code = await smsCodeFor(db, phone);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < CHECKS_PER_CODE; i++) await expect(registerVolunteer(db, TEST_KEY, await registration(phone, wrong), { ip: '10.83.0.1' })).rejects.toMatchObject({ field: 'smsCode' });
    await expect(registerVolunteer(db, TEST_KEY, await registration(phone, code), { ip: '10.83.0.1' })).rejects.toMatchObject({ status: 'TOO_MANY_REQUESTS', field: 'smsCode' });
  });

  test('an expired code is refused', async () => {
    const phone = nextPhone();
    const code = await smsCodeFor(db, phone);
    await db.run(sql`UPDATE sms_codes SET expires_at = ${Date.now() - 1} WHERE phone = ${phone}`);
    await expect(registerVolunteer(db, TEST_KEY, await registration(phone, code), { ip: '10.84.0.1' })).rejects.toMatchObject({ field: 'smsCode' });
  });

  test('codes a day past their expiry are dropped, with the phones they name', async () => {
    const old = nextPhone();
    await smsCodeFor(db, old);
    await db.run(sql`UPDATE sms_codes SET expires_at = ${Date.now() - 25 * 3600_000} WHERE phone = ${old}`);
    await smsCodeFor(db, nextPhone());
    expect(await rows(sql`SELECT id FROM sms_codes WHERE phone = ${old}`)).toEqual([]);
  });

  test('a provider refusal is recorded on the code row and logged, and the request still answered', async () => {
    const fake = await startFakeSms();
    const cfg = readConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sms-cfg-')),
      SMS_PROVIDER: 'aliyun',
      SMS_KEY_ID: 'LTAI-test-id',
      SMS_KEY_SECRET: 'test-secret',
      SMS_SIGN_NAME: '善行云溪',
      SMS_TEMPLATE_ID: 'SMS_1',
      SMS_ENDPOINT: fake.url,
    }).sms;
    const ok = nextPhone();
    await (
      await requestSmsCode(db, TEST_KEY, { phone: ok, purpose: 'register', ip: '10.85.0.1', send: (m) => sendSms(cfg, m) })
    ).delivery;
    expect(fake.messages.at(-1)?.phone).toBe(ok);
    const r = await requestSmsCode(db, TEST_KEY, { phone: '13900009999', purpose: 'register', ip: '10.85.0.2', send: (m) => sendSms(cfg, m) });
    await r.delivery;
    const [row] = await rows(sql`SELECT sent_at, send_error FROM sms_codes WHERE phone = '13900009999'`);
    expect(row.sent_at).toBeNull();
    expect(String(row.send_error)).toContain('isv.BUSINESS_LIMIT_CONTROL');
    await fake.close();
  });
});

describe('forgotten password', () => {
  test('by SMS: the code sets a new password, ends every session, and works once', async () => {
    const phone = nextPhone();
    const userId = await createUser(db, TEST_KEY, { phone, password: 'the old password 1', realName: '李忘记' });
    await login(db, { secretKey: TEST_KEY, phone, password: 'the old password 1', ip: '10.86.0.1' });
    const code = await smsCodeFor(db, phone, 'reset');
    expect(await resetPasswordWithSmsCode(db, TEST_KEY, { phone, code, password: 'the new password 2', ip: '10.86.0.2' })).toBe(userId);
    const [{ n }] = await rows(sql`SELECT count(*) AS n FROM sessions WHERE user_id = ${userId}`);
    expect(Number(n)).toBe(0);
    await expect(login(db, { secretKey: TEST_KEY, phone, password: 'the old password 1', ip: '10.86.0.3' })).rejects.toBeTruthy();
    expect((await login(db, { secretKey: TEST_KEY, phone, password: 'the new password 2', ip: '10.86.0.3' })).session.userId).toBe(userId);
    await expect(resetPasswordWithSmsCode(db, TEST_KEY, { phone, code, password: 'a third password 3' })).rejects.toMatchObject({ field: 'smsCode' });
  });

  test('a phone without an account gets the same answer, the same limits, and no SMS', async () => {
    const known = nextPhone();
    await createUser(db, TEST_KEY, { phone: known, password: 'the old password 1', realName: '李有号' });
    const unknown = nextPhone();
    const outcomes = [];
    for (const phone of [known, unknown]) {
      const { sent, send } = capture();
      const now = Date.now();
      const first = await requestSmsCode(db, TEST_KEY, { phone, purpose: 'reset', ip: '10.87.0.1', send, now }).then(() => 'ok');
      const again = await requestSmsCode(db, TEST_KEY, { phone, purpose: 'reset', ip: '10.87.0.1', send, now: now + 1000 }).catch((e) => `${e.status}:${e.field}`);
      const guesses = [];
      for (let i = 0; i <= CHECKS_PER_CODE; i++)
        guesses.push(await resetPasswordWithSmsCode(db, TEST_KEY, { phone, code: '000000', password: 'whatever password 9' }).catch((e) => `${e.status}:${e.message}`));
      outcomes.push({ first, again, guesses, sent: sent.length });
    }
    expect(outcomes[0].sent).toBe(1);
    expect(outcomes[1].sent).toBe(0);
    // The same work either way: a row for each (the unknown one's code never sent, never matchable).
    const written = await rows(sql`SELECT phone, send_error FROM sms_codes WHERE phone IN (${known}, ${unknown}) ORDER BY phone`);
    expect(written.map((r) => r.phone).sort()).toEqual([known, unknown].sort());
    expect(written.find((r) => r.phone === unknown)?.send_error).toBe('no account: not sent');
    expect({ ...outcomes[1], sent: 1 }).toEqual(outcomes[0]);
  });

  test('by e-mail: a one-hour link goes to the address on file; the link sets the password once', async () => {
    const smtp = await startFakeSmtp();
    const phone = nextPhone();
    const userId = await createUser(db, TEST_KEY, { phone, password: 'the old password 1', realName: '赵邮箱', email: 'zhao@example.cn' });
    const mail = (m: Parameters<typeof sendMail>[1]) => sendMail(smtp.url, m);
    await (
      await requestResetByEmail(db, { secretKey: TEST_KEY, phone, ip: '10.88.0.1', siteUrl: 'https://shanxing.example', mail })
    ).delivery;
    // No account, or no address: the same answer and nothing mailed.
    await (
      await requestResetByEmail(db, { secretKey: TEST_KEY, phone: nextPhone(), ip: '10.88.0.1', siteUrl: 'https://shanxing.example', mail })
    ).delivery;
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0].rcpt).toEqual(['zhao@example.cn']);
    const text = readMessage(smtp.messages[0].data).text;
    const token = /https:\/\/shanxing\.example\/reset\/([a-z2-7]+)/.exec(text)?.[1];
    expect(token).toBeTruthy();
    expect(await resetPasswordWithToken(db, { token: token!, password: 'the mailed password 3' })).toBe(userId);
    await expect(resetPasswordWithToken(db, { token: token!, password: 'once more password 4' })).rejects.toMatchObject({ status: 'BAD_REQUEST' });
    await smtp.close();
  });
});

describe('changing the phone', () => {
  test('needs the code sent to the new number and the current password; the old number stops logging in', async () => {
    const oldPhone = nextPhone();
    const userId = await createUser(db, TEST_KEY, { phone: oldPhone, password: 'my password here 1', realName: '钱换号' });
    const newPhone = nextPhone();
    const code = await smsCodeFor(db, newPhone, 'phone', { userId });
    await expect(changePhoneWithCode(db, TEST_KEY, { userId, phone: newPhone, code, password: 'not my password 0' })).rejects.toMatchObject({ field: 'password' });
    // Someone else's code for that number does not move this account.
    const otherUser = await createUser(db, TEST_KEY, { phone: nextPhone(), password: 'my password here 1', realName: '孙旁人' });
    await expect(changePhoneWithCode(db, TEST_KEY, { userId: otherUser, phone: newPhone, code, password: 'my password here 1' })).rejects.toMatchObject({ field: 'smsCode' });
    await changePhoneWithCode(db, TEST_KEY, { userId, phone: newPhone, code, password: 'my password here 1', ip: '10.89.0.1' });
    const [u] = await rows(sql`SELECT phone FROM users WHERE id = ${userId}`);
    expect(u.phone).toBe(newPhone);
    await expect(login(db, { secretKey: TEST_KEY, phone: oldPhone, password: 'my password here 1', ip: '10.89.0.2' })).rejects.toBeTruthy();
    const [a] = await rows(sql`SELECT after FROM audit_log WHERE action = 'phone.change' AND actor_id = ${userId}`);
    expect(String(a.after)).not.toContain(newPhone);
  });

  test('a number another account has is refused at the last step, and the code stays unused', async () => {
    const mine = await createUser(db, TEST_KEY, { phone: nextPhone(), password: 'my password here 1', realName: '周重复' });
    const taken = nextPhone();
    await createUser(db, TEST_KEY, { phone: taken, password: 'my password here 1', realName: '吴已有' });
    const code = await smsCodeFor(db, taken, 'phone', { userId: mine });
    await expect(changePhoneWithCode(db, TEST_KEY, { userId: mine, phone: taken, code, password: 'my password here 1' })).rejects.toMatchObject({ status: 'CONFLICT', field: 'phone' });
    const [row] = await rows(sql`SELECT used_at FROM sms_codes WHERE phone = ${taken} AND purpose = 'phone'`);
    expect(row.used_at).toBeNull();
  });
});
