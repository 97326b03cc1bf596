// Accounts (issue 3): registration rules, login limits, sessions, password changes, 注销, admin actions.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { smsCodeFor } from '../helpers/sms.ts';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { auditLog, hourRecords, passwordResets, sessions, teams, userRoles, users } from '../../db/schema/index.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { LoginSchema, RegisterSchema, type RegisterInput } from '../../src/domain/accounts/schemas.ts';
import { registerVolunteer } from '../../src/domain/accounts/register.ts';
import { login, LOGIN_INVALID } from '../../src/domain/accounts/login.ts';
import { AccountError, RateLimitedError } from '../../src/domain/accounts/errors.ts';
import { createSession, generateSessionToken, sessionIdFromToken, validateSessionToken, STAFF_TTL_MS, UNREAD_COUNT_CAP, VOLUNTEER_TTL_MS } from '../../src/domain/accounts/sessions.ts';
import { changePassword, deleteAccount, getOwnProfile, DELETED_NAME } from '../../src/domain/accounts/profile.ts';
import { grantRoleAsAdmin, issueResetToken, resetPasswordWithToken, resetTokenInfo, revokeRoleAsAdmin, searchUsers, setUserDisabled, resetTokenHash } from '../../src/domain/accounts/admin.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { commonPasswords } from '../../src/domain/accounts/common-passwords.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { searchAudit } from '../../src/domain/audit/search.ts';

let db: Db & { path: string };
let town: number;
let village: number;
let otherVillage: number;
let serial = 100;

beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  const tree = await regionTree(db);
  town = tree[0].id;
  village = tree[0].villages[0].id;
  otherVillage = tree[1].villages[0].id;
});
afterAll(() => db.$client.close());

let phoneSeq = 0;
function form(over: Record<string, unknown> = {}): Record<string, unknown> {
  serial++;
  return {
    phone: `1350000${String(1000 + phoneSeq++).padStart(4, '0')}`,
    password: 'correct horse battery',
    realName: '王小明',
    idType: '居民身份证',
    idNumber: makeIdNumber('1990-03-15', serial),
    townId: town,
    villageId: village,
    skills: ['急救', '不存在的技能'],
    guardianConsent: false,
    publishConsent: false,
    agreeTerms: true,
    agreePrivacy: true,
    smsCode: '123456',
    ...over,
  };
}

async function fieldErrors(input: Record<string, unknown>): Promise<Record<string, string>> {
  const r = await RegisterSchema.safeParseAsync(input);
  if (r.success) return {};
  return Object.fromEntries(r.error.issues.map((i) => [String(i.path[0]), i.message]));
}

function yearsAgo(years: number, days = 0): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

