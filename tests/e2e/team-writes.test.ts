// Issue 15, items 5, 6 and 15 over real HTTP (docs/decisions/079): the pen test's steps, as the
// testers took them. A leader cannot confirm or certify their own hours (staff can, on /console/hours);
// a suspended team's leader can still read but every write is refused in Chinese; names with a
// bidi override, events in year 0001 or in a region that does not exist are refused next to the field.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from '../helpers/browser.ts';
import { flow } from '../helpers/flow.ts';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { sessionCookieFor, signInContext } from '../helpers/session.ts';
import { BOOKKEEPING_TABLES, changedTables, getPage, openQ, postAction, tableDigests, toFormData, type Answer, type Fields, type Q } from '../helpers/trust.ts';
import { startServer } from '../helpers/server.ts';
import { unflatten } from 'devalue';

const SLUG = 'chengguan-red-vest';
const RLO = '\u202E';
/** A Shanghai day `offset` days from today, YYYY-MM-DD. */
const day = (offset: number) => new Date(Date.now() + offset * 86400_000 + 8 * 3600_000).toISOString().slice(0, 10);

let server: RunningServer;
let q: Q;
let browser: Browser;
const cookie: Record<'leader' | 'editor' | 'admin' | 'volunteer', string> = { leader: '', editor: '', admin: '', volunteer: '' };
const ids: Record<'leader' | 'editor' | 'admin' | 'volunteer' | 'team', number> = { leader: 0, editor: 0, admin: 0, volunteer: 0, team: 0 };

beforeAll(async () => {
  server = await startServer();
  q = openQ(server.dbUrl);
  browser = await launchBrowser();
  ids.team = await q.one(`SELECT id FROM teams WHERE slug = ?`, [SLUG]);
  for (const [who, phone] of [
    ['leader', '13900000005'],
    ['editor', '13900000002'],
    ['admin', '13900000001'],
    ['volunteer', '13900000006'],
  ] as const) {
    ids[who] = await q.one('SELECT id FROM users WHERE phone = ?', [phone]);
    cookie[who] = (await sessionCookieFor(server.dbUrl, ids[who])).cookie;
  }
});
afterAll(async () => {
  q?.client.close();
  await browser?.close();
  await server?.stop();
});

const post = (name: string, fields: Fields, as: keyof typeof cookie, page?: string) => postAction(server, name, toFormData(fields), { cookie: cookie[as], page });
/** An Action's result data (RPC answers are devalue-encoded). */
const data = (a: Answer) => unflatten(a.json as never) as Record<string, unknown>;
/** The table row of a page holding the text. */
/** The hours queue's card (an <li>, issue 18 item 10) holding the text. */
const queueItemWith = (html: string, text: string) =>
  html
    .split('</li>')
    .find((li) => li.includes(text))
    ?.split('<li')
    .pop() ?? '';
const rowWith = (html: string, text: string) =>
  html
    .split('</tr>')
    .find((tr) => tr.includes(text))
    ?.split('<tr')
    .pop() ?? '';

