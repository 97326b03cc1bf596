// Operations (issue 9, items 9 and 10): logs hold no secrets but record logins
// and refusals; the portal says "busy" (503 + Retry-After) when its event loop
// lags; slow clients are cut off by the header timeout.
import { afterAll, describe, expect, test } from 'vitest';
import { connect } from 'node:net';
import { mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { flow } from '../helpers/flow.ts';
import { sessionCookieFor, userIdByPhoneAt } from '../helpers/session.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { codeFromLog } from '../helpers/sms.ts';
import { openQ, postAction, toFormData, type Q } from '../helpers/trust.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';

const started: RunningServer[] = [];
afterAll(async () => {
  for (const s of started) await s.stop();
});

describe('logs', () => {
  flow('a full flow logs logins and refusals as JSON lines, and never a password, session token or full ID number', (step) => {
    let s: RunningServer;
    let q: Q;
    const password = 'Lg7!trust-secret-pass';
    const idNumber = makeIdNumber('1991-03-04', 321, true);
    const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').match(/sx_session=([^;]+)/)?.[1] ?? '';
    let tokens: string[];
    let admin: RunningServer['accounts'][number];
    let out: string;
    afterAll(() => q?.client.close());

    step('a resident registers (password and ID number in the form), then signs in through the login form', async () => {
      s = await startServer({ env: { LOG_LEVEL: 'info' } });
      started.push(s);
      q = openQ(s.dbUrl);
      const town = await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1");
      const village = await q.one("SELECT id FROM regions WHERE level = 'village' AND parent_id = ? LIMIT 1", [town]);
      // The phone is verified first: a code through the real form, read from the demo provider's log line.
      const from = s.output().length;
      const sent = await fetch(`${s.url}/register?_action=accounts.sendRegisterCode`, { method: 'POST', redirect: 'manual', headers: { origin: s.url }, body: toFormData({ phone: '13512340001' }) });
      expect(sent.status).toBe(200);
      const smsCode = await codeFromLog(s.output, '13512340001', { after: from });
      const reg = await fetch(`${s.url}/register?_action=accounts.register`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: s.url },
        body: toFormData({ phone: '13512340001', smsCode, password, realName: '日志测试', idType: '居民身份证', idNumber, townId: town, villageId: village, agreeTerms: true, agreePrivacy: true }),
      });
      expect(reg.status).toBe(303);
      tokens = [cookieOf(reg)];
      const login = await fetch(`${s.url}/login?_action=accounts.login`, { method: 'POST', redirect: 'manual', headers: { origin: s.url }, body: toFormData({ phone: '13512340001', password }) });
      expect(login.status).toBe(303);
      tokens.push(cookieOf(login));
      expect(tokens.every((t) => t.length > 10)).toBe(true);
    });

    step('the new volunteer opens their profile and is refused the console', async () => {
      const cookie = `sx_session=${tokens[1]}`;
      await fetch(`${s.url}/me/profile`, { headers: { cookie } });
      expect((await fetch(`${s.url}/console/users`, { headers: { cookie }, redirect: 'manual' })).status).toBe(403);
    });

    step('wrong passwords lock the account (429); the demo admin signs in once with the real password', async () => {
      admin = s.accounts.find((a) => a.phone === '13900000001')!;
      await postAction(s, 'accounts.login', toFormData({ phone: admin.phone, password: admin.password }));
      let last = 0;
      for (let i = 0; i < 11; i++) last = (await postAction(s, 'accounts.login', toFormData({ phone: '13512340001', password: 'wrong-' + password }))).status;
      expect(last).toBe(429);
      await new Promise((r) => setTimeout(r, 300));
    });

    step('the log holds a JSON line per request, login and refusal', async () => {
      out = s.output();
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.length).toBeGreaterThan(10);
      for (const l of lines.filter((x) => x.msg === 'request' || x.msg === 'request refused')) {
        expect(Object.keys(l)).toEqual(expect.arrayContaining(['reqId', 'userId', 'route', 'status', 'ms']));
      }
      expect(lines.some((l) => l.msg === 'login.success' && typeof l.userId === 'number')).toBe(true);
      expect(lines.some((l) => l.msg === 'login.refused' && l.code === 'UNAUTHORIZED')).toBe(true);
      expect(lines.some((l) => l.msg === 'request refused' && l.status === 403 && l.route === '/console/users')).toBe(true);
      expect(lines.some((l) => l.msg === 'request refused' && l.status === 429)).toBe(true);
    });

    step('the log holds no password, session token or full ID number', async () => {
      // What must never be written: passwords (ours and the demo admin's), session tokens, the full ID number.
      const logsOnly = out.replace(/^.*手机号 \d{11}\s+密码 \S+.*$/gm, ''); // the one-time demo account banner is meant for the operator
      for (const secret of [password, 'wrong-' + password, admin.password, idNumber, idNumber.slice(0, 17), ...tokens]) {
        expect(logsOnly.includes(secret), `log contains a secret (${secret.slice(0, 4)}…)`).toBe(false);
      }
    });
  });
});