describe('registration form rules', () => {
  const good = makeIdNumber('1990-03-15', 7);
  const badCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
  test.each([
    ['wrong checksum', { idNumber: badCheck }, 'idNumber', '身份证号码校验位不正确'],
    ['impossible birth date', { idNumber: makeIdNumber('1990-02-28', 7).slice(0, 10) + '0231' + makeIdNumber('1990-02-28', 7).slice(14) }, 'idNumber', '出生日期不存在'],
    ['birth date in the future', { idNumber: makeIdNumber('2099-01-01', 7) }, 'idNumber', '晚于今天'],
    ['17 digits', { idNumber: good.slice(0, 17) }, 'idNumber', '18 位'],
    ['passport with bad format', { idType: '护照', idNumber: '12-34', birthDate: '1990-01-01' }, 'idNumber', '护照号码格式不正确'],
    ['passport without birth date', { idType: '护照', idNumber: 'E12345678' }, 'birthDate', '出生日期'],
    ['residence permit not starting 81/82/83', { idType: '港澳台居民居住证', idNumber: good }, 'idNumber', '81、82 或 83'],
    ['common password', { password: 'password123' }, 'password', '过于常见'],
    ['common password in capitals', { password: 'QWERTYUIOP' }, 'password', '过于常见'],
    ['short password', { password: 'x7#kQ' }, 'password', '至少需要 8 个字符'],
    ['phone with 10 digits', { phone: '1380013800' }, 'phone', '11 位'],
    ['phone starting 12', { phone: '12800138000' }, 'phone', '11 位'],
    ['latin name', { realName: 'Tom' }, 'realName', '汉字'],
    ['one-character name', { realName: '王' }, 'realName', '汉字'],
    // Issue 18, item 6: one name rule, by document — Latin letters only for 护照 / 港澳台居民居住证.
    ['latin name with a 居民身份证 says to choose the document', { realName: 'Anna Müller' }, 'realName', '护照或港澳台居民居住证'],
    ['passport name with digits', { realName: 'Anna 2', idType: '护照', idNumber: 'E12345678', birthDate: '1985-06-01' }, 'realName', '拉丁字母'],
    ['passport name of 41 letters', { realName: 'A'.repeat(41), idType: '护照', idNumber: 'E12345678', birthDate: '1985-06-01' }, 'realName', '2–40'],
    ['passport name of one letter', { realName: 'A', idType: '护照', idNumber: 'E12345678', birthDate: '1985-06-01' }, 'realName', '2–40'],
    ['terms not accepted', { agreeTerms: false }, 'agreeTerms', '用户协议'],
    ['privacy not accepted', { agreePrivacy: false }, 'agreePrivacy', '隐私政策'],
    ['under 14 without guardian', { idNumber: makeIdNumber(yearsAgo(10), 7) }, 'guardianName', '监护人'],
    ['14–17 without legal representative consent', { idNumber: makeIdNumber(yearsAgo(16), 7) }, 'guardianConsent', '法定代理人'],
  ])('%s is refused next to the field', async (_name, over, field, text) => {
    const errors = await fieldErrors(form(over));
    expect(errors[field]).toContain(text);
  });

  test.each([
    ['an adult 居民身份证', {}],
    ['a name with ·', { realName: '阿卜杜拉·艾买提' }],
    ['a 港澳台居民居住证', { idType: '港澳台居民居住证', idNumber: makeIdNumber('1988-08-08', 3, true, '810000') }],
    ['a passport with birth date', { idType: '护照', idNumber: 'E12345678', birthDate: '1985-06-01' }],
    ['a passport letters+digits', { idType: '护照', idNumber: 'PA1234567', birthDate: '1985-06-01' }],
    ['a passport holder with a Latin name', { realName: 'Anna-Lena Müller', idType: '护照', idNumber: 'E12345678', birthDate: '1985-06-01' }],
    ['a passport holder with spaces and ·', { realName: 'Jean  Pierre·Dupont', idType: '护照', idNumber: 'PA1234567', birthDate: '1985-06-01' }],
    ['a 港澳台居民居住证 with a Latin name', { realName: 'Chan Tai Man', idType: '港澳台居民居住证', idNumber: makeIdNumber('1988-08-08', 3, true, '810000') }],
    ['a passport holder with a Chinese name', { realName: '王小明', idType: '护照', idNumber: 'E12345678', birthDate: '1985-06-01' }],
    ['a 16-year-old with consent', { idNumber: makeIdNumber(yearsAgo(16), 7), guardianConsent: true }],
    ['a 10-year-old with guardian', { idNumber: makeIdNumber(yearsAgo(10), 7), guardianConsent: true, guardianName: '王大明', guardianPhone: '13912345678' }],
    ['a long uncommon password', { password: '我的密码是善行志愿' }],
  ])('%s is accepted', async (_name, over) => {
    expect(await fieldErrors(form(over))).toEqual({});
  });

  // Issue 18, item 6: a 5,000-digit phone at login was told "请填写手机号码".
  test('login with an overlong phone or password says what is wrong', () => {
    const r = LoginSchema.safeParse({ phone: '1'.repeat(5000), password: 'x' });
    expect(r.error?.issues.map((i) => [i.path[0], i.message])).toEqual([['phone', '手机号码应为 11 位数字，请核对']]);
    const p = LoginSchema.safeParse({ phone: '13800138000', password: 'x'.repeat(300) });
    expect(p.error?.issues[0].message).toContain('256');
  });

  test('the common-password list ships with at least 10,000 entries', () => {
    const lines = readFileSync(new URL('../../src/domain/accounts/common-passwords.txt', import.meta.url), 'utf8')
      .trim()
      .split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(10_000);
    expect(commonPasswords().has('12345678')).toBe(true);
  });
});

