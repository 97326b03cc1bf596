// The leader's workspace (issue 18): notices a volunteer can act on (item 8), confirming many records only as a
// deliberate act (item 10), masked phones with an audited reveal and the insurer's list only for insured events
// (item 11). Real libSQL files; what a volunteer, leader or attacker would notice: notices, rows, bytes.
import { beforeEach, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { insertEvent, insertTeam, insertUsers } from '../helpers/events-fixtures.ts';
import type { Db } from '../../db/client.ts';
import { cancelSignup, signUp } from '../../src/domain/events/signups.ts';
import { leaderEntry } from '../../src/domain/hours/leader-entry.ts';
import { confirmRecords, declineRecord } from '../../src/domain/hours/review.ts';
import { acceptCorrection, declineCorrection, requestCorrection } from '../../src/domain/hours/corrections.ts';
import { HoursError } from '../../src/domain/hours/errors.ts';
import { PublicContactSchema, setPublicContact, teamPublicContact } from '../../src/domain/teams/contact.ts';
import { MEMBER_REVEALS_PER_HOUR, revealMemberPhone } from '../../src/domain/teams/reveal.ts';
import { insuranceExport } from '../../src/domain/events/insurance-export.ts';
import { rosterCsv } from '../../src/domain/events/export.ts';
import { roster } from '../../src/domain/events/manage.ts';
import { encryptText } from '../../src/lib/pii.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { fromShanghai } from '../../src/lib/time.ts';
import { Refusal } from '../../src/domain/refusal.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';

let db: Db;
let leader: number;
let teamId: number;
let vol: number;
let other: number;

const q = async <T = Record<string, unknown>>(text: string, ...args: (string | number | null)[]): Promise<T[]> => (await db.$client.execute({ sql: text, args })).rows as unknown as T[];
const one = async (text: string, ...args: (string | number | null)[]) => (await q(text, ...args))[0];
const phoneOf = async (id: number) => String((await one('SELECT phone FROM users WHERE id = ?', id)).phone);
const asUser = async (id: number): Promise<SessionUser> => ({ id, realName: 'x', phone: await phoneOf(id), status: 'active', roles: ['volunteer'] }) as unknown as SessionUser;

async function join(team: number, user: number, status = 'active') {
  await q(`INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (?, ?, 'member', ?, ?)`, team, user, status, Date.now());
  return Number((await one('SELECT id FROM team_members WHERE team_id = ? AND user_id = ?', team, user)).id);
}

async function refusalOf(p: Promise<unknown>): Promise<Refusal> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(Refusal);
    return e as Refusal;
  }
  throw new Error('expected a refusal');
}

beforeEach(async () => {
  db = await freshDb({ seed: 'none' });
  [leader, vol, other] = await insertUsers(db, 3, { prefix: '152' });
  teamId = await insertTeam(db, leader);
  await join(teamId, vol);
});

