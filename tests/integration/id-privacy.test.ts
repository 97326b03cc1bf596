// Issue 15, item 2: an ID number cannot be rebuilt from the database file without SECRET_KEY plus
// what pages and exports show (docs/decisions/077). The attacker below is the best combination the
// decision record works out: the county's area code, the birth YEAR (an honoree entry linked to the
// account shows it), the sex, and every mask — it counts the numbers still possible.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { smsCodeFor } from '../helpers/sms.ts';
import { insertEvent, insertTeam } from '../helpers/events-fixtures.ts';
import { openDb, type Db } from '../../db/client.ts';
import { migrateData, migrateDb, migrationsFolder } from '../../db/migrate.ts';
import { idCheckChar, makeIdNumber } from '../../src/lib/id-number.ts';
import { encryptText, keyedHash, maskIdNumber } from '../../src/lib/pii.ts';
import { RegisterSchema } from '../../src/domain/accounts/schemas.ts';
import { registerVolunteer } from '../../src/domain/accounts/register.ts';
import { getOwnProfile } from '../../src/domain/accounts/profile.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { signUp } from '../../src/domain/events/signups.ts';
import { certificateByCode } from '../../src/domain/hours/certificates.ts';

const AREA = '511001'; // 云溪县, the county the demo site publishes

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

/** Every text value the database file holds for a user, readable without the key. */
async function clearRow(userId: number): Promise<Record<string, unknown>> {
  const rs = await db.$client.execute({ sql: 'SELECT * FROM users WHERE id = ?', args: [userId] });
  return { ...rs.rows[0] };
}

/**
 * The numbers an attacker cannot tell apart: every valid ID number of the area, born in the known
 * year, of the stored sex, that gives the same mask — and matches any birth date left in clear.
 */
function candidates(year: number, row: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += 86400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    if (row.birth_date && row.birth_date !== day) continue;
    for (let seq = 0; seq < 1000; seq++) {
      if (row.gender && (seq % 2 === 1 ? '男' : '女') !== row.gender) continue;
      const first17 = AREA + day.replace(/-/g, '') + String(seq).padStart(3, '0');
      const id = first17 + idCheckChar(first17);
      if (maskIdNumber(id) === row.id_number_masked) out.push(id);
    }
  }
  return out;
}

describe('what the database and the pages give away', () => {
  test('a registered ID number still has ≥ 1,000 candidates; no birth date is stored in clear', async () => {
    const idNumber = makeIdNumber('1990-03-15', 123, true, AREA);
    const input = await RegisterSchema.parseAsync({
      phone: '13522220001',
      smsCode: await smsCodeFor(db, '13522220001'),
      password: 'correct horse battery',
      realName: '王重建',
      idType: '居民身份证',
      idNumber,
      townId: town,
      villageId: village,
      agreeTerms: true,
      agreePrivacy: true,
    });
    const id = await registerVolunteer(db, TEST_KEY, input, { ip: '10.20.0.1' });
    const row = await clearRow(id);
    // Ciphertexts and hashes aside (random digits may match anything), no column holds a piece of it.
    const { id_number_enc, id_number_hash, birth_date_enc, password_hash, ...clear } = row;
    expect([id_number_enc, id_number_hash, birth_date_enc, password_hash].every(Boolean)).toBe(true);
    const text = JSON.stringify(Object.values(clear).filter((v) => typeof v === 'string'));
    for (const leak of [idNumber, '1990-03-15', '19900315', '0315', idNumber.slice(-4)]) expect(text).not.toContain(leak);
    const left = candidates(1990, row);
    expect(left).toContain(idNumber);
    expect(left.length).toBeGreaterThanOrEqual(1000);
    // The owner still reads their own number and birth date (decrypted).
    expect(await getOwnProfile(db, TEST_KEY, id)).toMatchObject({ idNumber, birthDate: '1990-03-15', idNumberMasked: '5110**************' });
  });

  test.each([
    ['居民身份证', '51010419900101123X', '5101**************'],
    ['港澳台居民居住证', '81000019880808123X', '8100**************'],
    ['护照 E + 8 digits', 'E12345678', 'E********'],
    ['护照 letters and digits', 'PA1234567', 'P********'],
    ['anything short', 'AB12', '****'],
  ])('the mask of a %s shows no digit of the birth date, sequence or check', (_t, number, mask) => {
    expect(maskIdNumber(number)).toBe(mask);
  });
});