async function register(over: Record<string, unknown> = {}, ip = '10.0.0.1'): Promise<{ id: number; input: RegisterInput }> {
  const f = form(over);
  const smsCode = 'smsCode' in over ? over.smsCode : await smsCodeFor(db, String(f.phone));
  const input = await RegisterSchema.parseAsync({ ...f, smsCode });
  const id = await registerVolunteer(db, TEST_KEY, input, { ip });
  return { id, input };
}

describe('registering', () => {
  test('stores the ID number encrypted with a keyed hash, skills from settings, consent versions', async () => {
    const { id, input } = await register();
    const [row] = await db.select().from(users).where(eq(users.id, id));
    expect(row.idNumberEnc).not.toContain(input.idNumber);
    expect(row.idNumberHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.idNumberMasked).toBe(input.idNumber.slice(0, 4) + '*'.repeat(14));
    expect(row.birthDate).toBeNull();
    expect(row.birthDateEnc).not.toContain('1990');
    expect(JSON.parse(row.skills)).toEqual(['急救']);
    expect(row.termsVersion).toBe('2026-01');
    expect(row.privacyVersion).toBe('2026-01');
    expect(row.consentAt).toBeGreaterThan(0);
    expect(row.guardianConsentAt).toBeNull();
    expect(JSON.stringify(row)).not.toContain(input.idNumber);
    const profile = await getOwnProfile(db, TEST_KEY, id);
    expect(profile?.idNumber).toBe(input.idNumber);
    expect(profile?.birthDate).toBe('1990-03-15');
  });

  test('one account per ID number', async () => {
    const idNumber = makeIdNumber('1985-01-02', 55);
    await register({ idNumber });
    const errors = await fieldErrorsWithDb({ idNumber, phone: '13611112222' });
    expect(errors.idNumber).toContain('已注册');
    await expect(register({ idNumber, phone: '13611112223' })).rejects.toMatchObject({ code: 'CONFLICT', field: 'idNumber' });
    // A number ending in X, typed with a lower-case x, is the same person.
    let serial = 56;
    while (!makeIdNumber('1985-01-02', serial).endsWith('X')) serial++;
    const x = makeIdNumber('1985-01-02', serial);
    await register({ idNumber: x, phone: '13611112224' });
    await expect(register({ idNumber: x.toLowerCase(), phone: '13611112225' })).rejects.toMatchObject({ code: 'CONFLICT', field: 'idNumber' });
  });

  test('one account per phone', async () => {
    await register({ phone: '13622223333' });
    await expect(register({ phone: '13622223333' })).rejects.toMatchObject({ code: 'CONFLICT', field: 'phone', message: expect.stringContaining('该手机号已注册') });
  });

  test('the village must belong to the town', async () => {
    await expect(register({ villageId: otherVillage })).rejects.toMatchObject({ field: 'villageId', message: expect.stringContaining('不属于') });
  });

  test('a minor’s guardian consent is recorded with its time', async () => {
    const { id } = await register({ idNumber: makeIdNumber(yearsAgo(12), 9), guardianConsent: true, guardianName: '王大明', guardianPhone: '13912345678' });
    const [row] = await db.select().from(users).where(eq(users.id, id));
    expect(row.guardianName).toBe('王大明');
    expect(row.guardianConsentAt).toBeGreaterThan(0);
  });

  test('the 11th registration from one IP within an hour is refused with a retry time', async () => {
    for (let i = 0; i < 10; i++) await register({}, '10.9.9.9');
    const err = await register({}, '10.9.9.9').catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.message).toMatch(/请于 .*\d{2}:\d{2}.*再试/);
    await expect(register({}, '10.9.9.10')).resolves.toBeDefined();
  });
});

async function fieldErrorsWithDb(over: Record<string, unknown>) {
  const { registrationConflicts } = await import('../../src/domain/accounts/register.ts');
  const out: Record<string, string> = {};
  for (const c of await registrationConflicts(db, TEST_KEY, form(over))) out[c.field] = c.message;
  return out;
}