describe('item 8: notices a volunteer can act on', () => {
  const NOW = fromShanghai('2026-06-15', '20:00');
  async function pendingRecord(title = '河道清洁'): Promise<number> {
    const ev = await insertEvent(db, teamId, { title, startsAt: fromShanghai('2026-06-14', '09:00'), endsAt: fromShanghai('2026-06-14', '11:30'), status: 'completed' });
    await q(`INSERT INTO signups (event_id, user_id, status, seq, created_at) VALUES (?, ?, 'attended', 1, ?)`, ev, vol, Date.now());
    const [r] = await leaderEntry(db, leader, { teamId, eventId: ev, startsAt: fromShanghai('2026-06-14', '09:00'), endsAt: fromShanghai('2026-06-14', '11:30'), content: title, userIds: [vol] }, NOW);
    expect(r.ok).toBe(true);
    return Number((await one(`SELECT id FROM hour_records WHERE user_id = ? AND status = 'pending'`, vol)).id);
  }
  const noticesOf = (user: number) => q<{ kind: string; title: string; body: string }>('SELECT kind, title, body FROM notices WHERE user_id = ? ORDER BY id', user);

  test('confirmed hours: the volunteer is told which event, when and how many hours', async () => {
    const id = await pendingRecord();
    expect((await confirmRecords(db, leader, [id], NOW)).confirmed).toBe(1);
    const n = (await noticesOf(vol)).filter((x) => x.kind.startsWith('hours'));
    expect(n).toHaveLength(1);
    expect(n[0].title).toBe('服务时长已确认');
    expect(n[0].body).toContain('河道清洁');
    expect(n[0].body).toContain('2026/06/14 09:00–11:30');
    expect(n[0].body).toContain('2.5 小时');
  });

  test('declined hours: the notice names the event, the hours and the reason', async () => {
    const id = await pendingRecord('夜间巡防');
    await declineRecord(db, leader, id, '当天未到岗签到', NOW);
    const [n] = (await noticesOf(vol)).filter((x) => x.kind.startsWith('hours'));
    expect(n.title).toBe('服务时长未予确认');
    expect(n.body).toContain('夜间巡防');
    expect(n.body).toContain('2.5 小时');
    expect(n.body).toContain('当天未到岗签到');
  });

  test('a correction accepted or declined: the notice states the record (corrected time and hours) and the reason', async () => {
    const id = await pendingRecord('社区清扫');
    await confirmRecords(db, leader, [id], NOW);
    const c1 = await requestCorrection(db, vol, { recordId: id, startsAt: '2026-06-14T09:30', endsAt: '2026-06-14T11:30', reason: '实际 9 点半才开始' }, NOW);
    await acceptCorrection(db, leader, c1, NOW);
    const c2 = await requestCorrection(db, vol, { recordId: id, startsAt: '2026-06-14T09:00', endsAt: '2026-06-14T11:30', reason: '其实 9 点就到了' }, NOW);
    await declineCorrection(db, leader, c2, '签到记录为 9 点', NOW);
    const n = (await noticesOf(vol)).filter((x) => x.kind === 'hours.correction');
    expect(n.map((x) => x.title)).toEqual(['服务时长更正已通过', '服务时长更正未通过']);
    expect(n[0].body).toContain('2026/06/14 09:30–11:30');
    expect(n[0].body).toContain('2 小时');
    expect(n[1].body).toContain('社区清扫');
    expect(n[1].body).toContain('签到记录为 9 点');
  });

  test('sign-up and waitlist-promotion notices carry the Beijing time and the place', async () => {
    const town = Number((await one(`INSERT INTO regions (code, name, level, kind, parent_id) VALUES ('t-lw', '城关镇', 'town', '镇', NULL) RETURNING id`)).id);
    const startsAt = fromShanghai('2030-05-01', '09:00');
    const ev = await insertEvent(db, teamId, { title: '敬老院探访', capacity: 1, startsAt, endsAt: fromShanghai('2030-05-01', '11:00') });
    await q('UPDATE events SET town_id = ?, address = ? WHERE id = ?', town, '东门社区敬老院', ev);
    await signUp(db, { eventId: ev, userId: vol });
    await signUp(db, { eventId: ev, userId: other });
    const [confirmed] = (await noticesOf(vol)).filter((x) => x.kind === 'signup.confirmed');
    expect(confirmed.body).toContain('时间：2030/05/01 09:00–11:00（北京时间）');
    expect(confirmed.body).toContain('地点：城关镇 东门社区敬老院');
    const [waiting] = (await noticesOf(other)).filter((x) => x.kind === 'signup.waitlisted');
    expect(waiting.body).toContain('2030/05/01 09:00');
    await cancelSignup(db, { eventId: ev, userId: vol });
    const [promoted] = (await noticesOf(other)).filter((x) => x.kind === 'signup.promoted');
    expect(promoted.body).toContain('时间：2030/05/01 09:00–11:00（北京时间）');
    expect(promoted.body).toContain('东门社区敬老院');
  });

  test("the team's public number is what the leader chose: none, the hotline, or their own phone while they lead", async () => {
    expect(await teamPublicContact(db, teamId)).toBeNull();
    await setPublicContact(db, leader, PublicContactSchema.parse({ teamId, choice: 'hotline', hotline: '0838-7654321' }));
    expect(await teamPublicContact(db, teamId)).toEqual({ label: '队伍联系电话', phone: '0838-7654321' });
    await setPublicContact(db, leader, PublicContactSchema.parse({ teamId, choice: 'person', hotline: '' }));
    expect((await teamPublicContact(db, teamId))?.phone).toBe(await phoneOf(leader));
    // A member cannot change it; a leader who steps down stops being published.
    expect((await refusalOf(setPublicContact(db, vol, PublicContactSchema.parse({ teamId, choice: 'hotline', hotline: '0838-1111111' })))).status).toBe('FORBIDDEN');
    await q(`UPDATE team_members SET role = 'member' WHERE team_id = ? AND user_id = ?`, teamId, leader);
    expect(await teamPublicContact(db, teamId)).toBeNull();
    expect(await one(`SELECT count(*) AS n FROM audit_log WHERE action = 'team.public_contact'`)).toEqual({ n: 2 });
  });

  test('a bad hotline, or the hotline chosen without a number, is refused on the hotline field', () => {
    const bad = PublicContactSchema.safeParse({ teamId, choice: 'hotline', hotline: '12345' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['hotline'], message: expect.stringContaining('电话号码') });
    expect(PublicContactSchema.safeParse({ teamId, choice: 'hotline', hotline: '' }).error?.issues[0].path).toEqual(['hotline']);
  });
});