describe('age rules without a clear birth date', () => {
  function yearsAgo(years: number): string {
    const d = new Date();
    d.setUTCFullYear(d.getUTCFullYear() - years);
    return d.toISOString().slice(0, 10);
  }
  let n = 0;
  async function person(birthDate: string, idType = '居民身份证') {
    n++;
    const idNumber = idType === '护照' ? `E${String(70000000 + n)}` : makeIdNumber(birthDate, 200 + n);
    return createUser(db, TEST_KEY, { phone: `1352222${String(1000 + n)}`, password: 'correct horse battery', realName: '年龄测', idType, idNumber, birthDate });
  }

  test('dangerous events and minimum ages read the encrypted birth date (ID card and passport alike)', async () => {
    const leader = await person('1980-01-01');
    const team = await insertTeam(db, leader);
    const dangerous = await insertEvent(db, team, { dangerous: true, insurance: 'PICC-2026-001' });
    const from16 = await insertEvent(db, team, { minAge: 16, startsAt: Date.now() + 20 * 86400_000 });
    const minor = await person(yearsAgo(16));
    const adult = await person(yearsAgo(30));
    const passportAdult = await person(yearsAgo(40), '护照');
    await expect(signUp(db, { eventId: dangerous, userId: minor, secretKey: TEST_KEY })).rejects.toThrow('未满 18 周岁');
    expect((await signUp(db, { eventId: from16, userId: minor, secretKey: TEST_KEY })).status).toBe('confirmed');
    expect((await signUp(db, { eventId: dangerous, userId: adult, secretKey: TEST_KEY })).status).toBe('confirmed');
    expect((await signUp(db, { eventId: dangerous, userId: passportAdult, secretKey: TEST_KEY })).status).toBe('confirmed');
    // Without the key the age is unknown, and unknown never passes an age rule.
    const other = await person(yearsAgo(30));
    await expect(signUp(db, { eventId: dangerous, userId: other })).rejects.toThrow('未满 18 周岁');
    const rows = await db.$client.execute({ sql: 'SELECT birth_date, birth_date_enc FROM users WHERE id IN (?, ?, ?)', args: [minor, adult, passportAdult] });
    for (const r of rows.rows) {
      expect(r.birth_date).toBeNull();
      expect(String(r.birth_date_enc)).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    }
  });
});

