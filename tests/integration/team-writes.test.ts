// Issue 15, items 5, 6 and 15 (docs/decisions/079): nobody confirms or certifies their own record — another
// leader of the team or staff must —, a suspended team's leaders lose every write power over it, and
// events and teams only name regions that exist.
import { beforeEach, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { fromShanghai } from '../../src/lib/time.ts';
import { setSetting } from '../../src/domain/settings/index.ts';
import { HoursError } from '../../src/domain/hours/errors.ts';
import { claimHours } from '../../src/domain/hours/claims.ts';
import { leaderEntry, recordsFromAttendance } from '../../src/domain/hours/leader-entry.ts';
import { pendingQueue } from '../../src/domain/hours/queries.ts';
import { confirmRecords, declineRecord } from '../../src/domain/hours/review.ts';
import { acceptCorrection, declineCorrection, requestCorrection } from '../../src/domain/hours/corrections.ts';
import { certificateByCode, declineCertificate, getCertificate, issueCertificate, requestCertificate, revokeCertificate, teamCertificates } from '../../src/domain/hours/certificates.ts';
import { registerTeam, setTeamStatus } from '../../src/domain/teams/membership.ts';
import { createEvent, EventError, EventInputSchema, updateEvent } from '../../src/domain/events/manage.ts';
import { addMember, count, makeEvent, makeSignup, makeTeam, makeUser } from './hours-fixtures.ts';

const NOW = fromShanghai('2026-06-15', '20:00');
const at = (day: string, time: string) => fromShanghai(day, time);

let db: Db;
let team: number;
let leader: number;
let member: number;
let admin: number;

beforeEach(async () => {
  db = await freshDb();
  team = await makeTeam(db, '城关镇红马甲志愿服务队');
  leader = await makeUser(db, '李建华');
  member = await makeUser(db, '何思远');
  admin = await makeUser(db, '周文涛');
  await addMember(db, team, leader, 'leader');
  await addMember(db, team, member);
});

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HoursError);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

const row = async (sql: string, args: (string | number)[]) => (await db.$client.execute({ sql, args })).rows[0];
const minutesOf = async (userId: number) => Number((await row('SELECT confirmed_minutes FROM users WHERE id = ?', [userId])).confirmed_minutes);

/** The pen test: the leader enters 8 h for themself. */
async function leaderEntersOwnEightHours(): Promise<number> {
  const [r] = await leaderEntry(db, leader, { teamId: team, startsAt: at('2026-06-14', '08:00'), endsAt: at('2026-06-14', '16:00'), content: '社区值守', userIds: [leader] }, NOW);
  expect(r.ok).toBe(true);
  return r.recordId!;
}

async function addColeader(): Promise<number> {
  const co = await makeUser(db, '王副队长');
  await db.$client.execute({ sql: `INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (?, ?, 'coleader', 'active', ?)`, args: [team, co, Date.now()] });
  return co;
}

