// Issue 22: the 台账 download through the real server — the whole file with the headers it always had, a
// client that stops reading is not read ahead of (the server stops working on it), and one that goes
// away mid-download stops the export and leaves the server serving (docs/decisions/108).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import readXlsxFile from 'read-excel-file/node';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { sessionCookieFor } from '../helpers/session.ts';
import { openDb, type Db } from '../../db/client.ts';
import { fromShanghai } from '../../src/lib/time.ts';

let server: RunningServer;
let db: Db;
let cookie: string;
let teamId: number;
// Far more than the kernel's socket buffers hold on loopback (a few MB, about 50,000 rows): a server that
// read ahead of a stalled client would still be compressing this file long after they are full.
const ROWS = 400_000;

/** CPU milliseconds (user + system) the server process has used so far. */
function serverCpuMs(): number {
  const fields = readFileSync(`/proc/${server.proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await startServer();
  db = await openDb({ url: server.dbUrl });
  const admin = Number((await db.$client.execute(`SELECT user_id FROM user_roles WHERE role = 'admin' ORDER BY user_id LIMIT 1`)).rows[0].user_id);
  cookie = (await sessionCookieFor(server.dbUrl, admin)).cookie;
  teamId = Number((await db.$client.execute(`SELECT id FROM teams WHERE slug = 'chengguan-red-vest'`)).rows[0].id);
  const member = Number((await db.$client.execute({ sql: `SELECT user_id FROM team_members WHERE team_id = ? AND status = 'active' ORDER BY id LIMIT 1`, args: [teamId] })).rows[0].user_id);
  // Records of 2019, before anything the demo holds: one-hour claims three hours apart.
  const base = fromShanghai('2019-01-01', '08:00');
  await db.$client.execute({
    sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
          INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, content, status, created_at)
          SELECT ?, ?, 'claim', ? + i * 10800000, ? + i * 10800000 + 3600000, 60, '下载测试第' || i || '条', 'pending', ? FROM n`,
    args: [ROWS - 1, member, teamId, base, base, base],
  });
}, 300_000);

afterAll(async () => {
  db?.$client.close();
  await server?.stop();
});

const url = () => `${server.url}/console/ledger.xlsx?team=${teamId}&from=2019-01-01&to=2019-12-31`;

describe('the 台账 download', () => {
  test('comes whole, as an attachment named for the day, with every row of the filter', async () => {
    const res = await fetch(url(), { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="ledger.xlsx"; filename\*=UTF-8''%E5%BF%97%E6%84%BF%E6%9C%8D%E5%8A%A1%E8%AE%B0%E5%BD%95%E5%8F%B0%E8%B4%A6-\d{4}-\d{2}-\d{2}\.xlsx$/,
    );
    expect(res.headers.get('cache-control')).toContain('no-store');
    const bytes = Buffer.from(await res.arrayBuffer());
    const [{ data }] = await readXlsxFile(bytes);
    // 2,920 three-hour steps a year: the 2019 filter holds the records of 2019 only.
    const in2019 = Math.ceil((fromShanghai('2020-01-01', '00:00') - fromShanghai('2019-01-01', '08:00')) / 10_800_000);
    expect(data.length).toBe(3 + in2019);
    expect(data[3]).toContain('下载测试第0条');
    expect(data.at(-1)).toContain(`下载测试第${in2019 - 1}条`);
  }, 120_000);

  test('a client that stops reading is not read ahead of: the server stops working on its file and keeps answering others', async () => {
    const ac = new AbortController();
    const res = await fetch(`${server.url}/console/ledger.xlsx?team=${teamId}`, { headers: { cookie }, signal: ac.signal });
    const reader = res.body!.getReader();
    let got = 0;
    while (got < 64 * 1024) got += (await reader.read()).value!.length;
    // The sockets' buffers fill first; after that a server that reads ahead would keep compressing the file.
    await pause(6000);
    const cpu0 = serverCpuMs();
    await pause(2000);
    const stalledCpu = serverCpuMs() - cpu0;
    expect(stalledCpu).toBeLessThan(300);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/console/ledger`, { headers: { cookie } })).status).toBe(200);
    // It carries on when the client reads again, to the last row.
    let total = got;
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      total += r.value.length;
    }
    expect(total).toBeGreaterThan(20_000_000);
  }, 180_000);

  test('a client that goes away mid-download stops the export; the server answers the next one in full', async () => {
    const ac = new AbortController();
    const res = await fetch(`${server.url}/console/ledger.xlsx?team=${teamId}`, { headers: { cookie }, signal: ac.signal });
    const reader = res.body!.getReader();
    let got = 0;
    while (got < 64 * 1024) got += (await reader.read()).value!.length;
    ac.abort();
    await reader.cancel().catch(() => {});
    await pause(1000);
    const cpu0 = serverCpuMs();
    await pause(2000);
    expect(serverCpuMs() - cpu0).toBeLessThan(300);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const again = await fetch(url(), { headers: { cookie } });
    expect(again.status).toBe(200);
    const [{ data }] = await readXlsxFile(Buffer.from(await again.arrayBuffer()));
    expect(data.length).toBeGreaterThan(2_900);
    expect(server.output()).not.toMatch(/request failed|uncaught error|Internal server error/i);
  }, 180_000);
});
