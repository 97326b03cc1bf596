// Service-hour ledger: every rule, the state machine, star levels, totals and concurrency (issue 5).
import { beforeEach, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { fromShanghai } from '../../src/lib/time.ts';
import { setSetting } from '../../src/domain/settings/index.ts';
import { HoursError } from '../../src/domain/hours/errors.ts';
import { claimHours } from '../../src/domain/hours/claims.ts';
import { leaderEntry, recordsFromAttendance } from '../../src/domain/hours/leader-entry.ts';
import { createHourRecord } from '../../src/domain/hours/new-record.ts';
import { countyConfirmedMinutes, volunteerSummary } from '../../src/domain/hours/queries.ts';
import { confirmRecords, declineRecord } from '../../src/domain/hours/review.ts';
import { acceptCorrection, declineCorrection, requestCorrection } from '../../src/domain/hours/corrections.ts';
import { starLevel } from '../../src/domain/hours/stars.ts';
import { recomputeTotals } from '../../src/domain/hours/totals.ts';
import { addMember, count, makeEvent, makeSignup, makeTeam, makeUser } from './hours-fixtures.ts';

const NOW = fromShanghai('2026-06-15', '20:00');
const at = (day: string, time: string) => fromShanghai(day, time);

let db: Db;
let teamA: number;
let teamB: number;
let leaderA: number;
let leaderB: number;
let vol: number;

beforeEach(async () => {
  db = await freshDb();
  teamA = await makeTeam(db, '城关红马甲队');
  teamB = await makeTeam(db, '青石平安巡防队');
  leaderA = await makeUser(db, '李队长');
  leaderB = await makeUser(db, '王队长');
  vol = await makeUser(db, '何思远');
  await addMember(db, teamA, leaderA, 'leader');
  await addMember(db, teamB, leaderB, 'leader');
  await addMember(db, teamA, vol);
  await addMember(db, teamB, vol);
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

const claim = (teamId: number, day: string, start: string, end: string, content = '整理图书角') => claimHours(db, vol, { teamId, day, start, end, content }, NOW);

describe('rules, each refused in Chinese naming the problem', () => {
  test('end must be after start', async () => {
    expect(await refusal(claim(teamA, '2026-06-10', '10:00', '09:00'))).toContain('结束时间必须晚于开始时间');
  });

  test('no hours in the future', async () => {
    expect(await refusal(claim(teamA, '2026-06-16', '09:00', '10:00'))).toContain('不能在未来');
  });

  test('a record longer than 12 h is refused (setting)', async () => {
    expect(await refusal(claim(teamA, '2026-06-10', '06:00', '18:30'))).toContain('单条记录不能超过 12 小时');
    await setSetting(db, 'maxRecordHours', 4);
    expect(await refusal(claim(teamA, '2026-06-10', '06:00', '10:30'))).toContain('单条记录不能超过 4 小时');
  });

  test('more than 24 h in one day is refused (setting)', async () => {
    await leaderEntry(db, leaderA, { teamId: teamA, startsAt: at('2026-06-10', '00:00'), endsAt: at('2026-06-10', '12:00'), content: '夜间巡防', userIds: [vol] }, NOW);
    await leaderEntry(db, leaderA, { teamId: teamA, startsAt: at('2026-06-10', '12:00'), endsAt: at('2026-06-10', '23:00'), content: '白天值守', userIds: [vol] }, NOW);
    // starts on the 10th, so its 12 h count towards the 10th: 12 + 11 + 12 > 24
    const [r] = await leaderEntry(db, leaderA, { teamId: teamA, startsAt: at('2026-06-10', '23:00'), endsAt: at('2026-06-11', '11:00'), content: '通宵', userIds: [vol] }, NOW);
    expect(r.ok).toBe(false);
    expect(r.message).toContain('当日累计服务时长将超过 24 小时');
    await setSetting(db, 'maxDayHours', 8);
    expect(await refusal(claim(teamA, '2026-06-12', '08:00', '12:00').then(() => claim(teamA, '2026-06-12', '13:00', '18:00')))).toContain('超过 8 小时');
  });

  test('overlap with a record of another team is refused and names the clashing record', async () => {
    await claim(teamA, '2026-06-10', '09:00', '11:00');
    const msg = await refusal(claim(teamB, '2026-06-10', '10:30', '12:00'));
    expect(msg).toContain('时间重叠');
    expect(msg).toContain('城关红马甲队');
    expect(msg).toContain('2026-06-10 09:00–11:00');
    // touching ends are not an overlap
    await expect(claim(teamB, '2026-06-10', '11:00', '12:00')).resolves.toBeGreaterThan(0);
  });

  test('a declined record no longer blocks the time', async () => {
    const id = await claim(teamA, '2026-06-10', '09:00', '11:00');
    await declineRecord(db, leaderA, id, '当天未见到本人', NOW);
    await expect(claim(teamB, '2026-06-10', '09:00', '11:00')).resolves.toBeGreaterThan(0);
  });

  test('event records must lie inside the event window', async () => {
    const ev = await makeEvent(db, teamA, at('2026-06-14', '09:00'), at('2026-06-14', '12:00'), '河道清理');
    await makeSignup(db, ev, vol, 'attended');
    const msg = await refusal(leaderEntry(db, leaderA, { teamId: teamA, eventId: ev, startsAt: at('2026-06-14', '08:00'), endsAt: at('2026-06-14', '12:00'), content: '', userIds: [vol] }, NOW));
    expect(msg).toContain('活动“河道清理”的时间范围内');
  });

  test('claims older than 90 days are refused (setting)', async () => {
    expect(await refusal(claim(teamA, '2026-03-01', '09:00', '10:00'))).toContain('90 天以内');
    await setSetting(db, 'claimMaxAgeDays', 200);
    await expect(claim(teamA, '2026-03-01', '09:00', '10:00')).resolves.toBeGreaterThan(0);
  });

  test('a volunteer may claim only for a team they belong to', async () => {
    const other = await makeTeam(db, '别的队');
    expect(await refusal(claim(other, '2026-06-10', '09:00', '10:00'))).toContain('自己所在的队伍');
  });
});

describe('attendance becomes pending records', () => {
  test('overlap of check-in/out with the window; roster mark → whole window; once only', async () => {
    const ev = await makeEvent(db, teamA, at('2026-06-14', '09:00'), at('2026-06-14', '12:00'));
    const early = await makeUser(db, '早到者');
    const roster = await makeUser(db, '名册标记');
    const absent = await makeUser(db, '缺席者');
    for (const u of [early, roster, absent]) await addMember(db, teamA, u);
    await makeSignup(db, ev, vol, 'attended', at('2026-06-14', '09:20'), at('2026-06-14', '11:50'));
    await makeSignup(db, ev, early, 'confirmed', at('2026-06-14', '08:00'), at('2026-06-14', '13:00'));
    await makeSignup(db, ev, roster, 'attended');
    await makeSignup(db, ev, absent, 'no_show');
    const res = await recordsFromAttendance(db, leaderA, ev, NOW);
    expect(res.filter((r) => r.ok)).toHaveLength(3);
    const rows = (await db.$client.execute({ sql: `SELECT user_id, minutes, status, source FROM hour_records WHERE event_id = ? ORDER BY user_id`, args: [ev] })).rows;
    const minutes = Object.fromEntries(rows.map((r) => [Number(r.user_id), Number(r.minutes)]));
    expect(minutes[vol]).toBe(150);
    expect(minutes[early]).toBe(180);
    expect(minutes[roster]).toBe(180);
    expect(minutes[absent]).toBeUndefined();
    expect(rows.every((r) => r.status === 'pending' && r.source === 'attendance')).toBe(true);
    expect(await recordsFromAttendance(db, leaderA, ev, NOW)).toEqual([]);
    expect(await count(db, `hour_records WHERE event_id = ?`, [ev])).toBe(3);
  });

  test('only the team leader may do it', async () => {
    const ev = await makeEvent(db, teamA, at('2026-06-14', '09:00'), at('2026-06-14', '12:00'));
    expect(await refusal(recordsFromAttendance(db, leaderB, ev, NOW))).toContain('队长');
  });
});

describe('state machine', () => {
  test('pending → confirmed updates totals; leaders of other teams cannot confirm', async () => {
    const id = await claim(teamA, '2026-06-10', '09:00', '11:30');
    const other = await confirmRecords(db, leaderB, [id], NOW);
    expect(other.confirmed).toBe(0);
    const mine = await confirmRecords(db, leaderA, [id], NOW);
    expect(mine.confirmed).toBe(1);
    expect((await volunteerSummary(db, vol, NOW)).totalMinutes).toBe(150);
    expect(await countyConfirmedMinutes(db)).toBe(150);
    expect(await count(db, `audit_log WHERE action = 'hours.confirm' AND target_id = ?`, [String(id)])).toBe(1);
    // confirming twice does nothing
    expect((await confirmRecords(db, leaderA, [id], NOW)).confirmed).toBe(0);
    expect((await volunteerSummary(db, vol, NOW)).totalMinutes).toBe(150);
  });

  test('decline needs a reason and is audited; nothing is deleted', async () => {
    const id = await claim(teamA, '2026-06-10', '09:00', '10:00');
    expect(await refusal(declineRecord(db, leaderA, id, ' ', NOW))).toContain('理由');
    await declineRecord(db, leaderA, id, '无活动记录', NOW);
    const r = (await db.$client.execute({ sql: `SELECT status, reason FROM hour_records WHERE id = ?`, args: [id] })).rows[0];
    expect(r).toMatchObject({ status: 'declined', reason: '无活动记录' });
    expect(await count(db, `audit_log WHERE action = 'hours.decline' AND target_id = ?`, [String(id)])).toBe(1);
    expect(await count(db, `notices WHERE user_id = ?`, [vol])).toBe(1);
    expect(await refusal(declineRecord(db, leaderA, id, '再次', NOW))).toContain('已处理');
  });

  test('correction accepted: new times applied and re-validated; declined: times kept', async () => {
    const id = await claim(teamA, '2026-06-10', '09:00', '10:00');
    await confirmRecords(db, leaderA, [id], NOW);
    const blocker = await claim(teamB, '2026-06-10', '12:00', '13:00');
    expect(await refusal(requestCorrection(db, vol, { recordId: id, startsAt: '2026-06-10T09:00', endsAt: '2026-06-10T11:00', reason: '' }, NOW))).toContain('理由');
    // someone else's record
    const stranger = await makeUser(db, '陌生人');
    expect(await refusal(requestCorrection(db, stranger, { recordId: id, startsAt: '2026-06-10T09:00', endsAt: '2026-06-10T11:00', reason: '漏记' }, NOW))).toContain('不存在');
    const c1 = await requestCorrection(db, vol, { recordId: id, startsAt: '2026-06-10T09:00', endsAt: '2026-06-10T12:30', reason: '签退晚了' }, NOW);
    expect(await refusal(requestCorrection(db, vol, { recordId: id, startsAt: '2026-06-10T09:00', endsAt: '2026-06-10T11:00', reason: '再申请' }, NOW))).toContain('待处理');
    // overlaps the other team's 12:00–13:00 record → refused on accept, stays pending
    const msg = await refusal(acceptCorrection(db, leaderA, c1, NOW));
    expect(msg).toContain('重叠');
    expect(msg).toContain('青石平安巡防队');
    await declineCorrection(db, leaderA, c1, '与其他记录冲突', NOW);
    expect((await volunteerSummary(db, vol, NOW)).totalMinutes).toBe(60);
    const c2 = await requestCorrection(db, vol, { recordId: id, startsAt: '2026-06-10T09:00', endsAt: '2026-06-10T11:30', reason: '实际服务到 11:30' }, NOW);
    expect(await refusal(acceptCorrection(db, leaderB, c2, NOW))).toContain('队长');
    await acceptCorrection(db, leaderA, c2, NOW);
    const r = (await db.$client.execute({ sql: `SELECT minutes, status FROM hour_records WHERE id = ?`, args: [id] })).rows[0];
    expect(r).toMatchObject({ minutes: 150, status: 'confirmed' });
    expect((await volunteerSummary(db, vol, NOW)).totalMinutes).toBe(150);
    expect(await count(db, `audit_log WHERE action LIKE 'hours.correction.%'`)).toBe(4);
    expect(blocker).toBeGreaterThan(0);
  });
});

describe('database invariants', () => {
  test('the trigger refuses an approved record overlapping another approved record', async () => {
    await db.$client.execute({
      sql: `INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, status, created_at) VALUES (?, ?, 'leader', ?, ?, 60, 'confirmed', 0)`,
      args: [vol, teamA, at('2026-06-01', '09:00'), at('2026-06-01', '10:00')],
    });
    await expect(
      db.$client.execute({
        sql: `INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, status, created_at) VALUES (?, ?, 'leader', ?, ?, 60, 'confirmed', 0)`,
        args: [vol, teamB, at('2026-06-01', '09:30'), at('2026-06-01', '10:30')],
      }),
    ).rejects.toThrow(/HOURS_OVERLAP/);
    await db.$client.execute({
      sql: `INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, status, created_at) VALUES (?, ?, 'leader', ?, ?, 60, 'pending', 0)`,
      args: [vol, teamB, at('2026-06-01', '09:30'), at('2026-06-01', '10:30')],
    });
    await expect(db.$client.execute(`UPDATE hour_records SET status = 'confirmed' WHERE status = 'pending'`)).rejects.toThrow(/HOURS_OVERLAP/);
  });

  test('concurrent overlapping claims: exactly one is accepted', async () => {
    const tries = Array.from({ length: 20 }, (_, i) =>
      claimHours(db, vol, { teamId: i % 2 ? teamA : teamB, day: '2026-06-10', start: '09:00', end: `10:${String(i).padStart(2, '0')}`, content: '并发申报' }, NOW),
    );
    const results = await Promise.allSettled(tries);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.every((r) => r.reason instanceof HoursError && /重叠/.test(r.reason.message))).toBe(true);
    expect(await count(db, `hour_records WHERE user_id = ?`, [vol])).toBe(1);
  });

  test('totals equal the sum of confirmed records after a random sequence of operations', async () => {
    const users = [vol, await makeUser(db, '甲'), await makeUser(db, '乙')];
    for (const u of users.slice(1)) {
      await addMember(db, teamA, u);
      await addMember(db, teamB, u);
    }
    const leaders: Record<number, number> = { [teamA]: leaderA, [teamB]: leaderB };
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('create' as const),
        user: fc.nat(2),
        team: fc.boolean(),
        day: fc.integer({ min: 1, max: 5 }),
        hour: fc.integer({ min: 6, max: 20 }),
        len: fc.integer({ min: 15, max: 300 }),
      }),
      fc.record({ kind: fc.constantFrom('confirm' as const, 'decline' as const, 'correct' as const), pick: fc.nat(50), len: fc.integer({ min: 15, max: 300 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 40 }), async (ops) => {
        for (const o of ops) {
          try {
            if (o.kind === 'create') {
              const start = at(`2026-06-0${o.day}`, `${String(o.hour).padStart(2, '0')}:00`);
              await createHourRecord(
                db,
                { userId: users[o.user], teamId: o.team ? teamA : teamB, source: 'leader', startsAt: start, endsAt: start + o.len * 60000, content: 'x', createdBy: null },
                { now: NOW },
              );
            } else {
              const rows = (await db.$client.execute(`SELECT id, team_id, user_id, starts_at, status FROM hour_records ORDER BY id`)).rows;
              if (!rows.length) continue;
              const r = rows[o.pick % rows.length];
              const leader = leaders[Number(r.team_id)];
              if (o.kind === 'confirm') await confirmRecords(db, leader, [Number(r.id)], NOW);
              else if (o.kind === 'decline') await declineRecord(db, leader, Number(r.id), '随机拒绝', NOW);
              else {
                const s = Number(r.starts_at);
                const iso = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
                const cid = await requestCorrection(db, Number(r.user_id), { recordId: Number(r.id), startsAt: iso(s), endsAt: iso(s + o.len * 60000), reason: '随机更正' }, NOW);
                await acceptCorrection(db, leader, cid, NOW);
              }
            }
          } catch (e) {
            if (!(e instanceof HoursError)) throw e;
          }
        }
        const check = (
          await db.$client.execute(`SELECT
          (SELECT count(*) FROM users u WHERE u.confirmed_minutes <> coalesce((SELECT sum(minutes) FROM hour_records h WHERE h.user_id = u.id AND h.status = 'confirmed'), 0)) AS bad_users,
          (SELECT count(*) FROM teams t WHERE t.confirmed_minutes <> coalesce((SELECT sum(minutes) FROM hour_records h WHERE h.team_id = t.id AND h.status = 'confirmed'), 0)) AS bad_teams,
          (SELECT value FROM counters WHERE name = 'hours.county_minutes') AS county,
          (SELECT coalesce(sum(minutes), 0) FROM hour_records WHERE status = 'confirmed') AS total,
          (SELECT count(*) FROM hour_records a JOIN hour_records b ON a.user_id = b.user_id AND a.id < b.id AND a.status = 'confirmed' AND b.status = 'confirmed' AND a.starts_at < b.ends_at AND a.ends_at > b.starts_at) AS overlaps`)
        ).rows[0];
        expect(Number(check.bad_users)).toBe(0);
        expect(Number(check.bad_teams)).toBe(0);
        expect(Number(check.county)).toBe(Number(check.total));
        expect(Number(check.overlaps)).toBe(0);
      }),
      { numRuns: 8 },
    );
    const before = await countyConfirmedMinutes(db);
    await recomputeTotals(db);
    expect(await countyConfirmedMinutes(db)).toBe(before);
  });
});

describe('star levels at the thresholds (100/300/600/1000/1500 h)', () => {
  const T = [100, 300, 600, 1000, 1500];
  test.each([
    [0, 0, 100],
    [99.9, 0, 100],
    [100, 1, 300],
    [299.9, 1, 300],
    [300, 2, 600],
    [600, 3, 1000],
    [999, 3, 1000],
    [1000, 4, 1500],
    [1500, 5, null],
    [2000, 5, null],
  ])('%s h → %s stars, next %s h', (hours, stars, next) => {
    const s = starLevel(Math.round(hours * 60), T);
    expect(s.stars).toBe(stars);
    expect(s.label).toBe('★'.repeat(stars));
    expect(s.nextHours).toBe(next);
  });
  test('progress towards the next star', () => {
    expect(starLevel(200 * 60, T)).toMatchObject({ percent: 50, remainingHours: 100 });
    expect(starLevel(99.9 * 60, T).remainingHours).toBe(0.1);
  });
});
