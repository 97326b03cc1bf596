// Teams (join, manage, register, approve) and leaders' event management, on a real libSQL file.
import { describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import { insertEvent, insertTeam, insertUsers, labelledSignup } from '../helpers/events-fixtures.ts';
import { applyToJoin, decideJoin, manageMember, registerTeam, setTeamStatus, TeamRegistrationSchema } from '../../src/domain/teams/membership.ts';
import { createEvent, EventInputSchema, markAttendance, removeSignup, setEventStatus, updateEvent, attendanceForEvent } from '../../src/domain/events/manage.ts';
import { signUp } from '../../src/domain/events/signups.ts';
import { checkIn, checkOut, codeForStep, currentCode, verifyCode } from '../../src/domain/events/checkin.ts';
import { isTeamLeader } from '../../src/domain/accounts/policy.ts';
import { listActiveTeams } from '../../src/domain/teams/public.ts';
import type { Db } from '../../db/client.ts';

const asUser = (id: number) => ({ id, realName: 'x', phone: null, roles: ['volunteer'], status: 'active' });
const count = async (db: Db, sql: string, args: (string | number)[] = []) => Number((await db.$client.execute({ sql, args })).rows[0].n);

describe('team membership', () => {
  test('apply → leader approves → member; co-leader may lead; removal counts down', async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader, v] = await insertUsers(db, 2);
    const teamId = await insertTeam(db, leader);
    expect(await applyToJoin(db, teamId, v)).toBe('pending');
    expect(await applyToJoin(db, teamId, v)).toBe('pending'); // idempotent
    expect(await count(db, `SELECT count(*) n FROM notices WHERE user_id = ? AND kind = 'team.join_request'`, [leader])).toBe(1);
    const m = (await db.$client.execute({ sql: 'SELECT id FROM team_members WHERE user_id = ?', args: [v] })).rows[0];
    await decideJoin(db, leader, teamId, Number(m.id), true);
    expect(await count(db, 'SELECT member_count n FROM teams WHERE id = ?', [teamId])).toBe(2);
    expect(await count(db, `SELECT count(*) n FROM notices WHERE user_id = ? AND kind = 'team.join_approved'`, [v])).toBe(1);
    expect(await isTeamLeader(db, asUser(v), teamId)).toBe(false);
    await manageMember(db, leader, teamId, Number(m.id), 'coleader');
    expect(await isTeamLeader(db, asUser(v), teamId)).toBe(true);
    await manageMember(db, leader, teamId, Number(m.id), 'remove');
    expect(await isTeamLeader(db, asUser(v), teamId)).toBe(false);
    expect(await count(db, 'SELECT member_count n FROM teams WHERE id = ?', [teamId])).toBe(1);
    expect(await count(db, `SELECT count(*) n FROM audit_log WHERE action LIKE 'team.member_%'`)).toBe(3);
  });

  test('a volunteer registers a team; it is pending until an admin approves, then they lead it; suspension stops sign-ups', async () => {
    const db = await freshDb({ seed: 'base' });
    const [founder, admin, v] = await insertUsers(db, 3);
    const town = await count(db, `SELECT id n FROM regions WHERE level = 'town' LIMIT 1`);
    const input = TeamRegistrationSchema.parse({ name: '新桥青年志愿队', slug: 'xinqiao-youth', townId: town, serviceTypes: ['环境保护'], summary: '守护新桥河' });
    const teamId = await registerTeam(db, founder, input);
    await expect(registerTeam(db, v, input)).rejects.toThrow('网址标识已被使用');
    expect(await isTeamLeader(db, asUser(founder), teamId)).toBe(false);
    await expect(applyToJoin(db, teamId, v)).rejects.toThrow('暂不接受申请');
    await setTeamStatus(db, admin, teamId, 'active');
    expect(await isTeamLeader(db, asUser(founder), teamId)).toBe(true);
    const eventId = await insertEvent(db, teamId);
    await setTeamStatus(db, admin, teamId, 'suspended');
    await expect(signUp(db, { eventId, userId: v })).rejects.toThrow('未开放报名');
    await expect(setTeamStatus(db, admin, teamId, 'suspended')).rejects.toThrow('当前状态不能执行此操作');
    expect(await count(db, `SELECT count(*) n FROM audit_log WHERE target_type = 'team' AND target_id = ?`, [String(teamId)])).toBe(3);
  });
});