describe('item 5: nobody confirms or certifies their own record', () => {
  test('a leader who entered 8 h for themself cannot confirm them: still pending, 0 h counted, told who must confirm', async () => {
    const id = await leaderEntersOwnEightHours();
    const res = await confirmRecords(db, leader, [id], NOW);
    expect(res.confirmed).toBe(0);
    expect(res.failed).toEqual([{ id, message: expect.stringContaining('需由队伍其他负责人或县文明实践中心工作人员确认') }]);
    expect(await row('SELECT status, reviewer_id FROM hour_records WHERE id = ?', [id])).toMatchObject({ status: 'pending', reviewer_id: null });
    expect(await minutesOf(leader)).toBe(0);
  });

  test('nor decline them, nor decide a correction of their own record', async () => {
    const id = await leaderEntersOwnEightHours();
    expect(await refusal(declineRecord(db, leader, id, '时间有误', NOW))).toContain('本人');
    const corr = await requestCorrection(db, leader, { recordId: id, startsAt: '2026-06-14T08:00', endsAt: '2026-06-14T18:00', reason: '实际到 18 点' }, NOW);
    expect(await refusal(acceptCorrection(db, leader, corr, NOW))).toContain('本人');
    expect(await refusal(declineCorrection(db, leader, corr, '不同意', NOW))).toContain('本人');
    expect((await row('SELECT minutes FROM hour_records WHERE id = ?', [id])).minutes).toBe(480);
    expect(await count(db, `hour_corrections WHERE status = 'pending'`)).toBe(1);
  });

  test('another leader of the team confirms it, and counts it', async () => {
    const id = await leaderEntersOwnEightHours();
    const co = await addColeader();
    expect((await confirmRecords(db, co, [id], NOW)).confirmed).toBe(1);
    expect(await row('SELECT status, reviewer_id FROM hour_records WHERE id = ?', [id])).toMatchObject({ status: 'confirmed', reviewer_id: co });
    expect(await minutesOf(leader)).toBe(480);
  });

  test("staff confirm a sole leader's own record, but not an ordinary member's (that is the team's job)", async () => {
    const own = await leaderEntersOwnEightHours();
    const claim = await claimHours(db, member, { teamId: team, day: '2026-06-13', start: '09:00', end: '11:00', content: '整理图书角' }, NOW);
    const res = await confirmRecords(db, { id: admin, staff: true }, [own, claim], NOW, 2);
    expect(res.confirmed).toBe(1);
    expect(res.failed.map((f) => f.id)).toEqual([claim]);
    expect(await row('SELECT status, reviewer_id FROM hour_records WHERE id = ?', [own])).toMatchObject({ status: 'confirmed', reviewer_id: admin });
    expect(await refusal(declineRecord(db, { id: admin, staff: true }, claim, '时间有误', NOW))).toContain('记录不存在');
    expect((await row('SELECT status FROM hour_records WHERE id = ?', [claim])).status).toBe('pending');
  });

  test('a leader cannot issue (or decline) their own certificate; /verify finds nothing; staff issue it', async () => {
    const own = await leaderEntersOwnEightHours();
    await confirmRecords(db, { id: admin, staff: true }, [own], NOW);
    const cert = await requestCertificate(db, leader, { teamId: team, from: '2026-06-01', to: '2026-06-15' }, NOW);
    expect(await refusal(issueCertificate(db, leader, cert, NOW))).toContain('需由队伍其他负责人或县文明实践中心工作人员出具证明');
    expect(await refusal(declineCertificate(db, leader, cert, '不需要', NOW))).toContain('本人');
    const c = (await getCertificate(db, cert))!;
    expect(c).toMatchObject({ status: 'requested', number: null, code: null });
    expect(await row(`SELECT value FROM counters WHERE name = 'certificate-no-2026'`, [])).toBeUndefined();
    const { code } = await issueCertificate(db, { id: admin, staff: true }, cert, NOW);
    expect((await certificateByCode(db, code))?.status).toBe('issued');
    expect(await row('SELECT issued_by FROM certificates WHERE id = ?', [cert])).toMatchObject({ issued_by: admin });
  });

  test("staff may not issue an ordinary member's certificate (the team issues it)", async () => {
    const claim = await claimHours(db, member, { teamId: team, day: '2026-06-13', start: '09:00', end: '11:00', content: '整理图书角' }, NOW);
    await confirmRecords(db, leader, [claim], NOW);
    const cert = await requestCertificate(db, member, { teamId: team, from: '2026-06-01', to: '2026-06-15' }, NOW);
    await expect(issueCertificate(db, { id: admin, staff: true }, cert, NOW)).rejects.toThrow(HoursError);
    expect((await getCertificate(db, cert))!.status).toBe('requested');
  });

  test('the leader is not notified of their own certificate request; other leaders are', async () => {
    const own = await leaderEntersOwnEightHours();
    const co = await addColeader();
    await confirmRecords(db, co, [own], NOW);
    await requestCertificate(db, leader, { teamId: team, from: '2026-06-01', to: '2026-06-15' }, NOW);
    expect(await count(db, `notices WHERE kind = 'certificates' AND user_id = ?`, [leader])).toBe(0);
    expect(await count(db, `notices WHERE kind = 'certificates' AND user_id = ?`, [co])).toBe(1);
  });

  test('the database itself refuses a record confirmed by its own volunteer, and a certificate issued to oneself', async () => {
    const id = await leaderEntersOwnEightHours();
    await expect(db.$client.execute({ sql: `UPDATE hour_records SET status = 'confirmed', reviewer_id = user_id WHERE id = ?`, args: [id] })).rejects.toThrow(/HOURS_SELF_REVIEW/);
    await expect(
      db.$client.execute({
        sql: `INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, status, reviewer_id, created_at) VALUES (?, ?, 'leader', ?, ?, 60, 'confirmed', ?, ?)`,
        args: [leader, team, at('2026-06-01', '08:00'), at('2026-06-01', '09:00'), leader, NOW],
      }),
    ).rejects.toThrow(/HOURS_SELF_REVIEW/);
    await expect(
      db.$client.execute({
        sql: `INSERT INTO certificates (user_id, team_id, period_from, period_to, status, requested_at, issued_by, created_at) VALUES (?, ?, '2026-06-01', '2026-06-15', 'issued', ?, ?, ?)`,
        args: [leader, team, NOW, leader, NOW],
      }),
    ).rejects.toThrow(/CERTIFICATE_SELF_ISSUE/);
    expect(await minutesOf(leader)).toBe(0);
  });
});