describe('login', () => {
  let userId: number;
  const phone = '13700009999';
  const password = 'a long and fine password';
  beforeAll(async () => {
    userId = await createUser(db, TEST_KEY, { phone, password, realName: '李登录' });
  });

  test('creates a new session whose token is stored only as its SHA-256; the previous session is deleted', async () => {
    const old = generateSessionToken();
    await createSession(db, old, userId);
    const r = await login(db, { secretKey: TEST_KEY, phone, password, ip: '10.1.0.1', previousSessionId: sessionIdFromToken(old) });
    expect(r.token).toMatch(/^[a-z2-7]{32}$/);
    const rows = await db.select().from(sessions).where(eq(sessions.userId, userId));
    expect(rows.map((s) => s.id)).toContain(sessionIdFromToken(r.token));
    expect(rows.map((s) => s.id)).not.toContain(sessionIdFromToken(old));
    const raw = await db.$client.execute('SELECT * FROM sessions');
    expect(JSON.stringify(raw.rows)).not.toContain(r.token);
    expect(r.session.expiresAt - Date.now()).toBeGreaterThan(VOLUNTEER_TTL_MS - 60_000);
  });

  test('unknown phone and wrong password get the same answer; the audit log never holds the password', async () => {
    const a = await login(db, { secretKey: TEST_KEY, phone, password: 'wrong-password-1', ip: '10.1.0.2' }).catch((e) => e);
    const b = await login(db, { secretKey: TEST_KEY, phone: '13700000404', password: 'wrong-password-1', ip: '10.1.0.2' }).catch((e) => e);
    expect(a).toBeInstanceOf(AccountError);
    expect(b).toBeInstanceOf(AccountError);
    expect([a.code, a.message]).toEqual([b.code, b.message]);
    expect(a.message).toBe(LOGIN_INVALID);
    const logs = await db.$client.execute('SELECT * FROM audit_log');
    expect(JSON.stringify(logs.rows)).not.toContain('wrong-password-1');
    expect(JSON.stringify(logs.rows)).not.toContain(password);
    const failures = await searchAudit(db, { action: 'login.failure' });
    expect(failures.total).toBeGreaterThanOrEqual(2);
    expect((await searchAudit(db, { action: 'login.success' })).total).toBeGreaterThanOrEqual(1);
  });

  test('10 failures lock the account for 15 minutes: the 11th attempt is refused even with the right password', async () => {
    const p = '13700008888';
    await createUser(db, TEST_KEY, { phone: p, password, realName: '张锁定' });
    for (let i = 0; i < 10; i++) {
      const e = await login(db, { secretKey: TEST_KEY, phone: p, password: 'nope-nope-nope', ip: `10.2.0.${i}` }).catch((x) => x);
      expect(e.code).toBe('UNAUTHORIZED');
    }
    const e = await login(db, { secretKey: TEST_KEY, phone: p, password, ip: '10.2.1.1' }).catch((x) => x);
    expect(e).toBeInstanceOf(RateLimitedError);
    expect(e.code).toBe('TOO_MANY_REQUESTS');
    expect(e.message).toContain('再试');
    // after the window the right password works again
    const later = await login(db, { secretKey: TEST_KEY, phone: p, password, ip: '10.2.1.1', now: Date.now() + 16 * 60_000 });
    expect(later.userId).toBeGreaterThan(0);
  });

  test('more than 50 attempts from one IP in 15 minutes are refused', async () => {
    const ip = '10.3.3.3';
    for (let i = 0; i < 50; i++) await login(db, { secretKey: TEST_KEY, phone: `1370001${String(i).padStart(4, '0')}`, password: 'x', ip }).catch((x) => x);
    const e = await login(db, { secretKey: TEST_KEY, phone, password, ip }).catch((x) => x);
    expect(e).toBeInstanceOf(RateLimitedError);
    await expect(login(db, { secretKey: TEST_KEY, phone, password, ip: '10.3.3.4' })).resolves.toMatchObject({ userId });
  }, 120_000);
});

