// Issue 22: a volunteer with 2,000 service records. /me/hours showed the newest 500 on one page (each
// with its correction form: about 1 MB of HTML) and the older ones nowhere; now 50 a page, every record
// reachable, and a correction refused on a later page comes back on that page with its message.
import { describe, expect, test } from 'vitest';
import { createClient } from '@libsql/client';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../helpers/server.ts';
import { portalHooks } from '../helpers/portal.ts';
import { sessionCookieFor, signInContext } from '../helpers/session.ts';
import { shanghaiDay } from '../../src/lib/time.ts';

let server: RunningServer;
let browser: Browser;
portalHooks((s, b) => {
  server = s;
  browser = b;
});

const RECORDS = 520;
const DAY = 86400_000;

/** A volunteer of a demo team with RECORDS confirmed records, one a day going back; returns the id and the oldest record's day. */
async function volunteerWithManyRecords(): Promise<{ userId: number; oldestDay: string; newestDay: string }> {
  const q = createClient({ url: server.dbUrl });
  const user = Number(
    (
      await q.execute({
        sql: `INSERT INTO users (phone, real_name, skills, status, created_at) VALUES ('13900005201', '记录多', '[]', 'active', ?) RETURNING id`,
        args: [Date.now()],
      })
    ).rows[0].id,
  );
  const team = Number((await q.execute(`SELECT id FROM teams WHERE status = 'active' ORDER BY id LIMIT 1`)).rows[0].id);
  await q.execute({ sql: `INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (?, ?, 'member', 'active', ?)`, args: [team, user, Date.now()] });
  const base = Date.now() - 2 * DAY;
  const stmts = Array.from({ length: RECORDS }, (_, i) => ({
    sql: `INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, content, status, created_at) VALUES (?, ?, 'claim', ?, ?, 60, ?, 'pending', ?)`,
    args: [user, team, base - i * DAY, base - i * DAY + 3600_000, `第${i + 1}次值守`, base],
  }));
  await q.batch(stmts, 'write');
  q.close();
  return { userId: user, oldestDay: shanghaiDay(base - (RECORDS - 1) * DAY), newestDay: shanghaiDay(base) };
}

describe('/me/hours with many records', () => {
  test('50 records a page, the oldest reachable, a refused correction shown on its page', async () => {
    const { userId, oldestDay, newestDay } = await volunteerWithManyRecords();
    const { cookie } = await sessionCookieFor(server.dbUrl, userId);
    const page = async (path: string) => {
      const res = await fetch(server.url + path, { headers: { cookie } });
      expect(res.status).toBe(200);
      return res.text();
    };
    const first = await page('/me/hours');
    expect(first.match(/<tr id="record-/g)?.length).toBe(50);
    expect(first).toContain('第 1 / 11 页');
    expect(first).toContain(`共 ${RECORDS} 条记录`);
    expect(first).toContain(newestDay);
    expect(first).not.toContain(oldestDay);
    const last = await page('/me/hours?page=11');
    expect(last.match(/<tr id="record-/g)?.length).toBe(RECORDS - 500);
    expect(last).toContain(oldestDay);
    expect(last).toContain('第 11 / 11 页');
    // Out of range: the last page, not an empty one or an error.
    expect(await page('/me/hours?page=99')).toContain('第 11 / 11 页');

    // A correction with no reason on page 7: the answer is page 7, with the message by the field.
    const context = await browser.newContext();
    await signInContext(context, server.url, server.dbUrl, userId);
    const tab = await context.newPage();
    await tab.goto(server.url + '/me/hours?page=7');
    const row = tab.locator('tr[id^="record-"]').nth(3);
    const recordId = (await row.getAttribute('id'))!.slice('record-'.length);
    await row.locator('summary').click();
    await row.locator('button[type="submit"]').click();
    await tab.waitForLoadState('domcontentloaded');
    expect(await tab.locator('[aria-current="page"]').first().textContent()).toContain('第 7 / 11 页');
    const again = tab.locator(`#record-${recordId}`);
    expect(await again.locator('details').getAttribute('open')).not.toBeNull();
    expect(await again.locator('.error').first().textContent()).toMatch(/理由/);
    await context.close();
  });
});