describe('migration 0008 and the start-up data migration', () => {
  test('existing rows: masks re-cut, issued certificates re-masked, clear birth dates sealed, names gone from leaders’ notices', async () => {
    // A database as release 0006 left it …
    const legacyFolder = mkdtempSync(join(tmpdir(), 'legacy-migrations-'));
    cpSync(migrationsFolder, legacyFolder, { recursive: true });
    const journalFile = join(legacyFolder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    journal.entries = journal.entries.filter((e: { tag: string }) => e.tag <= '0006_signups_event_seq');
    writeFileSync(journalFile, JSON.stringify(journal));
    const dir = mkdtempSync(join(tmpdir(), 'legacy-db-'));
    const old = await openDb({ url: `file:${join(dir, 'legacy.db')}` });
    await migrate(old, { migrationsFolder: legacyFolder });
    // … with rows written by the old code: 4 + 4 masks, clear birth dates, a name in a leader's notice.
    const idNumber = makeIdNumber('1991-07-09', 77, false, AREA);
    const oldMask = idNumber.slice(0, 4) + '**********' + idNumber.slice(-4);
    const now = Date.now();
    const add = async (sql: string, args: (string | number | null)[]) => Number((await old.$client.execute({ sql: sql + ' RETURNING id', args })).rows[0].id);
    const user = await add(
      `INSERT INTO users (phone, real_name, id_type, id_number_enc, id_number_hash, id_number_masked, birth_date, gender, status, created_at)
                            VALUES ('13533330001', '林旧档', '居民身份证', ?, ?, ?, '1991-07-09', '女', 'active', ?)`,
      [encryptText(TEST_KEY, idNumber), keyedHash(TEST_KEY, `居民身份证:${idNumber}`), oldMask, now],
    );
    const passport = await add(
      `INSERT INTO users (phone, real_name, id_type, id_number_masked, birth_date, status, created_at)
                                VALUES ('13533330002', '林护照', '护照', 'E123*5678', '1970-01-02', 'active', ?)`,
      [now],
    );
    const leader = await add(`INSERT INTO users (phone, real_name, status, created_at) VALUES ('13533330003', '林队长', 'active', ?)`, [now]);
    const team = await add(`INSERT INTO teams (slug, name, status, created_at) VALUES ('legacy-team', '旧队伍', 'active', ?)`, [now]);
    await old.$client.execute({ sql: `INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (?, ?, 'leader', 'active', ?)`, args: [team, leader, now] });
    const snapshot = {
      volunteer: { name: '林旧档', idType: '居民身份证', idMasked: oldMask, volunteerNo: 'YX2025000001' },
      service: { periodFrom: '2025-01-01', periodTo: '2025-12-31', totalMinutes: 120, items: [{ date: '2025-05-01', content: '敬老院陪护', minutes: 120 }] },
      issuer: { org: '旧队伍', leader: '林队长', handler: '林队长', contact: '0838-1234567' },
      issueDate: '2025年12月31日',
      notes: '',
    };
    await old.$client.execute({
      sql: `INSERT INTO certificates (number, code, user_id, team_id, period_from, period_to, total_minutes, snapshot, status, requested_at, issued_at, created_at)
            VALUES ('SX-2025-000001', 'LEGACYCODE01', ?, ?, '2025-01-01', '2025-12-31', 120, ?, 'issued', ?, ?, ?)`,
      args: [user, team, JSON.stringify(snapshot), now, now, now],
    });
    await old.$client.execute({
      sql: `INSERT INTO notices (user_id, kind, title, body, created_at) VALUES (?, 'team.join_request', '入队申请：旧队伍', '林旧档 申请加入队伍，请审核。', ?)`,
      args: [leader, now],
    });
    await old.$client.execute({
      sql: `INSERT INTO notices (user_id, kind, title, body, created_at) VALUES (?, 'signup.late_cancel', '临时取消：巡河', '林旧档 在活动开始前 24 小时内取消了报名。', ?)`,
      args: [leader, now],
    });
    old.$client.close();

    // Start-up as scripts/start.mjs does it: migrations, then the data migrations that need the key.
    const db2 = await openDb({ url: `file:${join(dir, 'legacy.db')}` });
    await migrateDb(db2);
    await migrateData(db2, { secretKey: TEST_KEY });
    const users = await db2.$client.execute({ sql: 'SELECT id, id_number_masked, birth_date, birth_date_enc FROM users WHERE id IN (?, ?) ORDER BY id', args: [user, passport] });
    expect(users.rows.map((r) => [r.id_number_masked, r.birth_date])).toEqual([
      [idNumber.slice(0, 4) + '*'.repeat(14), null],
      ['E********', null],
    ]);
    expect((await getOwnProfile(db2, TEST_KEY, user))?.birthDate).toBe('1991-07-09');
    expect((await getOwnProfile(db2, TEST_KEY, passport))?.birthDate).toBe('1970-01-02');
    const cert = await certificateByCode(db2, 'LEGACYCODE01');
    expect(cert?.snapshot).toEqual({ ...snapshot, volunteer: { ...snapshot.volunteer, idMasked: idNumber.slice(0, 4) + '*'.repeat(14) } });
    const notices = await db2.$client.execute('SELECT body FROM notices');
    expect(JSON.stringify(notices.rows)).not.toContain('林旧档');
    expect(notices.rows).toHaveLength(2);
    // The migrated person's age still decides: an adult joins a dangerous event.
    const event = await insertEvent(db2, team, { dangerous: true, insurance: 'PICC-2026-001' });
    expect((await signUp(db2, { eventId: event, userId: user, secretKey: TEST_KEY })).status).toBe('confirmed');
    // Running the data migration again changes nothing.
    await migrateData(db2, { secretKey: TEST_KEY });
    expect((await getOwnProfile(db2, TEST_KEY, user))?.birthDate).toBe('1991-07-09');
    db2.$client.close();
    // The clear dates are not left in the file's free space or in old log frames either.
    const file = join(dir, 'legacy.db');
    const bytes = Buffer.concat([file, file + '-wal'].filter(existsSync).map((f) => readFileSync(f)));
    for (const leak of ['1991-07-09', '1970-01-02', oldMask]) expect(bytes.includes(Buffer.from(leak)), leak).toBe(false);
  });
});
