// 我要报名 through the real server (docs/decisions/109): its success is answered before Astro, its
// refusals by the event page as before — same statuses, headers, cookies, log lines and rows either way.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSessionToken, sessionIdFromToken, SESSION_COOKIE } from '../../src/domain/accounts/sessions.ts';
import { securityHeaders } from '../../src/lib/security-headers.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { openQ, type Q } from '../helpers/trust.ts';
import { freshRequest } from '../helpers/raw-get.ts';

/** One request on its own connection, as a phone would send it. */
const send = (path: string, opts: Parameters<typeof freshRequest>[2] = {}) => freshRequest(s, path, opts);

/** The JSON log lines of POSTs to the event, written since character `from` of the server's output. */
function postLines(from: number, eventId: number): { status: number; userId: number | null }[] {
  return s
    .output()
    .slice(from)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { method?: string; route?: string; status: number; userId: number | null })
    .filter((l) => l.method === 'POST' && l.route === `/events/${eventId}`)
    .map(({ status, userId }) => ({ status, userId }));
}

let s: RunningServer;
let q: Q;
let eventId: number;
const volunteers: { id: number; name: string; cookie: string }[] = [];

/** A session for the user whose expiry is `daysLeft` away (a 30-day session past half its window is renewed). */
async function signIn(userId: number, daysLeft: number): Promise<string> {
  const token = generateSessionToken();
  await q.client.execute({
    sql: 'INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES (?, ?, ?, ?, ?)',
    args: [sessionIdFromToken(token), userId, Date.now() + daysLeft * 86400_000, 30 * 86400_000, Date.now()],
  });
  return `${SESSION_COOKIE}=${token}`;
}

/** `n` volunteers copied from the template user (phones and numbers `<prefix>1…n`, names `<name>1…n`), signed in. */
async function copyVolunteers(template: number, prefix: string, name: string, noPrefix: string, n: number, daysLeft: (i: number) => number) {
  const ns = Array.from({ length: n }, (_, i) => `SELECT ${i + 1} AS i`).join(' UNION ALL ');
  await q.client.execute({
    sql: `INSERT INTO users (phone, password_hash, real_name, id_type, id_number_masked, town_id, village_id, skills, volunteer_no, status, created_at, terms_version, privacy_version, consent_at)
          SELECT '${prefix}' || n.i, password_hash, '${name}' || n.i, id_type, id_number_masked, town_id, village_id, skills, '${noPrefix}' || n.i, 'active', created_at, terms_version, privacy_version, consent_at
          FROM users, (${ns}) n WHERE users.id = ?`,
    args: [template],
  });
  await q.client.execute(`INSERT INTO user_roles (user_id, role, granted_at) SELECT id, 'volunteer', 0 FROM users WHERE phone LIKE '${prefix}%'`);
  const rows = (await q.client.execute(`SELECT id, real_name FROM users WHERE phone LIKE '${prefix}%' ORDER BY phone`)).rows;
  const out: { id: number; name: string; cookie: string }[] = [];
  for (const [i, r] of rows.entries()) out.push({ id: Number(r.id), name: String(r.real_name), cookie: await signIn(Number(r.id), daysLeft(i)) });
  return out;
}

/** A published event of the demo's 城关 team without a waitlist, `days` ahead, open for sign-up. */
async function insertEvent(title: string, description: string, capacity: number, days: number): Promise<number> {
  const team = await q.one("SELECT id FROM teams WHERE slug = 'chengguan-red-vest'");
  const start = Date.now() + days * 86400_000;
  const rs = await q.client.execute({
    sql: `INSERT INTO events (team_id, title, category, description, risks, address, starts_at, ends_at, signup_opens_at, signup_closes_at,
            capacity, waitlist_enabled, confirmed_count, dangerous, members_only, status, checkin_secret, created_at)
          VALUES (?, ?, '助老助残', ?, '', '县城', ?, ?, ?, ?, ?, 0, 0, 0, 0, 'published', ?, ?) RETURNING id`,
    args: [team, title, description, start, start + 7200_000, Date.now() - 86400_000, start - 3600_000, capacity, 'sf' + Math.random().toString(36).slice(2), Date.now()],
  });
  return Number(rs.rows[0].id);
}

