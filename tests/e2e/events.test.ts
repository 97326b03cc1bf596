// Sign-ups through the running portal: 500 sessions posting the real form at once,
// the A/B/C waitlist story in Chromium, the .ics and the XLSX read back by independent parsers.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ICAL from 'ical.js';
import { readSheet } from 'read-excel-file/node';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { signInContext, sessionCookieFor } from '../helpers/session.ts';
import { openDb, type Db } from '../../db/client.ts';
import { generateSessionToken, sessionIdFromToken, SESSION_COOKIE } from '../../src/domain/accounts/sessions.ts';
import { insertEvent, insertTeam, insertUsers } from '../helpers/events-fixtures.ts';

let server: RunningServer;
let db: Db;

beforeAll(async () => {
  // The overload guard (src/server/request-guard.ts) answers 503 when the event loop lags
  // > 1 s; a burst of 500 form posts on this shared 2-core machine always lags that much,
  // so the guard would shed part of the burst before the application sees it. This file
  // tests the application's answers (seats, statuses, no 5xx from sign-up itself), so the
  // guard's threshold is raised here; the guard has its own tests (trust-platform).
  server = await startServer({ env: { OVERLOAD_LAG_MS: '60000' } });
  db = await openDb({ url: server.dbUrl });
});

afterAll(async () => {
  db?.$client.close();
  await server?.stop();
});

/** Session cookies for many users at once (real session rows, one batch). */
async function bulkSessions(userIds: number[]): Promise<string[]> {
  const now = Date.now();
  const tokens = userIds.map(() => generateSessionToken());
  await db.$client.batch(
    userIds.map((uid, i) => ({
      sql: 'INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES (?, ?, ?, ?, ?)',
      args: [sessionIdFromToken(tokens[i]), uid, now + 86400_000, 86400_000, now],
    })),
    'write',
  );
  return tokens.map((t) => `${SESSION_COOKIE}=${t}`);
}

/** The action URL of the form whose hidden/visible content matches, from the page HTML. */
function formAction(html: string, actionName: string): string {
  const m = new RegExp(`<form[^>]*action="([^"]*_action=${actionName.replace('.', '\\.')}[^"]*)"`).exec(html);
  if (!m) throw new Error(`no form for ${actionName}`);
  return m[1].replace(/&amp;/g, '&');
}

describe('sign-ups through the server', () => {
  test('500 signed-in volunteers press 我要报名 at once: confirmed = capacity, no 5xx', async () => {
    const [leader] = await insertUsers(db, 1, { prefix: '152' });
    const teamId = await insertTeam(db, leader);
    const eventId = await insertEvent(db, teamId, { title: '五百人抢报名', capacity: 20, waitlist: false });
    const users = await insertUsers(db, 500, { prefix: '153' });
    const cookies = await bulkSessions(users);
    const page = await fetch(`${server.url}/events/${eventId}`, { headers: { Cookie: cookies[0] } });
    const html = await page.text();
    expect(html).toContain('剩余 20 个');
    const action = new URL(formAction(html, 'events.signUp'), page.url).href; // resolved like a browser would
    const statuses = await Promise.all(
      cookies.map(async (cookie) => {
        const res = await fetch(action, {
          method: 'POST',
          redirect: 'manual',
          headers: { Cookie: cookie, Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ eventId: String(eventId) }).toString(),
        });
        const body = await res.text();
        return { status: res.status, full: body.includes('名额已满'), snippet: res.status === 409 && body.includes('名额已满') ? '' : body.slice(0, 300) };
      }),
    );
    expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
    expect(statuses.filter((s) => s.status === 303)).toHaveLength(20);
    const refused = statuses.filter((s) => s.status !== 303);
    expect(refused).toHaveLength(480);
    expect(refused.filter((s) => !(s.status === 409 && s.full))).toEqual([]);
    const rs = await db.$client.execute({ sql: `SELECT (SELECT count(*) FROM signups WHERE event_id = ?1 AND status = 'confirmed') AS n, confirmed_count FROM events WHERE id = ?1`, args: [eventId] });
    expect(Number(rs.rows[0].n)).toBe(20);
    expect(Number(rs.rows[0].confirmed_count)).toBe(20);
  });

  test('A signs up, B takes the last seat, C waits; A cancels and C gets the seat and a notice', async () => {
    const [leader] = await insertUsers(db, 1, { prefix: '154' });
    const teamId = await insertTeam(db, leader);
    const eventId = await insertEvent(db, teamId, { title: '社区敬老探访', capacity: 2, waitlist: true });
    const [a, b, c] = await insertUsers(db, 3, { prefix: '155' });
    const browser = await launchBrowser();
    try {
      const ctx = async (uid: number) => {
        const context = await browser.newContext();
        await signInContext(context, server.url, server.dbUrl, uid);
        return context.newPage();
      };
      const pa = await ctx(a),
        pb = await ctx(b),
        pc = await ctx(c);
      const url = `${server.url}/events/${eventId}`;
      for (const p of [pa, pb]) {
        await p.goto(url);
        await p.getByRole('button', { name: '我要报名' }).click();
        await expect.poll(() => p.getByTestId('my-status').textContent()).toBe('已报名');
      }
      await pc.goto(url);
      await expect.poll(() => pc.locator('.seats').textContent()).toContain('剩余 0 个');
      await pc.getByRole('button', { name: '加入候补' }).click();
      await expect.poll(() => pc.getByTestId('my-status').textContent()).toBe('候补第1位');
      await pa.getByRole('button', { name: '取消报名' }).click();
      await expect.poll(() => pa.getByTestId('my-status').textContent()).toBe('已取消');
      await pc.reload();
      expect(await pc.getByTestId('my-status').textContent()).toBe('已报名');
      await pc.goto(`${server.url}/me/inbox`);
      await expect.poll(() => pc.locator('main').textContent()).toContain('候补成功：社区敬老探访');
      expect(await pc.getByTestId('inbox-link').textContent()).toMatch(/站内信\([1-9]\d*\)/);
    } finally {
      await browser.close();
    }
  });
});