describe('sessions', () => {
  test('the session lookup carries the unread notice count the page header shows (own notices only)', async () => {
    const id = await createUser(db, TEST_KEY, { phone: '13700001112', password: 'whatever-long-1', realName: '钱未读' });
    const other = await createUser(db, TEST_KEY, { phone: '13700001113', password: 'whatever-long-1', realName: '孙旁人' });
    const token = generateSessionToken();
    await createSession(db, token, id);
    expect((await validateSessionToken(db, token))?.unread).toBe(0);
    const { notify, markAllRead } = await import('../../src/domain/notices/index.ts');
    await notify(db, { userId: id, kind: 'test', title: '一' });
    await notify(db, { userId: id, kind: 'test', title: '二' });
    await notify(db, { userId: other, kind: 'test', title: '别人的' });
    expect((await validateSessionToken(db, token))?.unread).toBe(2);
    await markAllRead(db, id);
    expect((await validateSessionToken(db, token))?.unread).toBe(0);
    // Counted up to the cap only (the header says 99+).
    for (let i = 0; i < UNREAD_COUNT_CAP + 20; i++) await notify(db, { userId: id, kind: 'test', title: `第${i}条` });
    expect((await validateSessionToken(db, token))?.unread).toBe(UNREAD_COUNT_CAP);
  });

  test('volunteer sessions slide: a session past half its 30 days is extended on use', async () => {
    const id = await createUser(db, TEST_KEY, { phone: '13700001111', password: 'whatever-long-1', realName: '赵滑动' });
    const token = generateSessionToken();
    await createSession(db, token, id);
    const sid = sessionIdFromToken(token);
    // Fresh: not moved, so the middleware leaves the browser's cookie alone.
    expect((await validateSessionToken(db, token))?.renewed).toBe(false);
    await db
      .update(sessions)
      .set({ expiresAt: Date.now() + 10 * 86400_000 })
      .where(eq(sessions.id, sid));
    const r = await validateSessionToken(db, token);
    expect(r?.session.expiresAt).toBeGreaterThan(Date.now() + 29 * 86400_000);
    expect(r?.renewed).toBe(true);
    expect((await validateSessionToken(db, token))?.renewed).toBe(false);
    await db
      .update(sessions)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(sessions.id, sid));
    expect(await validateSessionToken(db, token)).toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.id, sid))).toHaveLength(0);
  });

  test('staff sessions end after 12 h idle', async () => {
    const id = await createUser(db, TEST_KEY, { phone: '13700002222', password: 'whatever-long-2', realName: '钱编辑', roles: ['editor'] });
    const token = generateSessionToken();
    const s = await createSession(db, token, id);
    expect(s.expiresAt - Date.now()).toBeLessThanOrEqual(STAFF_TTL_MS);
    expect(s.expiresAt - Date.now()).toBeGreaterThan(STAFF_TTL_MS - 60_000);
    const sid = sessionIdFromToken(token);
    // idle 11 h: still valid and pushed forward by 12 h
    await db
      .update(sessions)
      .set({ expiresAt: Date.now() + 3600_000 })
      .where(eq(sessions.id, sid));
    expect((await validateSessionToken(db, token))?.session.expiresAt).toBeGreaterThan(Date.now() + 11 * 3600_000);
    // idle past 12 h: gone
    await db
      .update(sessions)
      .set({ expiresAt: Date.now() - 1000 })
      .where(eq(sessions.id, sid));
    expect(await validateSessionToken(db, token)).toBeNull();
  });

  test('granting a staff role shortens open sessions to the 12 h window', async () => {
    const admin = await createUser(db, TEST_KEY, { phone: '13700003333', password: 'whatever-long-3', realName: '孙管理', roles: ['admin'] });
    const id = await createUser(db, TEST_KEY, { phone: '13700003334', password: 'whatever-long-4', realName: '周升级' });
    const token = generateSessionToken();
    await createSession(db, token, id);
    await grantRoleAsAdmin(db, { actorId: admin, userId: id, role: 'reviewer' });
    const [row] = await db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sessionIdFromToken(token)));
    expect(row.ttlMs).toBe(STAFF_TTL_MS);
    expect(row.expiresAt).toBeLessThanOrEqual(Date.now() + STAFF_TTL_MS);
    const roles = await db.select().from(userRoles).where(eq(userRoles.userId, id));
    expect(roles.map((r) => r.role).sort()).toEqual(['reviewer', 'volunteer']);
    const [entry] = (await searchAudit(db, { action: 'role.grant', targetId: String(id) })).rows;
    expect(JSON.parse(entry.after!)).toEqual(['reviewer', 'volunteer']);
  });
});