describe('item 5: a leader cannot certify their own hours', () => {
  flow('8 h entered for oneself: not confirmable by oneself, confirmed by staff; own certificate not issuable by oneself, issued by staff; /verify then says 有效', (step) => {
    let record: number;
    let cert: number;

    step('the leader enters 8 h for themself', async () => {
      const entry = await post('hours.leaderEntry', { teamId: ids.team, day: day(-6), start: '00:00', end: '08:00', content: '队伍物资清点', userIds: [String(ids.leader)] }, 'leader');
      expect(entry.status).toBe(200);
      record = await q.one(`SELECT id FROM hour_records WHERE user_id = ? AND content = '队伍物资清点'`, [ids.leader]);
    });

    step('their queue names who must confirm it instead of offering a checkbox', async () => {
      const queue = await getPage(server, `/me/teams/${SLUG}/hours`, cookie.leader);
      const ownRow = queueItemWith(queue.body, '队伍物资清点');
      expect(ownRow).toContain('需由其他负责人或工作人员确认');
      expect(ownRow).not.toContain('type="checkbox"');
      expect(ownRow).not.toContain('name="ids"');
    });

    step('the leader forges a confirm and a decline of it: nothing changes', async () => {
      const confirm = await post('hours.confirm', { ids: [String(record)] }, 'leader');
      expect(confirm.status).toBe(409);
      expect(String(confirm.json?.message)).toContain('这是您本人的记录');
      const decline = await post('hours.decline', { id: record, reason: '不需要' }, 'leader');
      expect(decline.status).toBe(403);
      expect(String(decline.json?.message)).toContain('需由队伍其他负责人或县文明实践中心工作人员');
      expect(await q.row('SELECT status FROM hour_records WHERE id = ?', [record])).toEqual({ status: 'pending' });
    });

    step('staff see it on /console/hours and confirm it there', async () => {
      const console_ = await getPage(server, '/console/hours', cookie.editor);
      expect(console_.status).toBe(200);
      expect(console_.body).toContain('队伍物资清点');
      const staffConfirm = await post('hours.confirm', { ids: [String(record)] }, 'editor', '/console/hours');
      // Post/redirect/get (issue 18, item 4): the page the 303 leads to says what happened.
      expect(staffConfirm.status).toBe(303);
      expect((await getPage(server, staffConfirm.location!, cookie.editor)).body).toContain('已确认 1 条记录');
      expect(await q.row('SELECT status, reviewer_id FROM hour_records WHERE id = ?', [record])).toEqual({ status: 'confirmed', reviewer_id: ids.editor });
    });

    step('the leader requests a certificate of their own hours and cannot issue it', async () => {
      const request = await post('hours.requestCertificate', { teamId: ids.team, from: day(-7), to: day(-5), note: '评优材料' }, 'leader');
      expect(request.status).toBe(200);
      cert = await q.one(`SELECT id FROM certificates WHERE user_id = ? AND status = 'requested'`, [ids.leader]);
      const ownCertRow = rowWith((await getPage(server, `/me/teams/${SLUG}/hours`, cookie.leader)).body, '评优材料');
      expect(ownCertRow).toContain('需由其他负责人或工作人员出具');
      expect(ownCertRow).not.toContain('出具证明</button>');
      const selfIssue = await post('hours.issueCertificate', { id: cert }, 'leader');
      expect(selfIssue.status).toBe(403);
      expect(await q.row('SELECT status, code FROM certificates WHERE id = ?', [cert])).toEqual({ status: 'requested', code: null });
    });

    step('staff issue it; /verify shows it 有效', async () => {
      const issued = await post('hours.issueCertificate', { id: cert }, 'editor', '/console/hours');
      expect(issued.status).toBe(303);
      expect((await getPage(server, issued.location!, cookie.editor)).body).toMatch(/证明已出具，编号 SX-\d{4}-\d{6}/);
      const { code } = (await q.row('SELECT code FROM certificates WHERE id = ?', [cert]))!;
      const verify = await getPage(server, `/verify/${code}`);
      expect(verify.status).toBe(200);
      expect(verify.body).toContain('有效');
    });
  });

  test("an ordinary member's record is not staff's to confirm: the team does that", async () => {
    const claim = await post('hours.claim', { teamId: ids.team, day: day(-8), start: '06:00', end: '07:00', content: '清晨巡河' }, 'volunteer');
    expect(claim.status).toBe(200);
    const record = await q.one(`SELECT id FROM hour_records WHERE user_id = ? AND content = '清晨巡河'`, [ids.volunteer]);
    const r = await post('hours.confirm', { ids: [String(record)] }, 'admin');
    expect(r.status).toBe(409);
    expect(await q.row('SELECT status FROM hour_records WHERE id = ?', [record])).toEqual({ status: 'pending' });
    expect((await getPage(server, '/console/hours', cookie.volunteer)).status).toBe(403);
  });
});