describe("item 6: a suspended team's leaders lose every write power over it", () => {
  let pending: number;
  let correction: number;
  let requested: number;
  let issued: number;
  let eventId: number;

  beforeEach(async () => {
    // A confirmed record with an issued certificate, an open certificate request, a pending claim with a correction, and an event with attendance.
    const done = await claimHours(db, member, { teamId: team, day: '2026-06-10', start: '09:00', end: '11:00', content: '敬老院陪护' }, NOW);
    await confirmRecords(db, leader, [done], NOW);
    issued = await requestCertificate(db, member, { teamId: team, from: '2026-06-01', to: '2026-06-11' }, NOW);
    await issueCertificate(db, leader, issued, NOW);
    requested = await requestCertificate(db, member, { teamId: team, from: '2026-06-01', to: '2026-06-12' }, NOW);
    pending = await claimHours(db, member, { teamId: team, day: '2026-06-13', start: '09:00', end: '11:00', content: '整理图书角' }, NOW);
    correction = await requestCorrection(db, member, { recordId: pending, startsAt: '2026-06-13T09:00', endsAt: '2026-06-13T12:00', reason: '多服务了一小时' }, NOW);
    eventId = await makeEvent(db, team, at('2026-06-14', '08:00'), at('2026-06-14', '10:00'));
    await makeSignup(db, eventId, member, 'attended');
    await setTeamStatus(db, admin, team, 'suspended');
  });

  const SUSPENDED = '该队伍已被暂停，负责人暂不能';

  test.each([
    ['entering hours', () => leaderEntry(db, leader, { teamId: team, startsAt: at('2026-06-14', '13:00'), endsAt: at('2026-06-14', '14:00'), content: '值守', userIds: [member] }, NOW)],
    ['turning attendance into records', () => recordsFromAttendance(db, leader, eventId, NOW)],
    ['declining a record', () => declineRecord(db, leader, pending, '时间有误', NOW)],
    ['accepting a correction', () => acceptCorrection(db, leader, correction, NOW)],
    ['declining a correction', () => declineCorrection(db, leader, correction, '记录无误', NOW)],
    ['issuing a certificate', () => issueCertificate(db, leader, requested, NOW)],
    ['declining a certificate request', () => declineCertificate(db, leader, requested, '时长不足', NOW)],
    ['revoking a certificate', () => revokeCertificate(db, { id: leader, mayManage: false }, issued, '信息有误', NOW)],
  ])('%s is refused, saying the team is suspended, and changes nothing', async (_name, act) => {
    const before = await db.$client.execute(
      `SELECT (SELECT group_concat(id || status || minutes) FROM hour_records) AS h, (SELECT group_concat(id || status) FROM certificates) AS c, (SELECT group_concat(id || status) FROM hour_corrections) AS k`,
    );
    expect(await refusal(act())).toContain(SUSPENDED);
    const after = await db.$client.execute(
      `SELECT (SELECT group_concat(id || status || minutes) FROM hour_records) AS h, (SELECT group_concat(id || status) FROM certificates) AS c, (SELECT group_concat(id || status) FROM hour_corrections) AS k`,
    );
    expect(after.rows[0]).toEqual(before.rows[0]);
  });

  test('confirming is refused with the same message and confirms nothing', async () => {
    const res = await confirmRecords(db, leader, [pending], NOW);
    expect(res).toEqual({ confirmed: 0, failed: [{ id: pending, message: expect.stringContaining(SUSPENDED) }] });
    expect((await row('SELECT status FROM hour_records WHERE id = ?', [pending])).status).toBe('pending');
  });

  test('the leader still reads the queue and the certificates', async () => {
    expect((await pendingQueue(db, team)).map((r) => r.id)).toEqual([pending]);
    expect((await teamCertificates(db, team)).map((c) => c.id).sort()).toEqual([issued, requested].sort());
  });

  test('no certificate is issued automatically for a suspended team', async () => {
    await setSetting(db, 'autoIssueCertificates', true);
    await db.$client.execute({ sql: `UPDATE certificates SET status = 'declined' WHERE id = ?`, args: [requested] });
    const id = await requestCertificate(db, member, { teamId: team, from: '2026-06-01', to: '2026-06-12' }, NOW);
    expect((await getCertificate(db, id))!.status).toBe('requested');
  });

  test('reinstated, the leader confirms again', async () => {
    await setTeamStatus(db, admin, team, 'active');
    expect((await confirmRecords(db, leader, [pending], NOW)).confirmed).toBe(1);
  });
});