/** Next June is always ahead, and within the two years an event may be planned. */
const NEXT_YEAR = new Date().getUTCFullYear() + 1;
const form = (o: Record<string, unknown> = {}) =>
  EventInputSchema.parse({
    title: '河道清洁',
    category: '环境保护',
    startsAt: `${NEXT_YEAR}-06-01T09:00`,
    endsAt: `${NEXT_YEAR}-06-01T11:30`,
    capacity: 10,
    waitlistEnabled: true,
    ...o,
  });

describe('leaders manage events', () => {
  test("the team list counts each team's own upcoming published events", async () => {
    const db = await freshDb({ seed: 'none' });
    const [a, b] = await insertUsers(db, 2);
    const t1 = await insertTeam(db, a);
    const t2 = await insertTeam(db, b);
    await insertEvent(db, t1);
    await insertEvent(db, t1);
    await insertEvent(db, t1, { startsAt: Date.now() - 86400_000, endsAt: Date.now() - 82800_000 });
    await insertEvent(db, t1, { status: 'draft' });
    await insertEvent(db, t2);
    const counts = new Map((await listActiveTeams(db, { perPage: 1000 })).items.map((r) => [r.team.id, Number(r.upcoming)]));
    expect([counts.get(t1), counts.get(t2)]).toEqual([2, 1]);
  });

  test('a dangerous event needs an insurance policy number before publishing', async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader] = await insertUsers(db, 1);
    const teamId = await insertTeam(db, leader);
    const id = await createEvent(db, leader, teamId, form({ dangerous: true }));
    await expect(setEventStatus(db, leader, teamId, id, 'published')).rejects.toThrow('意外保险保单号');
    await updateEvent(db, leader, teamId, id, form({ dangerous: true, insurancePolicy: 'PICC-2030-0001' }));
    await setEventStatus(db, leader, teamId, id, 'published');
    expect((await db.$client.execute({ sql: 'SELECT status, starts_at FROM events WHERE id = ?', args: [id] })).rows[0].status).toBe('published');
    // Stored as the Shanghai wall-clock instant.
    expect(Number((await db.$client.execute({ sql: 'SELECT starts_at FROM events WHERE id = ?', args: [id] })).rows[0].starts_at)).toBe(Date.UTC(NEXT_YEAR, 5, 1, 1, 0));
  });

  test('the end must come after the start (zod message in Chinese)', () => {
    const r = EventInputSchema.safeParse({ title: '巡防', category: '平安巡防', startsAt: `${NEXT_YEAR}-06-01T09:00`, endsAt: `${NEXT_YEAR}-06-01T08:00`, capacity: 3 });
    expect(r.success).toBe(false);
    expect(r.error?.issues.find((i) => i.path[0] === 'endsAt')?.message).toBe('结束时间须晚于开始时间');
  });

  test('moving a published event notifies everyone signed up; another team cannot touch it', async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader, otherLeader, a, b] = await insertUsers(db, 4);
    const teamId = await insertTeam(db, leader);
    const otherTeam = await insertTeam(db, otherLeader);
    const id = await createEvent(db, leader, teamId, form({ capacity: 1 }));
    await setEventStatus(db, leader, teamId, id, 'published');
    await signUp(db, { eventId: id, userId: a });
    await signUp(db, { eventId: id, userId: b });
    const r = await updateEvent(db, leader, teamId, id, form({ capacity: 1, startsAt: `${NEXT_YEAR}-06-02T09:00`, endsAt: `${NEXT_YEAR}-06-02T11:00` }));
    expect(r.notified).toBe(2);
    expect(await count(db, `SELECT count(*) n FROM notices WHERE kind = 'event.changed'`)).toBe(2);
    // Title-only edits notify nobody.
    expect((await updateEvent(db, leader, teamId, id, form({ title: '河道清洁（第二期）', capacity: 1, startsAt: `${NEXT_YEAR}-06-02T09:00`, endsAt: `${NEXT_YEAR}-06-02T11:00` }))).notified).toBe(0);
    await expect(updateEvent(db, otherLeader, otherTeam, id, form())).rejects.toThrow('活动不存在');
    // Raising capacity promotes the waitlist.
    await updateEvent(db, leader, teamId, id, form({ capacity: 2, startsAt: `${NEXT_YEAR}-06-02T09:00`, endsAt: `${NEXT_YEAR}-06-02T11:00` }));
    expect((await labelledSignup(db, id, b))?.label).toBe('已报名');
  });

  test('removing a sign-up needs a reason, tells the volunteer and promotes the next', async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader, a, b] = await insertUsers(db, 3);
    const teamId = await insertTeam(db, leader);
    const eventId = await insertEvent(db, teamId, { capacity: 1 });
    const sa = await signUp(db, { eventId, userId: a });
    await signUp(db, { eventId, userId: b });
    await expect(removeSignup(db, leader, teamId, eventId, sa.id, ' ')).rejects.toThrow('请填写移出原因');
    await removeSignup(db, leader, teamId, eventId, sa.id, '多次无故缺席');
    expect((await labelledSignup(db, eventId, a))?.label).toBe('已被移出');
    expect((await labelledSignup(db, eventId, b))?.label).toBe('已报名');
    await expect(signUp(db, { eventId, userId: a })).rejects.toThrow('移出');
    expect(await count(db, `SELECT count(*) n FROM notices WHERE user_id = ? AND kind = 'signup.removed'`, [a])).toBe(1);
  });
});