describe('uploaded files', () => {
  test('are served with nosniff and a sandboxing CSP; markup disguised as an image is refused', async () => {
    const s = await startServer();
    started.push(s);
    const { cookie } = await sessionCookieFor(s.dbUrl, await userIdByPhoneAt(s.dbUrl, '13900000002'));
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#b22222' } })
      .png()
      .toBuffer();
    const ok = await postAction(s, 'articles.uploadImage', toFormData({ file: new Blob([new Uint8Array(png)], { type: 'image/png' }), alt: '红色测试图片' }), { cookie });
    expect(ok.status).toBe(200);
    const html = '<html><script>alert(1)</script></html>';
    const disguised = await postAction(s, 'articles.uploadImage', toFormData({ file: new Blob([html], { type: 'image/png' }), alt: '伪装成图片的网页' }), { cookie });
    expect(disguised.status).toBe(400);
    const dir = join(s.dataDir, 'uploads');
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => /\.(webp|jpg|png|pdf|docx|xlsx)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    // Not yet used by anything published: only staff see these (docs/decisions/076).
    for (const f of files) {
      const res = await fetch(`${s.url}/media/${f.split('/').pop()}`, { headers: { cookie } });
      expect(res.status, f).toBe(200);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toMatch(/sandbox/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(res.headers.get('content-type')).toMatch(/^(image|application)\//);
      expect((await fetch(`${s.url}/media/${f.split('/').pop()}`)).status, `anonymous ${f}`).toBe(404);
    }
    // A file that is not one of ours (e.g. dropped into the folder) is never served, whatever its name.
    if (existsSync(dir)) writeFileSync(join(dir, 'evil.html'), html);
    mkdirSync(join(dir, 'private'), { recursive: true });
    writeFileSync(join(dir, 'private', 'evil.html'), html);
    for (const path of ['/files/evil.html', '/files/private/evil.html', '/media/private/evil.html', '/files/..%2Fevil.html'])
      expect((await fetch(s.url + path, { headers: { cookie } })).status, path).toBe(404);
    expect((await fetch(`${s.url}/media/evil.html`)).status).toBe(404);
  });
});

describe('overload and slow clients', () => {
  test('a stalled event loop answers 503 with Retry-After instead of queueing every request', async () => {
    // A real cause: with a 1 ms lag threshold, a burst of page renders stalls the loop past it.
    // Admission control off: this is the lag guard's own test (tests/e2e/flood.test.ts covers the other).
    // The stylesheet every page links: a page the guard lets through must not arrive unstyled. Its name
    // comes from a server with the default threshold (the same build): on a busy CI machine the 1 ms
    // guard answered 503 to every one of 50 attempts over 10 s, so it cannot be asked for a page first.
    const plain = await startServer();
    const page = await fetch(`${plain.url}/events`);
    const stylesheet = page.status === 200 ? /<link rel="stylesheet" href="([^"]+)"/.exec(await page.text())?.[1] : undefined;
    await plain.stop();
    const s = await startServer({ env: { OVERLOAD_LAG_MS: '1', RENDER_CONCURRENCY: '0' } });
    started.push(s);
    expect(stylesheet).toBeTruthy();
    const statuses: number[] = [];
    const styleStatuses: number[] = [];
    let retryAfter: string | null = null;
    let body = '';
    for (let round = 0; round < 10 && !retryAfter; round++) {
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          i % 6 === 5
            ? fetch(`${s.url}${stylesheet}`).then(async (r) => {
                styleStatuses.push(r.status);
                await r.arrayBuffer();
              })
            : // A session cookie makes each request a render (a cache-buster in the query or a foreign cookie no longer does).
              fetch(`${s.url}/events?round=${round}&i=${i}`, { headers: { cookie: `sx_large=1; sx_session=${round}-${i}` } }).then(async (r) => {
                statuses.push(r.status);
                if (r.status === 503) {
                  retryAfter = r.headers.get('retry-after');
                  body = await r.text();
                } else await r.arrayBuffer();
              }),
        ),
      );
      expect(answers.length).toBe(60);
    }
    expect(statuses).toContain(503);
    // Static files are answered from memory before the lag guard: they cost nothing to send.
    expect(styleStatuses.length).toBeGreaterThan(0);
    expect(styleStatuses.filter((x) => x !== 200)).toEqual([]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(body).toContain('系统繁忙');
    expect(statuses.filter((x) => x !== 200 && x !== 503)).toEqual([]);
    // /healthz keeps answering for the load balancer.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  test('a client that sends headers too slowly is disconnected after the header timeout', async () => {
    const s = await startServer({ env: { HEADERS_TIMEOUT_MS: '1500', REQUEST_TIMEOUT_MS: '3000', CONNECTIONS_CHECK_MS: '250' } });
    started.push(s);
    const outcome = await new Promise<{ linesSent: number; answer: string }>((resolve) => {
      const socket = connect(s.port, '127.0.0.1');
      let answer = '';
      let n = 0;
      socket.on('connect', () => {
        socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        // One header line every 400 ms, never finishing the request (slowloris).
        const timer = setInterval(() => {
          if (!socket.destroyed) socket.write(`X-Slow-${n++}: a\r\n`);
          if (n > 40) clearInterval(timer);
        }, 400);
        socket.on('close', () => {
          clearInterval(timer);
          resolve({ linesSent: n, answer });
        });
      });
      socket.on('data', (d) => (answer += d));
      socket.on('error', () => {});
    });
    // The server hung up while the slow client still had header lines to send.
    expect(outcome.linesSent).toBeLessThan(40);
    expect(outcome.answer === '' || outcome.answer.startsWith('HTTP/1.1 408')).toBe(true);
  });
});
