// Issue 15, item 14: after 注销 none of the person's name, phone, e-mail or ID number is left in any
// row of the database, except what docs/decisions/077 says must stay (certificates already issued,
// kept on the register for whoever holds them).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { smsCodeFor } from '../helpers/sms.ts';
import { REMOTE } from '../helpers/hrana.ts';
import { insertEvent, insertTeam } from '../helpers/events-fixtures.ts';
import type { Db } from '../../db/client.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { maskPhone } from '../../src/lib/pii.ts';
import { shanghaiDay } from '../../src/lib/time.ts';
import { RegisterSchema } from '../../src/domain/accounts/schemas.ts';
import { registerVolunteer } from '../../src/domain/accounts/register.ts';
import { login } from '../../src/domain/accounts/login.ts';
import { deleteAccount, updateProfile, DELETED_NAME } from '../../src/domain/accounts/profile.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { applyToJoin, decideJoin, membershipOf, registerTeam, setTeamStatus } from '../../src/domain/teams/membership.ts';
import { cancelSignup, signUp } from '../../src/domain/events/signups.ts';
import { claimHours } from '../../src/domain/hours/claims.ts';
import { confirmRecords } from '../../src/domain/hours/review.ts';
import { issueCertificate, requestCertificate } from '../../src/domain/hours/certificates.ts';
import { PHONE_SCOPES, phoneRateKey } from '../../src/domain/accounts/rate-limit.ts';
import { smsCheckKeys } from '../../src/domain/accounts/sms-codes.ts';

let db: Db & { path: string };
beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
});
afterAll(() => db.$client.close());

/** Every (table, column, rowid) whose text contains `needle`, over every table of the file. */
async function occurrences(needle: string): Promise<string[]> {
  const tables = await db.$client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'");
  const found: string[] = [];
  for (const { name: t, sql } of tables.rows.map((r) => ({ name: String(r.name), sql: String(r.sql) }))) {
    const cols = (await db.$client.execute(`PRAGMA table_info("${t}")`)).rows.map((c) => String(c.name));
    // Tables WITHOUT ROWID (FTS shadow tables) are named by their first column instead.
    const key = /WITHOUT ROWID/i.test(sql) ? `"${cols[0]}"` : 'rowid';
    for (const c of cols) {
      const rs = await db.$client.execute({ sql: `SELECT ${key} AS r FROM "${t}" WHERE instr(CAST("${c}" AS TEXT), ?) > 0`, args: [needle] });
      for (const r of rs.rows) found.push(`${t}.${c}#${r.r}`);
    }
  }
  return found;
}