test('the demo seed holds no record confirmed, and no certificate issued, by its own volunteer', async () => {
  const seeded = await freshDb({ seed: 'demo' });
  const n = async (sql: string) => Number((await seeded.$client.execute(sql)).rows[0].n);
  expect(await n(`SELECT count(*) AS n FROM hour_records WHERE status = 'confirmed' AND reviewer_id = user_id`)).toBe(0);
  expect(await n(`SELECT count(*) AS n FROM certificates WHERE status = 'issued' AND issued_by = user_id`)).toBe(0);
  expect(await n(`SELECT count(*) AS n FROM certificates WHERE status = 'issued'`)).toBeGreaterThan(0);
});

describe('migration 0010 undoes self-reviews written before the rule', () => {
  test('self-confirmed records go back to pending, certificates over them are revoked, totals follow, volunteers are told', async () => {
    const own = await leaderEntersOwnEightHours();
    const claim = await claimHours(db, member, { teamId: team, day: '2026-06-13', start: '09:00', end: '11:00', content: '整理图书角' }, NOW);
    await confirmRecords(db, leader, [claim], NOW);
    // What the old code let through, written with the guard triggers out of the way.
    await db.$client.executeMultiple(`DROP TRIGGER hours_no_self_review_update; DROP TRIGGER certificates_no_self_issue_update;`);
    await db.$client.execute({ sql: `UPDATE hour_records SET status = 'confirmed', reviewer_id = user_id WHERE id = ?`, args: [own] });
    const selfCert = await requestCertificate(db, leader, { teamId: team, from: '2026-06-01', to: '2026-06-15' }, NOW);
    await db.$client.execute({ sql: `UPDATE certificates SET status = 'issued', issued_by = user_id, code = 'SELFISSUED01' WHERE id = ?`, args: [selfCert] });
    const fairCert = await requestCertificate(db, member, { teamId: team, from: '2026-06-01', to: '2026-06-15' }, NOW);
    await issueCertificate(db, leader, fairCert, NOW);
    expect(await minutesOf(leader)).toBe(480);

    await db.$client.executeMultiple(readFileSync(new URL('../../db/migrations/0010_team_writes.sql', import.meta.url), 'utf8').replaceAll('--> statement-breakpoint', ''));

    expect(await row('SELECT status, reviewer_id FROM hour_records WHERE id = ?', [own])).toMatchObject({ status: 'pending', reviewer_id: null });
    expect((await row('SELECT status FROM hour_records WHERE id = ?', [claim])).status).toBe('confirmed');
    expect(await minutesOf(leader)).toBe(0);
    expect(await minutesOf(member)).toBe(120);
    expect((await certificateByCode(db, 'SELFISSUED01'))?.status).toBe('revoked');
    expect((await getCertificate(db, fairCert))!.status).toBe('issued');
    expect(await count(db, `notices WHERE user_id = ? AND title IN ('服务证明已被撤销', '服务时长需重新确认')`, [leader])).toBe(2);
    expect(await count(db, `audit_log WHERE action IN ('hours.reopen', 'certificates.revoke') AND actor_id IS NULL`)).toBe(2);
  });
});