describe('item 15: names, years and regions', () => {
  test('an event titled with a bidi override, set in year 0001, in a town that does not exist: refused next to each field, input kept, nothing written', async () => {
    const before = await q.one('SELECT count(*) FROM events');
    const page = `/me/teams/${SLUG}/events/new`;
    const title = `社区${RLO}清扫活动`;
    const r = await post('events.create', { teamId: ids.team, title, category: '环境保护', startsAt: '0001-06-01T09:00', endsAt: '0001-06-01T11:00', capacity: 10 }, 'leader', page);
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/id="title-err">活动名称含有看不见的文字方向控制符 U\+202E，请删除后重新输入</);
    expect(r.body).toMatch(/id="startsAt-err">开始时间不能早于 2000 年，请检查年份</);
    expect(r.body).toContain(`value="${title}"`);
    const town = await post(
      'events.create',
      { teamId: ids.team, title: '社区清扫活动', category: '环境保护', townId: 999999, startsAt: `${day(10)}T09:00`, endsAt: `${day(10)}T11:00`, capacity: 10 },
      'leader',
      page,
    );
    expect(town.status).toBe(400);
    expect(town.body).toMatch(/id="townId-err">所选乡镇不存在，请重新选择</);
    expect(await q.one('SELECT count(*) FROM events')).toBe(before);
  });

  test('a team registered with a bidi override in its name is refused next to the name', async () => {
    const r = await post(
      'teams.register',
      { name: `新桥${RLO}青年志愿队`, slug: 'xinqiao-bidi', townId: await q.one(`SELECT id FROM regions WHERE level = 'town' LIMIT 1`), serviceTypes: ['环境保护'], summary: '青年志愿者服务社区' },
      'volunteer',
      '/me/teams/new',
    );
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/id="name-err">队伍名称含有看不见的文字方向控制符 U\+202E/);
    expect(await q.row(`SELECT id FROM teams WHERE slug = 'xinqiao-bidi'`)).toBeNull();
  });
});