beforeAll(async () => {
  s = await startServer({ env: { LOG_LEVEL: 'info' } });
  q = openQ(s.dbUrl);
  // Three volunteers of their own (copies of a demo volunteer) and a one-seat event without a waitlist.
  const template = await q.one("SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' WHERE u.phone = '13900000006'");
  volunteers.push(...(await copyVolunteers(Number(template), '1770001000', '报名测', 'SF00000', 3, (i) => (i === 1 ? 10 : 29))));
  eventId = await insertEvent('一个名额的活动', '陪老人读报。', 1, 20);
}, 180_000);

afterAll(async () => {
  q?.client.close();
  await s?.stop();
});

const signupsOf = async (userId: number) => q.one('SELECT count(*) FROM signups WHERE event_id = ? AND user_id = ?', [eventId, userId]);

describe('我要报名', () => {
  test('a seat: 303 to the event page saying 报名成功, with the page’s security headers, nothing cached, one log line', async () => {
    const [a] = volunteers;
    const from = s.output().length;
    const r = await send(`/events/${eventId}?_action=events.signUp`, { cookie: a.cookie, form: { eventId: String(eventId) } });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe(`/events/${eventId}?done=confirmed`);
    for (const [name, value] of Object.entries(securityHeaders(s.url))) expect(r.headers[name.toLowerCase()], name).toBe(value);
    expect(r.headers['cache-control']).toBe('private, no-store');
    expect(r.headers['set-cookie']).toBeUndefined(); // a fresh session is not renewed
    expect(await signupsOf(a.id)).toBe(1);
    expect(await q.one("SELECT count(*) FROM notices WHERE user_id = ? AND kind = 'signup.confirmed'", [a.id])).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(postLines(from, eventId)).toEqual([{ status: 303, userId: a.id }]);
    const page = await send(r.headers.location!, { cookie: a.cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('报名成功！');
    expect(page.body).toMatch(/data-testid="my-status">已报名</);
  });

  test('名额已满 without a waitlist: 409, the event page with the Chinese message, still signed in, a renewed cookie moved; nothing written', async () => {
    const b = volunteers[1]; // a session past half its window
    const from = s.output().length;
    const r = await send(`/events/${eventId}?_action=events.signUp`, { cookie: b.cookie, form: { eventId: String(eventId) } });
    expect(r.status).toBe(409);
    expect(r.body).toMatch(/role="alert">名额已满</);
    expect(r.body).toContain('<h1>一个名额的活动</h1>');
    expect(r.body).toContain('陪老人读报。');
    expect(r.body).toContain('<td>县城</td>'); // an event without a 乡镇: the place alone, no stray separator
    expect(r.body).toContain(b.name); // the header still knows who is signed in
    expect(r.body).not.toContain('我要报名</button>'); // the seat is gone and there is no waitlist to join
    expect(r.body.split('名额已满').length - 1, 'said once, not twice').toBe(1);
    expect(r.body).toContain('<a href="/events">看看其他志愿活动</a>');
    expect(r.headers['cache-control']).toBe('private, no-store');
    expect(String(r.headers['set-cookie'])).toMatch(new RegExp(`^${b.cookie}; Path=/; Expires=.+; HttpOnly; SameSite=Lax$`));
    const expires = Date.parse(/Expires=([^;]+)/.exec(String(r.headers['set-cookie']))![1]);
    expect(expires).toBeGreaterThan(Date.now() + 29 * 86400_000);
    expect(await signupsOf(b.id)).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(postLines(from, eventId)).toEqual([{ status: 409, userId: b.id }]);
  });

  test('from another site: refused in Chinese (403), nothing written', async () => {
    const c = volunteers[2];
    const r = await send(`/events/${eventId}?_action=events.signUp`, { cookie: c.cookie, form: { eventId: String(eventId) }, origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.body).toContain('跨站请求被拒绝');
    expect(await signupsOf(c.id)).toBe(0);
  });

  test('signed out: asked to sign in, nothing written', async () => {
    const before = await q.one('SELECT count(*) FROM signups WHERE event_id = ?', [eventId]);
    const r = await send(`/events/${eventId}?_action=events.signUp`, { form: { eventId: String(eventId) } });
    expect(r.status).toBe(401);
    expect(r.body).toContain('请先登录');
    expect(await q.one('SELECT count(*) FROM signups WHERE event_id = ?', [eventId])).toBe(before);
  });
});

// 名额已满 again and again (docs/decisions/113): once Astro has rendered the refusal page for two volunteers, the
// page is answered before Astro for the next — the bytes Astro would render for them, with Content-Length
// instead of chunks (the only way to tell them apart).
describe('名额已满 again and again', () => {
  let full: number;
  const more: { id: number; name: string; cookie: string }[] = [];
  const form = () => ({ eventId: String(full) });
  const signUpUrl = () => `/events/${full}?_action=events.signUp`;
  /** The same refusal, rendered by Astro: a form with one more field is never the fast path's. */
  const throughAstro = (cookie: string) => send(signUpUrl(), { cookie, form: { ...form(), x: '1' } });

  beforeAll(async () => {
    more.push(...(await copyVolunteers(volunteers[0].id, '1770002000', '满员测', 'SF00010', 6, (i) => (i === 3 ? 10 : 29))));
    full = await insertEvent('没有名额的活动', '**陪老人**读报 & 聊天。', 0, 30);
  });

  test('after two volunteers’ pages from Astro, the third gets the same page before Astro: byte for byte, same headers, one log line, nothing written', async () => {
    const [d, e, f] = more;
    for (const v of [d, e]) {
      const r = await send(signUpUrl(), { cookie: v.cookie, form: form() });
      expect(r.status).toBe(409);
      expect(r.headers['transfer-encoding'], 'rendered by Astro').toBe('chunked');
      expect(r.body).toContain(`我的（${v.name}）`);
    }
    const from = s.output().length;
    const r = await send(signUpUrl(), { cookie: f.cookie, form: form() });
    expect(r.status).toBe(409);
    expect(r.headers['content-length'], 'answered before Astro').toBe(String(Buffer.byteLength(r.body)));
    expect(r.body).toMatch(/role="alert">名额已满</);
    expect(r.body).toContain(`我的（${f.name}）`);
    expect(r.body).not.toContain(d.name);
    expect(r.body).not.toContain(e.name);
    expect(r.headers['set-cookie']).toBeUndefined();
    const astro = await throughAstro(f.cookie);
    expect(astro.headers['transfer-encoding']).toBe('chunked');
    expect(r.body).toBe(astro.body);
    const { date: _d, 'content-length': _l, ...fast } = r.headers;
    const { date: _d2, 'transfer-encoding': _t, ...rendered } = astro.headers;
    expect(fast).toEqual(rendered);
    expect(await q.one('SELECT count(*) FROM signups WHERE event_id = ?', [full])).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(postLines(from, full)).toEqual([
      { status: 409, userId: f.id },
      { status: 409, userId: f.id },
    ]);
  });

  test('a session past half its window: the page before Astro moves the renewed cookie, as Astro does', async () => {
    const g = more[3];
    const r = await send(signUpUrl(), { cookie: g.cookie, form: form() });
    expect(r.status).toBe(409);
    expect(r.headers['content-length']).toBeDefined();
    expect(r.body).toContain(`我的（${g.name}）`);
    expect(String(r.headers['set-cookie'])).toMatch(new RegExp(`^${g.cookie}; Path=/; Expires=.+; HttpOnly; SameSite=Lax$`));
  });

  test('an unread notice shows in the header of the page before Astro', async () => {
    const h = more[4];
    await q.client.execute({ sql: "INSERT INTO notices (user_id, kind, title, body, created_at) VALUES (?, 'test', '测试', '', ?)", args: [h.id, Date.now()] });
    const r = await send(signUpUrl(), { cookie: h.cookie, form: form() });
    expect(r.headers['content-length']).toBeDefined();
    expect(r.body).toContain('data-testid="inbox-link">站内信(1)</a>');
    expect(r.body).toBe((await throughAstro(h.cookie)).body);
  });

  test('a volunteer who cancelled before is shown their own status (Astro renders it), and a changed event is shown as changed', async () => {
    const i = more[5];
    await q.client.execute({ sql: "INSERT INTO signups (event_id, user_id, status, seq, created_at) VALUES (?, ?, 'cancelled', 1, ?)", args: [full, i.id, Date.now()] });
    const r = await send(signUpUrl(), { cookie: i.cookie, form: form() });
    expect(r.status).toBe(409);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.body).toMatch(/data-testid="my-status">已取消</);
    await q.client.execute({ sql: "UPDATE events SET title = '没有名额的活动（改期）' WHERE id = ?", args: [full] });
    const d = more[0];
    const changed = await send(signUpUrl(), { cookie: d.cookie, form: form() });
    expect(changed.status).toBe(409);
    expect(changed.body).toContain('<h1>没有名额的活动（改期）</h1>');
    expect(changed.headers['transfer-encoding'], 'rendered by Astro again').toBe('chunked');
  });
});