describe('password change and 注销', () => {
  test('changing the password needs the current one and ends the other sessions only', async () => {
    const id = await createUser(db, TEST_KEY, { phone: '13700004444', password: 'first-password-ok', realName: '吴改密' });
    const here = generateSessionToken();
    const there = generateSessionToken();
    await createSession(db, here, id);
    await createSession(db, there, id);
    await expect(changePassword(db, { userId: id, currentSessionId: sessionIdFromToken(here), current: 'wrong', password: 'second-password-ok' })).rejects.toMatchObject({ field: 'current' });
    await changePassword(db, { userId: id, currentSessionId: sessionIdFromToken(here), current: 'first-password-ok', password: 'second-password-ok' });
    expect(await validateSessionToken(db, here)).not.toBeNull();
    expect(await validateSessionToken(db, there)).toBeNull();
    await expect(login(db, { secretKey: TEST_KEY, phone: '13700004444', password: 'second-password-ok', ip: '10.4.0.1' })).resolves.toBeDefined();
  });

  test('注销 erases personal fields, keeps confirmed hours anonymised, ends sessions, is audited', async () => {
    const { id, input } = await register({ phone: '13700005555', email: 'a@example.cn', skills: ['法律'] });
    const token = generateSessionToken();
    await createSession(db, token, id);
    const [team] = await db.insert(teams).values({ slug: 'test-team', name: '测试队', status: 'active', createdAt: Date.now() }).returning();
    await db.insert(hourRecords).values({
      userId: id,
      teamId: team.id,
      source: 'leader',
      startsAt: Date.now() - 7200_000,
      endsAt: Date.now() - 3600_000,
      minutes: 60,
      content: '巡防',
      status: 'confirmed',
      createdAt: Date.now(),
    });
    await expect(deleteAccount(db, { secretKey: TEST_KEY, userId: id, password: 'wrong' })).rejects.toMatchObject({ field: 'password' });
    await deleteAccount(db, { secretKey: TEST_KEY, userId: id, password: input.password, ip: '10.5.0.1' });
    const [row] = await db.select().from(users).where(eq(users.id, id));
    expect(row).toMatchObject({
      status: 'deleted',
      realName: DELETED_NAME,
      phone: null,
      passwordHash: null,
      idNumberEnc: null,
      idNumberHash: null,
      idNumberMasked: null,
      birthDate: null,
      email: null,
      guardianName: null,
      volunteerNo: null,
    });
    expect(JSON.stringify(row)).not.toContain('王小明');
    expect(await validateSessionToken(db, token)).toBeNull();
    const hours = await db.select().from(hourRecords).where(eq(hourRecords.userId, id));
    expect(hours).toHaveLength(1);
    expect((await searchAudit(db, { action: 'user.delete', targetId: String(id) })).total).toBe(1);
    // the person may register again with the same ID and phone
    await expect(register({ phone: '13700005555', idNumber: input.idNumber })).resolves.toBeDefined();
    await expect(login(db, { secretKey: TEST_KEY, phone: '13700005555', password: input.password, ip: '10.5.0.2' })).resolves.toBeDefined();
  });
});

