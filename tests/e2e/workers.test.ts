// `npm start` with WORKERS=2 (issue 22, both cores; docs/decisions/104): what must hold across worker
// processes on one database. Which worker answered is read from the request log lines (their `pid`,
// never shown to the public); every request goes on a new connection so the kernel spreads them.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDb } from '../../db/client.ts';
import { generateSessionToken, sessionIdFromToken, SESSION_COOKIE } from '../../src/domain/accounts/sessions.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { openQ, type Q } from '../helpers/trust.ts';
import { freshRequest } from '../helpers/raw-get.ts';

const fresh = (s: RunningServer, path: string, opts: Parameters<typeof freshRequest>[2] = {}) => freshRequest(s, path, opts);

interface LogLine {
  pid: number;
  msg: string;
  route?: string;
  method?: string;
  status?: number;
  userId?: number | null;
}

/** The JSON log lines the server wrote from character `from` of its output on. */
function logLines(s: RunningServer, from = 0): LogLine[] {
  return s
    .output()
    .slice(from)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let s: RunningServer;
let q: Q;
let pids: number[];

beforeAll(async () => {
  s = await startServer({ env: { WORKERS: '2', WORKER_BALANCE: 'front', LOG_LEVEL: 'info' } });
  q = openQ(s.dbUrl);
  pids = (/Serving at .*pid ([\d ]+)/.exec(s.output())?.[1] ?? '').trim().split(' ').map(Number);
});
afterAll(async () => {
  q?.client.close();
  await s?.stop('SIGKILL');
});

describe('two worker processes on one database', () => {
  test('the primary starts two workers, each taking requests', async () => {
    expect(pids).toHaveLength(2);
    const from = s.output().length;
    const answers = await Promise.all(Array.from({ length: 30 }, () => fresh(s, '/healthz')));
    expect(answers.map((a) => a.status).every((x) => x === 200)).toBe(true);
    await Promise.all(Array.from({ length: 30 }, (_, i) => fresh(s, `/search?q=${encodeURIComponent('社区')}&n=${i}`, { cookie: 'sx_x=1' })));
    const served = new Set(logLines(s, from).map((l) => l.pid));
    expect([...served].sort()).toEqual([...pids].sort());
  });

  test('a sign-up storm through both workers fills exactly the seats, every request answered without a 5xx', async () => {
    const capacity = 25;
    const storm = 300;
    // 300 volunteers of their own (copies of a demo volunteer), each with a session row.
    const template = await q.one("SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' WHERE u.phone = '13900000006'");
    await q.client.execute({
      sql: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO users (phone, password_hash, real_name, id_type, id_number_masked, town_id, village_id, skills, volunteer_no, status, created_at, terms_version, privacy_version, consent_at)
            SELECT printf('1770000%04d', i), password_hash, '抢报' || i, id_type, id_number_masked, town_id, village_id, skills, printf('WK%06d', i), 'active', created_at, terms_version, privacy_version, consent_at
            FROM users, n WHERE users.id = ?`,
      args: [storm, template],
    });
    await q.client.execute("INSERT INTO user_roles (user_id, role, granted_at) SELECT id, 'volunteer', 0 FROM users WHERE phone LIKE '1770000%'");
    const ids = (await q.client.execute("SELECT id FROM users WHERE phone LIKE '1770000%' ORDER BY id")).rows.map((r) => Number(r.id));
    expect(ids).toHaveLength(storm);
    const tokens = ids.map(() => generateSessionToken());
    const db = await openDb({ url: s.dbUrl });
    for (let i = 0; i < ids.length; i++) {
      await db.$client.execute({
        sql: 'INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES (?, ?, ?, ?, ?)',
        args: [sessionIdFromToken(tokens[i]), ids[i], Date.now() + 86400_000, 86400_000, Date.now()],
      });
    }
    db.$client.close();
    const team = await q.one("SELECT id FROM teams WHERE slug = 'chengguan-red-vest'");
    const town = await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1");
    const start = Date.now() + 30 * 86400_000;
    const eventId = Number(
      (
        await q.client.execute({
          sql: `INSERT INTO events (team_id, title, category, description, risks, town_id, address, starts_at, ends_at, signup_opens_at, signup_closes_at,
                  capacity, waitlist_enabled, confirmed_count, dangerous, members_only, status, checkin_secret, created_at)
                VALUES (?, '双进程抢报', '助老助残', '', '', ?, '县城', ?, ?, ?, ?, ?, 0, 0, 0, 0, 'published', ?, ?) RETURNING id`,
          args: [team, town, start, start + 7200_000, Date.now() - 86400_000, start - 3600_000, capacity, 'wk' + Math.random().toString(36).slice(2), Date.now()],
        })
      ).rows[0].id,
    );
    const from = s.output().length;
    const answers = await Promise.all(tokens.map((t) => fresh(s, `/events/${eventId}?_action=events.signUp`, { cookie: `${SESSION_COOKIE}=${t}`, form: { eventId: String(eventId) } })));
    expect(answers.filter((a) => a.status >= 500).map((a) => a.status)).toEqual([]);
    expect(answers.filter((a) => a.status === 303)).toHaveLength(capacity);
    // The other 275 see the event page again with 名额已满.
    expect(answers.filter((a) => a.status !== 303).every((a) => a.status === 409 && a.body.includes('名额已满'))).toBe(true);
    expect(await q.one("SELECT count(*) FROM signups WHERE event_id = ? AND status = 'confirmed'", [eventId])).toBe(capacity);
    expect(await q.one('SELECT confirmed_count FROM events WHERE id = ?', [eventId])).toBe(capacity);
    const handledBy = new Set(
      logLines(s, from)
        .filter((l) => l.method === 'POST' && l.route === `/events/${eventId}`)
        .map((l) => l.pid),
    );
    expect(handledBy.size, 'both workers took sign-ups').toBe(2);
  });

  test('a session made on one worker is valid on the other, and logging out ends it on both', async () => {
    const volunteer = s.accounts.find((a) => a.phone === '13900000006')!;
    const login = await fresh(s, '/login?_action=accounts.login', { form: { phone: volunteer.phone, password: volunteer.password } });
    expect(login.status).toBe(303);
    const token = /sx_session=([^;]+)/.exec(String(login.headers['set-cookie']))![1];
    const cookie = `${SESSION_COOKIE}=${token}`;
    let from = s.output().length;
    const signedIn = await Promise.all(Array.from({ length: 20 }, () => fresh(s, '/me', { cookie })));
    expect(signedIn.map((a) => a.status).every((x) => x === 200)).toBe(true);
    expect(signedIn.every((a) => a.body.includes('何思远'))).toBe(true);
    expect(
      new Set(
        logLines(s, from)
          .filter((l) => l.route === '/me')
          .map((l) => l.pid),
      ).size,
      'both workers saw the session',
    ).toBe(2);

    expect((await fresh(s, '/logout', { method: 'POST', cookie, form: {} })).status).toBe(303);
    from = s.output().length;
    const after = await Promise.all(Array.from({ length: 20 }, () => fresh(s, '/me', { cookie })));
    expect(after.map((a) => a.status).every((x) => x === 302 || x === 303)).toBe(true);
    expect(after.every((a) => String(a.headers.location).startsWith('/login'))).toBe(true);
    expect(
      new Set(
        logLines(s, from)
          .filter((l) => l.route === '/me')
          .map((l) => l.pid),
      ).size,
      'both workers refused the ended session',
    ).toBe(2);
  });

  test('the login limit is one count across workers: ten wrong passwords anywhere, the eleventh is refused with 429', async () => {
    const from = s.output().length;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await fresh(s, '/login?_action=accounts.login', { form: { phone: '13900000005', password: `wrong-password-${i}` } })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    const refusedBy = new Set(
      logLines(s, from)
        .filter((l) => l.route === '/login' && (l.status === 401 || l.status === 429))
        .map((l) => l.pid),
    );
    expect(refusedBy.size, 'both workers counted wrong passwords').toBe(2);
  });

  test('behind the front one cache serves every worker: a page renders once, and a change shows on the next answer', async () => {
    const eventId = await q.one("SELECT id FROM events WHERE status = 'published' AND waitlist_enabled = 1 AND starts_at > ? AND capacity > confirmed_count + 1 ORDER BY id LIMIT 1", [
      Date.now() + 86400_000,
    ]);
    const path = `/events/${eventId}`;
    const count = () => q.one('SELECT confirmed_count FROM events WHERE id = ?', [eventId]);
    const before = await count();
    const from = s.output().length;
    const first = await fresh(s, path);
    const warm = await Promise.all(Array.from({ length: 20 }, () => fresh(s, path)));
    expect(first.status).toBe(200);
    expect(warm.every((a) => a.headers['x-cache'] === 'HIT' && a.body.includes(`已报名 ${before} 人`))).toBe(true);
    expect(
      logLines(s, from).filter((l) => l.method === 'GET' && l.route === path),
      'rendered once, for both workers',
    ).toHaveLength(1);

    // A volunteer who is not yet signed up signs up: the front saw the post, so the next answer is new.
    const userId = await q.one(
      "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' WHERE u.status = 'active' AND u.phone LIKE '1770000%' AND NOT EXISTS (SELECT 1 FROM signups x WHERE x.user_id = u.id) ORDER BY u.id LIMIT 1",
    );
    const token = generateSessionToken();
    await q.client.execute({
      sql: 'INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES (?, ?, ?, ?, ?)',
      args: [sessionIdFromToken(token), userId, Date.now() + 86400_000, 86400_000, Date.now()],
    });
    const post = await fresh(s, `${path}?_action=events.signUp`, { cookie: `${SESSION_COOKIE}=${token}`, form: { eventId: String(eventId) } });
    expect(post.status).toBe(303);
    expect(await count()).toBe(before + 1);
    const next = await fresh(s, path);
    expect(next.body).toContain(`已报名 ${before + 1} 人`);

    // A change the front did not see (a worker's timer, another process on the file) shows within the
    // version check: far below the 60 s an entry may otherwise live.
    await q.client.execute({ sql: "UPDATE events SET title = title || '（改期）' WHERE id = ?", args: [eventId] });
    const changedAt = Date.now();
    let seen = false;
    while (!seen && Date.now() - changedAt < 15_000) {
      seen = (await fresh(s, path)).body.includes('（改期）');
      if (!seen) await sleep(50);
    }
    expect(seen, 'the changed title on the cached page').toBe(true);
    const cached = await Promise.all(Array.from({ length: 10 }, () => fresh(s, path)));
    expect(cached.every((a) => a.headers['x-cache'] === 'HIT' && a.body.includes('（改期）'))).toBe(true);
  });

  test('the front answers cached pages and static files itself: with every render worker frozen, they still come at once', async () => {
    await fresh(s, '/honors');
    const css = readdirSync(join(process.cwd(), 'dist', 'client', '_astro')).find((f) => f.endsWith('.css'))!;
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      const page = await fresh(s, '/honors');
      const style = await fresh(s, `/_astro/${css}`);
      expect(page).toMatchObject({ status: 200, headers: { 'x-cache': 'HIT' } });
      expect(page.body).toContain('好人榜');
      expect(style.status).toBe(200);
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
  });

  test("the visitor's address reaches the worker that renders, and a client cannot claim another", async () => {
    // Wrong passwords: each is written to the audit log with the address it came from (the test
    // before used up this address's login budget, so they may be refused as blocked instead).
    const phone = '13900000004';
    const before = await q.one('SELECT coalesce(max(id), 0) FROM audit_log');
    for (const spoof of [undefined, '10.9.8.7']) {
      const req = http.request({
        host: '127.0.0.1',
        port: s.port,
        path: '/login?_action=accounts.login',
        method: 'POST',
        agent: false,
        headers: {
          origin: s.url,
          'content-type': 'application/x-www-form-urlencoded',
          ...(spoof ? { 'x-shanxing-client-address': spoof } : {}),
        },
      });
      const status = await new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(new URLSearchParams({ phone, password: 'wrong-password-ip' }).toString());
      });
      expect([401, 429]).toContain(status);
    }
    const ips = (await q.client.execute({ sql: "SELECT ip FROM audit_log WHERE id > ? AND action LIKE 'login.%' ORDER BY id", args: [before] })).rows.map((r) => r.ip);
    expect(ips).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  test('a worker that dies is started again and the port keeps answering', async () => {
    const victim = pids[0];
    process.kill(victim, 'SIGKILL');
    const deadline = Date.now() + 60_000;
    while (!/工作进程 1 已重新启动（pid (\d+)）/.test(s.output()) && Date.now() < deadline) await sleep(100);
    const restarted = Number(/工作进程 1 已重新启动（pid (\d+)）/.exec(s.output())?.[1]);
    expect(restarted).toBeGreaterThan(0);
    expect(restarted).not.toBe(victim);
    expect(s.output()).toContain(`工作进程 1（pid ${victim}）意外退出（SIGKILL）`);
    pids = [restarted, pids[1]];
    const from = s.output().length;
    // Renders (the health check is never cached) reach both workers again.
    const answers = await Promise.all(Array.from({ length: 30 }, () => fresh(s, '/healthz')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(logLines(s, from).map((l) => l.pid))).toEqual(new Set(pids));
  });

  test('SIGTERM drains: a request already being received is answered, then every process exits 0', async () => {
    // Form posts whose headers arrived but whose bodies come only after the signal: requests in progress.
    const body = new URLSearchParams({ phone: '13900000004', password: 'wrong-password' }).toString();
    const answers = Array.from({ length: 6 }, () => {
      const req = http.request({
        host: '127.0.0.1',
        port: s.port,
        path: '/login?_action=accounts.login',
        method: 'POST',
        agent: false,
        headers: { origin: s.url, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      });
      req.flushHeaders();
      const answer = new Promise<string>((resolve) => {
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(`${res.statusCode} ${/[\p{Script=Han}]/u.test(text) ? 'Chinese page' : text.slice(0, 80)}`));
        });
        req.on('error', (e) => resolve(`no answer: ${e.message}`));
      });
      return { req, answer };
    });
    await sleep(2000); // the workers have read the headers: these requests are in progress
    const code = s.stop('SIGTERM');
    await sleep(500);
    for (const a of answers) a.req.end(body);
    const got = await Promise.all(answers.map((a) => a.answer));
    expect(got.filter((g) => !/^4\d\d Chinese page$/.test(g))).toEqual([]);
    expect(await code).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0), `worker ${pid} is gone`).toThrow();
  });
});

// WORKER_BALANCE=reuseport (each worker serving the port, each with its own page cache) stays
// supported: its caches must agree through the database's cache version.
describe('workers on a shared port (WORKER_BALANCE=reuseport)', () => {
  let main: { s: RunningServer; q: Q; pids: number[] };
  beforeAll(async () => {
    main = { s, q, pids };
    s = await startServer({ env: { WORKERS: '2', WORKER_BALANCE: 'reuseport', LOG_LEVEL: 'info' } });
    q = openQ(s.dbUrl);
    pids = (/Serving at .*pid ([\d ]+)/.exec(s.output())?.[1] ?? '').trim().split(' ').map(Number);
    // Volunteers of their own to sign up (copies of a demo volunteer).
    const template = await q.one("SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' WHERE u.phone = '13900000006'");
    await q.client.execute({
      sql: `INSERT INTO users (phone, password_hash, real_name, id_type, id_number_masked, town_id, village_id, skills, volunteer_no, status, created_at, terms_version, privacy_version, consent_at)
            SELECT '17700009999', password_hash, '共享端口', id_type, id_number_masked, town_id, village_id, skills, 'WK999999', 'active', created_at, terms_version, privacy_version, consent_at
            FROM users WHERE users.id = ?`,
      args: [template],
    });
    await q.client.execute("INSERT INTO user_roles (user_id, role, granted_at) SELECT id, 'volunteer', 0 FROM users WHERE phone = '17700009999'");
  });
  afterAll(async () => {
    q?.client.close();
    await s?.stop('SIGKILL');
    ({ s, q, pids } = main);
  });

  test('a change through one worker shows on the cached page of the other within the version check (250 ms plus a render)', async () => {
    const eventId = await q.one("SELECT id FROM events WHERE status = 'published' AND waitlist_enabled = 1 AND starts_at > ? AND capacity > confirmed_count + 1 ORDER BY id LIMIT 1", [
      Date.now() + 86400_000,
    ]);
    const path = `/events/${eventId}`;
    const count = () => q.one('SELECT confirmed_count FROM events WHERE id = ?', [eventId]);
    const before = await count();
    // Both workers render the page once, then answer it from their caches.
    let from = s.output().length;
    for (let i = 0; i < 20; i++) await fresh(s, path);
    expect(
      new Set(
        logLines(s, from)
          .filter((l) => l.route === path)
          .map((l) => l.pid),
      ).size,
      'both workers rendered it',
    ).toBe(2);
    const warm = await Promise.all(Array.from({ length: 10 }, () => fresh(s, path)));
    expect(warm.every((a) => a.headers['x-cache'] === 'HIT' && a.body.includes(`已报名 ${before} 人`))).toBe(true);

    // A volunteer who is not yet signed up signs up through whichever worker takes the connection.
    const userId = await q.one(
      "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' WHERE u.status = 'active' AND u.phone LIKE '1770000%' AND NOT EXISTS (SELECT 1 FROM signups x WHERE x.user_id = u.id) ORDER BY u.id LIMIT 1",
    );
    const token = generateSessionToken();
    await q.client.execute({
      sql: 'INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES (?, ?, ?, ?, ?)',
      args: [sessionIdFromToken(token), userId, Date.now() + 86400_000, 86400_000, Date.now()],
    });
    from = s.output().length;
    const post = await fresh(s, `${path}?_action=events.signUp`, { cookie: `${SESSION_COOKIE}=${token}`, form: { eventId: String(eventId) } });
    expect(post.status).toBe(303);
    expect(await count()).toBe(before + 1);
    const writer = logLines(s, from).find((l) => l.method === 'POST' && l.route === path)!.pid;

    // Every answer, from either worker, shows the new count once each has looked at the version again.
    // The deadline (generous for a busy test machine) is far below the 60 s an entry may otherwise
    // live, so only invalidation can pass it.
    const changedAt = Date.now();
    let seenAll = false;
    while (!seenAll && Date.now() - changedAt < 15_000) {
      const round = await Promise.all(Array.from({ length: 10 }, () => fresh(s, path)));
      seenAll = round.every((a) => a.status === 200 && a.body.includes(`已报名 ${before + 1} 人`));
      if (!seenAll) await sleep(50);
    }
    expect(seenAll, 'the new count on every answer').toBe(true);
    const rerendered = new Set(
      logLines(s, from)
        .filter((l) => l.method === 'GET' && l.route === path)
        .map((l) => l.pid),
    );
    const other = pids.find((p) => p !== writer)!;
    expect(rerendered.has(other), 'the worker that did not take the write dropped its cached page and rendered it again').toBe(true);
    const cached = await Promise.all(Array.from({ length: 10 }, () => fresh(s, path)));
    expect(cached.every((a) => a.headers['x-cache'] === 'HIT' && a.body.includes(`已报名 ${before + 1} 人`))).toBe(true);
  });
});

// `npm start` under a system Node older than 24 runs the portal as a child under the project's Node 24.
const olderNode = (() => {
  const r = spawnSync('node', ['-p', 'process.versions.node.split(".")[0] + " " + process.execPath'], { encoding: 'utf8' });
  const [major, path] = (r.stdout ?? '').trim().split(' ');
  return Number(major) < 24 ? path : undefined;
})();

describe('npm start under an older system Node', () => {
  test.runIf(olderNode)('SIGTERM to the process npm start began reaches the portal: its workers drain and everything exits 0', async () => {
    const old = await startServer({ node: olderNode, env: { WORKERS: '2' } });
    const workers = (/Serving at .*pid ([\d ]+)/.exec(old.output())?.[1] ?? '').trim().split(' ').map(Number);
    expect(workers).toHaveLength(2);
    expect((await fresh(old, '/healthz')).status).toBe(200);
    expect(await old.stop('SIGTERM')).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0), `worker ${pid} is gone`).toThrow();
    await expect(fresh(old, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });
});