describe('item 6: suspending a team takes every write power from its leaders', () => {
  flow('after suspension every leader write is refused in Chinese and changes nothing; reads still work', (step) => {
    let upcoming: number;
    let pending: number;
    let before: Awaited<ReturnType<typeof tableDigests>>;
    let writes: [string, Fields][];

    step('an admin suspends the team', async () => {
      const now = Date.now();
      upcoming = await q.one(`SELECT id FROM events WHERE team_id = ? AND status = 'published' AND starts_at > ? ORDER BY starts_at LIMIT 1`, [ids.team, now]);
      const signup = await q.one(`SELECT id FROM signups WHERE event_id = ? AND status = 'confirmed' LIMIT 1`, [upcoming]);
      const past = await q.one(`SELECT e.id FROM events e WHERE e.team_id = ? AND e.ends_at < ? AND EXISTS (SELECT 1 FROM signups s WHERE s.event_id = e.id) ORDER BY e.starts_at DESC LIMIT 1`, [
        ids.team,
        now,
      ]);
      const pastSignup = await q.one(`SELECT id FROM signups WHERE event_id = ? LIMIT 1`, [past]);
      const joinRequest = await q.one(`SELECT id FROM team_members WHERE team_id = ? AND status = 'pending' LIMIT 1`, [ids.team]);
      const member = await q.one(`SELECT id FROM team_members WHERE team_id = ? AND status = 'active' AND role = 'member' LIMIT 1`, [ids.team]);
      pending = await q.one(`SELECT id FROM hour_records WHERE team_id = ? AND status = 'pending' AND user_id <> ? LIMIT 1`, [ids.team, ids.leader]);
      const certificate = await q.one(`SELECT id FROM certificates WHERE team_id = ? AND status = 'issued' AND user_id <> ? LIMIT 1`, [ids.team, ids.leader]);

      expect((await post('teams.setStatus', { teamId: ids.team, to: 'suspended' }, 'admin')).status).toBe(200);
      before = await tableDigests(q.client, [...BOOKKEEPING_TABLES]);

      writes = [
        ['events.create', { teamId: ids.team, title: '暂停期间的活动', category: '环境保护', startsAt: `${day(10)}T09:00`, endsAt: `${day(10)}T11:00`, capacity: 10 }],
        ['events.update', { teamId: ids.team, eventId: upcoming, title: '改名', category: '法治宣传', startsAt: `${day(12)}T09:00`, endsAt: `${day(12)}T11:00`, capacity: 5 }],
        ['events.setStatus', { teamId: ids.team, eventId: upcoming, to: 'cancelled' }],
        ['events.removeSignup', { teamId: ids.team, eventId: upcoming, signupId: signup, reason: '测试移出' }],
        ['events.mark', { teamId: ids.team, eventId: past, signupId: pastSignup, mark: 'no_show' }],
        ['teams.decide', { teamId: ids.team, memberId: joinRequest, decision: 'approve' }],
        ['teams.manage', { teamId: ids.team, memberId: member, op: 'coleader' }],
        ['hours.leaderEntry', { teamId: ids.team, day: day(-9), start: '06:00', end: '07:00', content: '暂停期间录入', userIds: [String(ids.volunteer)] }],
        ['hours.fromAttendance', { eventId: past }],
        ['hours.decline', { id: pending, reason: '时间有误' }],
        ['hours.revokeCertificate', { id: certificate, reason: '信息有误' }],
      ];
    });

    step('the leader tries every write: each is refused in Chinese', async () => {
      const problems: string[] = [];
      for (const [name, fields] of writes) {
        const a = await post(name, fields, 'leader');
        if (a.status !== 403 || !String(a.json?.message).startsWith('该队伍已被暂停，负责人暂不能')) problems.push(`${name}: ${a.status} ${String(a.json?.message ?? a.body.slice(0, 120))}`);
      }
      expect(problems).toEqual([]);
      const confirm = await post('hours.confirm', { ids: [String(pending)] }, 'leader');
      expect(confirm.status).toBe(409);
      expect(String(confirm.json?.message)).toContain('该队伍已被暂停');
    });

    step('the leader asks for the check-in code: 403 with the reason, and no code', async () => {
      // The check-in code is a write power too.
      const code = await getPage(server, `/me/teams/${SLUG}/events/${upcoming}/code`, cookie.leader);
      expect(code.status).toBe(403);
      expect(code.body).toContain('该队伍已被暂停');
      expect(code.body).not.toContain('data-testid="checkin-code"');
    });

    step('nothing in the database changed', async () => {
      expect(changedTables(before, await tableDigests(q.client, [...BOOKKEEPING_TABLES]))).toEqual([]);
    });

    step('the leader still reads: the leader area says why, offers no write buttons, and exports still work', async () => {
      const home = await getPage(server, `/me/teams/${SLUG}`, cookie.leader);
      expect(home.status).toBe(200);
      expect(home.body).toContain('该队伍已被暂停，负责人暂不能');
      expect(home.body).not.toContain('value="approve"');
      const hours = await getPage(server, `/me/teams/${SLUG}/hours`, cookie.leader);
      expect(hours.status).toBe(200);
      expect(hours.body).toContain('该队伍已被暂停，负责人暂不能');
      expect(hours.body).not.toContain('确认所选记录');
      const eventPage = await getPage(server, `/me/teams/${SLUG}/events/${upcoming}`, cookie.leader);
      expect(eventPage.status).toBe(200);
      expect(eventPage.body).not.toContain('value="cancelled"');
      expect((await getPage(server, `/me/teams/${SLUG}/ledger.xlsx`, cookie.leader)).status).toBe(200);
      expect((await getPage(server, `/me/teams/${SLUG}/events/${upcoming}/roster.csv`, cookie.leader)).status).toBe(200);
    });

    step('the leader opens the hours page in a browser and sees the notice', async () => {
      const ctx = await browser.newContext();
      await signInContext(ctx, server.url, server.dbUrl, ids.leader);
      const page = await ctx.newPage();
      await page.goto(`${server.url}/me/teams/${SLUG}/hours`);
      expect(await page.textContent('[data-testid="read-only"]')).toContain('如有疑问请联系县文明实践中心');
      await ctx.close();
    });

    step('an admin reinstates the team, and the leader writes again', async () => {
      expect((await post('teams.setStatus', { teamId: ids.team, to: 'active' }, 'admin')).status).toBe(200);
      expect(data(await post('hours.confirm', { ids: [String(pending)] }, 'leader'))).toMatchObject({ redirect: expect.stringContaining('done=confirmed&n=1') });
    });
  });
});