test('注销 of a volunteer who did many things leaves no name, phone, e-mail or ID number behind (issued certificates excepted)', async () => {
  const tree = await regionTree(db);
  const [town, village] = [tree[0].id, tree[0].villages[0].id];
  const admin = await createUser(db, TEST_KEY, { phone: '13800000001', password: 'admin-password-ok', realName: '周管理', roles: ['admin'] });
  const leader = await createUser(db, TEST_KEY, { phone: '13800000002', password: 'leader-password-ok', realName: '李队长' });
  const team = await insertTeam(db, leader, 'erasure-team');

  // The person: registers, gives an e-mail, logs in (and mistypes), …
  const name = '沈知秋';
  const phone = '13588886666';
  const email = 'shen.zhiqiu@example.cn';
  const idNumber = makeIdNumber('1993-11-02', 61, false);
  const password = 'correct horse battery staple';
  const input = await RegisterSchema.parseAsync({
    phone,
    smsCode: await smsCodeFor(db, phone),
    password,
    realName: name,
    idType: '居民身份证',
    idNumber,
    townId: town,
    villageId: village,
    agreeTerms: true,
    agreePrivacy: true,
  });
  const me = await registerVolunteer(db, TEST_KEY, input, { ip: '10.14.0.1' });
  await updateProfile(db, me, { townId: town, villageId: village, skills: ['急救'], email, publishConsent: true }, '10.14.0.1');
  await login(db, { secretKey: TEST_KEY, phone, password, ip: '10.14.0.1' });
  await login(db, { secretKey: TEST_KEY, phone, password: 'a typo', ip: '10.14.0.1' }).catch(() => undefined);
  // … joins a team (its leader is told), …
  await applyToJoin(db, team, me);
  await decideJoin(db, leader, team, (await membershipOf(db, team, me))!.id, true);
  // … signs up for tomorrow's event and cancels late (the leaders are told), …
  const soon = await insertEvent(db, team, { startsAt: Date.now() + 3 * 3600_000, endsAt: Date.now() + 5 * 3600_000 });
  await signUp(db, { eventId: soon, userId: me, secretKey: TEST_KEY });
  expect((await cancelSignup(db, { eventId: soon, userId: me })).lateCancel).toBe(true);
  // … claims hours, gets them confirmed and a certificate issued, asks for another, …
  const yesterday = shanghaiDay(Date.now() - 86400_000);
  const record = await claimHours(db, me, { teamId: team, day: yesterday, start: '09:00', end: '11:00', content: '敬老院陪护' });
  await confirmRecords(db, leader, [record]);
  const issued = await requestCertificate(db, me, { teamId: team, from: yesterday, to: yesterday });
  await issueCertificate(db, leader, issued);
  const pending = await requestCertificate(db, me, { teamId: team, from: yesterday, to: yesterday, note: '第二份' });
  // … and registers a team of their own, which an admin approves (their name is its 负责人).
  const own = await registerTeam(db, me, { name: '知秋读书志愿队', slug: 'zhiqiu-reading', townId: town, serviceTypes: ['其他'], summary: '陪伴老人读书读报', description: '' });
  await setTeamStatus(db, admin, own, 'active');
  await db.$client.execute({ sql: 'UPDATE teams SET contact_phone = ? WHERE id = ?', args: [phone, own] });

  for (const needle of [name, phone, email]) expect(await occurrences(needle), needle).not.toEqual([]);

  // The counters that name the phone (by its keyed hash): the mistyped login, the code check at registration.
  const phoneKeys = [...PHONE_SCOPES.map((s) => phoneRateKey(TEST_KEY, s, phone)), ...smsCheckKeys(TEST_KEY, phone, me)];
  const counted = async () => (await db.$client.execute('SELECT key FROM rate_limits')).rows.map((r) => String(r.key)).filter((k) => phoneKeys.includes(k));
  expect((await counted()).length).toBeGreaterThanOrEqual(2);

  await deleteAccount(db, { secretKey: TEST_KEY, userId: me, password, ip: '10.14.0.2' });
  expect(await counted()).toEqual([]);

  // Nothing names the person any more, apart from the certificate already issued (decision 077).
  const issuedOnly = [`certificates.snapshot#${issued}`];
  expect(await occurrences(name)).toEqual(issuedOnly);
  for (const needle of [phone, email, idNumber, maskPhone(phone), idNumber.slice(-6)]) expect(await occurrences(needle), needle).toEqual([]);
  // What stays is anonymous or about the service: hours, the issued certificate; the pending one is closed.
  const certs = await db.$client.execute({ sql: 'SELECT id, status, decline_reason FROM certificates WHERE user_id = ? ORDER BY id', args: [me] });
  expect(certs.rows.map((r) => [Number(r.id), r.status])).toEqual([
    [issued, 'issued'],
    [pending, 'declined'],
  ]);
  const hours = await db.$client.execute({ sql: "SELECT count(*) AS n FROM hour_records WHERE user_id = ? AND status = 'confirmed'", args: [me] });
  expect(Number(hours.rows[0].n)).toBe(1);
  const audit = await db.$client.execute({ sql: 'SELECT action FROM audit_log WHERE actor_id = ? OR target_id = ? ORDER BY id', args: [me, String(me)] });
  expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['user.register', 'profile.update', 'login.success', 'login.failure', 'team.register', 'user.delete']));
  const [ownTeam] = (await db.$client.execute({ sql: 'SELECT leader_name, contact_phone FROM teams WHERE id = ?', args: [own] })).rows;
  expect([ownTeam.leader_name, ownTeam.contact_phone]).toEqual([null, null]);
  const [row] = (await db.$client.execute({ sql: 'SELECT real_name, status FROM users WHERE id = ?', args: [me] })).rows;
  expect([row.real_name, row.status]).toEqual([DELETED_NAME, 'deleted']);
  // Nor can the file's free space or old log frames be carved for them (secure_delete, WAL flushed).
  // A libSQL server keeps its file with its own settings (decision 082): the portal cannot zero it.
  if (REMOTE) return;
  const bytes = Buffer.concat([db.path, db.path + '-wal'].filter(existsSync).map((f) => readFileSync(f)));
  for (const needle of [phone, email]) expect(bytes.includes(Buffer.from(needle)), needle).toBe(false);
});