describe('item 10: confirming many at once is a deliberate act', () => {
  const NOW = fromShanghai('2026-06-15', '20:00');
  test('two records without the count seen on the confirm step: refused, nothing confirmed; with it, both', async () => {
    const second = (await insertUsers(db, 1, { prefix: '153' }))[0];
    await join(teamId, second);
    await leaderEntry(db, leader, { teamId, startsAt: fromShanghai('2026-06-14', '09:00'), endsAt: fromShanghai('2026-06-14', '10:00'), content: '清扫', userIds: [vol, second] }, NOW);
    const ids = (await q<{ id: number }>(`SELECT id FROM hour_records WHERE status = 'pending' ORDER BY id`)).map((r) => Number(r.id));
    expect(ids).toHaveLength(2);
    const e = await refusalOf(confirmRecords(db, leader, ids, NOW));
    expect(e).toBeInstanceOf(HoursError);
    expect(e.message).toContain('核对条数');
    expect(await one(`SELECT count(*) AS n FROM hour_records WHERE status = 'confirmed'`)).toEqual({ n: 0 });
    expect((await refusalOf(confirmRecords(db, leader, ids, NOW, 1))).message).toContain('核对条数');
    expect((await confirmRecords(db, leader, ids, NOW, 2)).confirmed).toBe(2);
  });
});

describe('item 11: masked phones, an audited reveal, the insurer list only for insured events', () => {
  test("a leader reveals a member's phone, audited; another team's member, an applicant or a non-leader gets nothing", async () => {
    const mid = Number((await one('SELECT id FROM team_members WHERE team_id = ? AND user_id = ?', teamId, vol)).id);
    expect(await revealMemberPhone(db, { id: leader }, teamId, mid)).toEqual({ memberId: mid, phone: await phoneOf(vol) });
    expect(await one(`SELECT actor_id, target_id FROM audit_log WHERE action = 'team.reveal_phone'`)).toEqual({ actor_id: leader, target_id: String(vol) });

    const [otherLeader] = await insertUsers(db, 1, { prefix: '154' });
    const otherTeam = await insertTeam(db, otherLeader);
    const foreign = await join(otherTeam, other);
    const applicant = await join(teamId, other, 'pending');
    // Another team's member id with this team's id, an applicant, a member asking: all "not found", no audit row.
    for (const [actor, team, member] of [
      [leader, teamId, foreign],
      [leader, otherTeam, foreign],
      [leader, teamId, applicant],
      [vol, teamId, mid],
    ]) {
      expect((await refusalOf(revealMemberPhone(db, { id: actor }, team, member))).status).toBe('NOT_FOUND');
    }
    expect(await one(`SELECT count(*) AS n FROM audit_log WHERE action = 'team.reveal_phone'`)).toEqual({ n: 1 });
  });

  test('reveals are rate-limited per leader', async () => {
    const mid = Number((await one('SELECT id FROM team_members WHERE team_id = ? AND user_id = ?', teamId, vol)).id);
    const now = Date.now();
    for (let i = 1; i < MEMBER_REVEALS_PER_HOUR; i++) await revealMemberPhone(db, { id: leader }, teamId, mid, now);
    await revealMemberPhone(db, { id: leader }, teamId, mid, now);
    expect((await refusalOf(revealMemberPhone(db, { id: leader }, teamId, mid, now))).status).toBe('TOO_MANY_REQUESTS');
  });

  test('the roster export is masked; the insurer list is refused for an uninsured event and full for an insured one, audited', async () => {
    const id = makeIdNumber('1990-05-01', 7);
    await q(`UPDATE users SET id_type = '居民身份证', id_number_enc = ?, id_number_masked = ? WHERE id = ?`, encryptText(TEST_KEY, id), id.slice(0, 4) + '**********' + id.slice(-4), vol);
    const plain = await insertEvent(db, teamId, { title: '普通活动', startsAt: Date.now() + 20 * 86400_000 });
    const insured = await insertEvent(db, teamId, { title: '山地搜救演练', dangerous: true, insurance: 'PICC-2026-0001' });
    await signUp(db, { eventId: insured, userId: vol, secretKey: TEST_KEY });
    await signUp(db, { eventId: plain, userId: vol, secretKey: TEST_KEY });
    const phone = await phoneOf(vol);

    expect(rosterCsv(await roster(db, insured))).not.toContain(phone);
    expect((await refusalOf(insuranceExport(db, TEST_KEY, await asUser(leader), teamId, plain))).status).toBe('CONFLICT');
    expect((await refusalOf(insuranceExport(db, TEST_KEY, await asUser(vol), teamId, insured))).status).toBe('FORBIDDEN');
    expect(await one(`SELECT count(*) AS n FROM audit_log WHERE action = 'event.insurance_export'`)).toEqual({ n: 0 });

    const out = await insuranceExport(db, TEST_KEY, await asUser(leader), teamId, insured);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(out.bytes as unknown as ArrayBuffer);
    const cells = wb.worksheets[0].getSheetValues().flat().map(String);
    expect(cells).toContain(id);
    expect(cells).toContain(phone);
    expect(await one(`SELECT actor_id, target_id FROM audit_log WHERE action = 'event.insurance_export'`)).toEqual({ actor_id: leader, target_id: String(insured) });
  });
});