describe('administration', () => {
  let admin: number;
  beforeAll(async () => {
    admin = await createUser(db, TEST_KEY, { phone: '13800000001', password: 'admin-password-ok', realName: '周管理', roles: ['admin'] });
  });

  test('disabling ends every session at once and refuses login', async () => {
    const id = await createUser(db, TEST_KEY, { phone: '13800000002', password: 'some-password-ok', realName: '郑停用' });
    const t1 = generateSessionToken();
    const t2 = generateSessionToken();
    await createSession(db, t1, id);
    await createSession(db, t2, id);
    await setUserDisabled(db, { actorId: admin, userId: id, disabled: true });
    expect(await db.select().from(sessions).where(eq(sessions.userId, id))).toHaveLength(0);
    expect(await validateSessionToken(db, t1)).toBeNull();
    await expect(login(db, { secretKey: TEST_KEY, phone: '13800000002', password: 'some-password-ok', ip: '10.6.0.1' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(setUserDisabled(db, { actorId: admin, userId: admin, disabled: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await searchAudit(db, { action: 'user.disable', targetId: String(id) })).total).toBe(1);
    await setUserDisabled(db, { actorId: admin, userId: id, disabled: false });
    await expect(login(db, { secretKey: TEST_KEY, phone: '13800000002', password: 'some-password-ok', ip: '10.6.0.1' })).resolves.toBeDefined();
  });

  test('a reset link is single use, expires after 1 h, is stored hashed and ends sessions', async () => {
    const id = await createUser(db, TEST_KEY, { phone: '13800000003', password: 'forgotten-password', realName: '冯忘记' });
    const t = generateSessionToken();
    await createSession(db, t, id);
    const { token } = await issueResetToken(db, { actorId: admin, userId: id });
    expect(token.length).toBeGreaterThanOrEqual(26); // ≥ 128 bits in base32
    const stored = await db.select().from(passwordResets).where(eq(passwordResets.userId, id));
    expect(stored[0].tokenHash).toBe(resetTokenHash(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(await resetTokenInfo(db, token)).toMatchObject({ userId: id });
    await resetPasswordWithToken(db, { token, password: 'brand-new-password' });
    expect(await validateSessionToken(db, t)).toBeNull();
    await expect(resetPasswordWithToken(db, { token, password: 'another-new-password' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await resetTokenInfo(db, token)).toBeNull();
    await expect(login(db, { secretKey: TEST_KEY, phone: '13800000003', password: 'brand-new-password', ip: '10.7.0.1' })).resolves.toBeDefined();

    const late = await issueResetToken(db, { actorId: admin, userId: id });
    await expect(resetPasswordWithToken(db, { token: late.token, password: 'too-late-password', now: Date.now() + 3601_000 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await resetTokenInfo(db, late.token, Date.now() + 3601_000)).toBeNull();
    // a newer link replaces the older one
    const a = await issueResetToken(db, { actorId: admin, userId: id });
    await issueResetToken(db, { actorId: admin, userId: id });
    expect(await resetTokenInfo(db, a.token)).toBeNull();
  });

  test('user lists mask phone and ID numbers', async () => {
    const { input } = await register({ phone: '13912340000', realName: '欧阳列表' });
    const { rows } = await searchUsers(db, { q: '欧阳' });
    expect(rows).toHaveLength(1);
    expect(rows[0].phoneMasked).toBe('139****0000');
    expect(rows[0].idNumberMasked).toMatch(/^\d{4}\*{14}$/);
    expect(JSON.stringify(rows)).not.toContain(input.idNumber);
    expect(JSON.stringify(rows)).not.toContain('13912340000');
    expect((await searchUsers(db, { q: '2340000' })).rows.map((r) => r.realName)).toEqual(['欧阳列表']);
  });

  test('the last administrator cannot be revoked, nor one’s own admin role', async () => {
    const fresh = await freshDb({ seed: 'none' });
    const a = await createUser(fresh, TEST_KEY, { phone: '13800000010', password: 'admin-password-ok', realName: '唯一管理', roles: ['admin'] });
    const b = await createUser(fresh, TEST_KEY, { phone: '13800000011', password: 'admin-password-ok', realName: '第二管理', roles: ['admin'] });
    await expect(revokeRoleAsAdmin(fresh, { actorId: a, userId: a, role: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await revokeRoleAsAdmin(fresh, { actorId: a, userId: b, role: 'admin' });
    await grantRoleAsAdmin(fresh, { actorId: a, userId: b, role: 'admin' });
    await setUserDisabled(fresh, { actorId: b, userId: a, disabled: true });
    // a is disabled, so b is the only active admin and cannot lose the role
    await grantRoleAsAdmin(fresh, { actorId: b, userId: b, role: 'legal_aide' });
    const [{ n }] = await fresh
      .select({ n: sql<number>`count(*)` })
      .from(userRoles)
      .where(eq(userRoles.role, 'admin'));
    expect(Number(n)).toBe(2);
    await expect(revokeRoleAsAdmin(fresh, { actorId: b, userId: b, role: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(grantRoleAsAdmin(fresh, { actorId: b, userId: b, role: 'superuser' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect((await searchAudit(fresh, { action: 'role.revoke' })).total).toBe(1);
    fresh.$client.close();
  });

  test('audit search filters by action prefix, actor and day range', async () => {
    const all = await searchAudit(db, { action: 'login.' });
    expect(all.rows.every((r) => r.action.startsWith('login.'))).toBe(true);
    const byActor = await searchAudit(db, { actorId: admin });
    expect(byActor.rows.length).toBeGreaterThan(0);
    expect(byActor.rows.every((r) => r.actorId === admin && r.actorName === '周管理')).toBe(true);
    expect((await searchAudit(db, { from: Date.now() + 86400_000 })).total).toBe(0);
    expect(await db.select().from(auditLog).limit(1)).toHaveLength(1);
  });
});