describe('check-in and attendance', () => {
  test('codes rotate every 60 s; the previous step is accepted, older ones are not', () => {
    const t = Date.UTC(2030, 0, 1, 8, 0, 30);
    const { code } = currentCode('s3cret', t);
    expect(code).toMatch(/^\d{6}$/);
    expect(verifyCode('s3cret', code, t + 60_000)).toBe(true);
    expect(verifyCode('s3cret', code, t + 120_000)).toBe(codeForStep('s3cret', Math.floor((t + 120_000) / 60_000)) === code);
    expect(verifyCode('other', code, t)).toBe(codeForStep('other', Math.floor(t / 60_000)) === code);
  });

  test('check in and out with the code; proposed minutes are the overlap with the event window', async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader, v, w] = await insertUsers(db, 3);
    const teamId = await insertTeam(db, leader);
    const startsAt = Date.now() + 20 * 60_000;
    const eventId = await insertEvent(db, teamId, { startsAt, endsAt: startsAt + 2 * 3600_000 });
    await signUp(db, { eventId, userId: v });
    await signUp(db, { eventId, userId: w });
    const early = startsAt - 40 * 60_000;
    await expect(checkIn(db, { eventId, userId: v, code: currentCode('secret-for-tests', early).code }, early)).rejects.toThrow('30 分钟');
    const at = startsAt - 10 * 60_000;
    await expect(checkIn(db, { eventId, userId: v, code: '000000' === currentCode('secret-for-tests', at).code ? '111111' : '000000' }, at)).rejects.toThrow('签到码不正确');
    await checkIn(db, { eventId, userId: v, code: currentCode('secret-for-tests', at).code }, at);
    const out = startsAt + 90 * 60_000;
    expect(await checkOut(db, { eventId, userId: v, code: currentCode('secret-for-tests', out).code }, out)).toBe(90);
    await markAttendance(db, leader, teamId, eventId, (await labelledSignup(db, eventId, w))!.id, 'no_show', startsAt + 1000);
    const att = await attendanceForEvent(db, eventId);
    expect(att).toEqual([expect.objectContaining({ userId: v, status: 'attended', checkinAt: at, checkoutAt: out, proposedMinutes: 90 })]);
  });

  // Issue 18, item 12: a check-out right after check-in (before the start) used to record 0 minutes silently.
  test('check-out before the event starts is refused and changes nothing; a second check-out is refused too', async () => {
    const db = await freshDb({ seed: 'none' });
    const [leader, v] = await insertUsers(db, 2);
    const teamId = await insertTeam(db, leader);
    const startsAt = Date.now() + 20 * 60_000;
    const eventId = await insertEvent(db, teamId, { startsAt, endsAt: startsAt + 2 * 3600_000 });
    await signUp(db, { eventId, userId: v });
    const at = startsAt - 10 * 60_000;
    await checkIn(db, { eventId, userId: v, code: currentCode('secret-for-tests', at).code }, at);
    const tooEarly = at + 60_000;
    await expect(checkOut(db, { eventId, userId: v, code: currentCode('secret-for-tests', tooEarly).code }, tooEarly)).rejects.toThrow('活动尚未开始，不能签退');
    expect(await attendanceForEvent(db, eventId)).toEqual([expect.objectContaining({ userId: v, checkinAt: at, checkoutAt: null, proposedMinutes: null })]);
    const out = startsAt + 30 * 60_000;
    expect(await checkOut(db, { eventId, userId: v, code: currentCode('secret-for-tests', out).code }, out)).toBe(30);
    const again = out + 60_000;
    await expect(checkOut(db, { eventId, userId: v, code: currentCode('secret-for-tests', again).code }, again)).rejects.toThrow('已签退');
    expect(await attendanceForEvent(db, eventId)).toEqual([expect.objectContaining({ userId: v, checkoutAt: out, proposedMinutes: 30 })]);
  });
});