describe('item 15: events and teams name regions that exist', () => {
  const input = (over: Record<string, unknown> = {}) =>
    EventInputSchema.parse({ title: '社区清扫', category: '环境保护', startsAt: '2026-12-20T09:00', endsAt: '2026-12-20T11:00', capacity: 10, ...over });
  let towns: { id: number; village: number }[];

  beforeEach(async () => {
    db = await freshDb({ seed: 'base' });
    team = await makeTeam(db);
    leader = await makeUser(db, '李建华');
    await addMember(db, team, leader, 'leader');
    const rs = await db.$client.execute(`SELECT t.id, (SELECT min(v.id) FROM regions v WHERE v.parent_id = t.id) AS village FROM regions t WHERE t.level = 'town' ORDER BY t.id LIMIT 2`);
    towns = rs.rows.map((r) => ({ id: Number(r.id), village: Number(r.village) }));
  });

  const eventRefusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(EventError);
      return { field: (e as EventError).field, message: (e as Error).message };
    }
    throw new Error('expected a refusal');
  };

  test('an event in a town that does not exist is refused on the town field, and nothing is written', async () => {
    expect(await eventRefusal(createEvent(db, leader, team, input({ townId: 999_999 })))).toEqual({ field: 'townId', message: '所选乡镇不存在，请重新选择' });
    expect(await eventRefusal(createEvent(db, leader, team, input({ townId: towns[0].village })))).toMatchObject({ field: 'townId' });
    expect(await eventRefusal(createEvent(db, leader, team, input({ townId: towns[0].id, villageId: towns[1].village })))).toEqual({
      field: 'villageId',
      message: '所选村（社区）不属于该乡镇，请重新选择',
    });
    expect(await eventRefusal(createEvent(db, leader, team, input({ villageId: towns[0].village })))).toMatchObject({ field: 'townId' });
    expect(await count(db, 'events')).toBe(0);
    const id = await createEvent(db, leader, team, input({ townId: towns[0].id, villageId: towns[0].village }));
    expect(await eventRefusal(updateEvent(db, leader, team, id, input({ townId: 424242 })))).toMatchObject({ field: 'townId' });
    expect((await row('SELECT town_id FROM events WHERE id = ?', [id])).town_id).toBe(towns[0].id);
  });

  test('a team registered in a town that does not exist is refused on the town field', async () => {
    const reg = { name: '新桥青年志愿服务队', slug: 'xinqiao-youth', townId: 999_999, serviceTypes: ['环境保护'], summary: '青年志愿者服务社区', description: '' };
    await expect(registerTeam(db, leader, reg)).rejects.toMatchObject({ field: 'townId', message: '所选乡镇不存在，请重新选择' });
    expect(await count(db, `teams WHERE slug = 'xinqiao-youth'`)).toBe(0);
    await registerTeam(db, leader, { ...reg, townId: towns[0].id });
    expect(await count(db, `teams WHERE slug = 'xinqiao-youth'`)).toBe(1);
  });
});