describe('calendar and roster export', () => {
  test('the .ics parses with ical.js and starts at the right instant in Asia/Shanghai', async () => {
    const [leader] = await insertUsers(db, 1, { prefix: '156' });
    const teamId = await insertTeam(db, leader);
    const startsAt = Date.UTC(2030, 4, 1, 1, 30); // 2030-05-01 09:30 Shanghai
    const eventId = await insertEvent(db, teamId, { title: '河道清洁，周末；志愿服务\\行动 — 一个很长的标题用来测试折行是否正确处理中文字符的边界', startsAt, endsAt: startsAt + 3 * 3600_000 });
    const res = await fetch(`${server.url}/events/${eventId}.ics`);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const text = await res.text();
    expect(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);
    const comp = new ICAL.Component(ICAL.parse(text));
    const tz = comp.getFirstSubcomponent('vtimezone')!;
    ICAL.TimezoneService.register(tz);
    const vevent = comp.getFirstSubcomponent('vevent')!;
    const ev = new ICAL.Event(vevent);
    expect(ev.summary).toBe('河道清洁，周末；志愿服务\\行动 — 一个很长的标题用来测试折行是否正确处理中文字符的边界');
    expect(ev.startDate.toString()).toBe('2030-05-01T09:30:00');
    expect(ev.startDate.zone?.tzid).toBe('Asia/Shanghai');
    expect(ev.startDate.toUnixTime() * 1000).toBe(startsAt);
    expect(ev.endDate.toUnixTime() * 1000).toBe(startsAt + 3 * 3600_000);
  });

  test('the leader downloads the roster as XLSX with Chinese headers; text stays text (CSV guarded); the export is audited', async () => {
    const [leader] = await insertUsers(db, 1, { prefix: '157' });
    const teamId = await insertTeam(db, leader, 'export-team');
    const eventId = await insertEvent(db, teamId, { title: '导出测试', capacity: 5 });
    const [v] = await insertUsers(db, 1, { prefix: '158' });
    await db.$client.execute({ sql: `UPDATE users SET real_name = '=HYPERLINK("http://x")' WHERE id = ?`, args: [v] });
    await db.$client.execute({ sql: `INSERT INTO signups (event_id, user_id, status, seq, created_at) VALUES (?, ?, 'confirmed', 1, 0)`, args: [eventId, v] });
    const { cookie } = await sessionCookieFor(server.dbUrl, leader);
    const res = await fetch(`${server.url}/me/teams/export-team/events/${eventId}/roster.xlsx`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    const rows = await readSheet(Buffer.from(await res.arrayBuffer()));
    expect(rows[0].slice(0, 5)).toEqual(['序号', '姓名', '志愿者编号', '手机号', '报名状态']);
    // XLSX keeps text as text: the cell reads as typed, no apostrophe, and is not a formula (the CSV keeps its guard).
    expect(rows[1][1]).toBe(`=HYPERLINK("http://x")`);
    expect(rows[1][4]).toBe('已报名');
    const csvBytes = Buffer.from(await (await fetch(`${server.url}/me/teams/export-team/events/${eventId}/roster.csv`, { headers: { Cookie: cookie } })).arrayBuffer());
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM, so Excel reads UTF-8
    const csv = csvBytes.subarray(3).toString('utf8');
    expect(csv.split('\r\n')[0]).toBe('序号,姓名,志愿者编号,手机号,报名状态,临时取消,签到时间,签退时间,拟认定时长（分钟）,移出原因');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    const audit = await db.$client.execute({ sql: `SELECT count(*) AS n FROM audit_log WHERE action = 'event.roster_export' AND target_id = ?`, args: [String(eventId)] });
    expect(Number(audit.rows[0].n)).toBe(2);
    // Someone who does not lead the team gets 403.
    const other = await sessionCookieFor(server.dbUrl, v);
    expect((await fetch(`${server.url}/me/teams/export-team/events/${eventId}/roster.xlsx`, { headers: { Cookie: other.cookie } })).status).toBe(403);
  });
});
