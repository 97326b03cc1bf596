// Crash safety and several processes (issue 9, items 6 and 7): a sign-up storm
// and hour claims against the running server, SIGKILL midway, restart on the
// same data; and two app processes on one database file.
import { afterAll, describe, expect, test } from 'vitest';
import { flow } from '../helpers/flow.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { sessionCookieFor } from '../helpers/session.ts';
import { openQ, postAction, toFormData, type Q } from '../helpers/trust.ts';

const started: RunningServer[] = [];
afterAll(async () => {
  for (const s of started) await s.stop('SIGKILL');
});

/** A published event of team B far in the future: open to everyone, no waitlist, `capacity` seats. */
async function stormEvent(q: Q, capacity: number): Promise<number> {
  const team = await q.one("SELECT id FROM teams WHERE slug = 'chengguan-red-vest'");
  const town = await q.one("SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1");
  const start = Date.now() + 40 * 86400_000;
  const rs = await q.client.execute({
    sql: `INSERT INTO events (team_id, title, category, description, risks, town_id, address, starts_at, ends_at, signup_opens_at, signup_closes_at,
            capacity, waitlist_enabled, confirmed_count, dangerous, members_only, status, checkin_secret, created_at)
          VALUES (?, '抢报测试活动', '助老助残', '', '', ?, '县城', ?, ?, ?, ?, ?, 0, 0, 0, 0, 'published', ?, ?) RETURNING id`,
    args: [team, town, start, start + 7200_000, Date.now() - 86400_000, start - 3600_000, capacity, 'storm' + Math.random().toString(36).slice(2), Date.now()],
  });
  return Number(rs.rows[0].id);
}

/** Session cookies for every active volunteer (a real session row each). */
async function volunteerCookies(s: RunningServer, q: Q): Promise<{ userId: number; cookie: string }[]> {
  const rs = await q.client.execute("SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'volunteer' WHERE u.status = 'active' ORDER BY u.id");
  const out = [];
  for (const row of rs.rows) out.push({ userId: Number(row.id), cookie: (await sessionCookieFor(s.dbUrl, Number(row.id))).cookie });
  return out;
}

async function invariants(q: Q, eventId: number, capacity: number) {
  const confirmed = await q.one("SELECT count(*) FROM signups WHERE event_id = ? AND status = 'confirmed'", [eventId]);
  const counter = await q.one('SELECT confirmed_count FROM events WHERE id = ?', [eventId]);
  const dups = await q.client.execute('SELECT event_id, user_id, count(*) AS n FROM signups GROUP BY event_id, user_id HAVING n > 1');
  const integrity = String((await q.client.execute('PRAGMA integrity_check')).rows[0][0]);
  return { confirmed, counter, dups: dups.rows.length, integrity, capacity };
}

describe('crash in the middle of a sign-up rush', () => {
  flow('SIGKILL midway loses no answered request, breaks no invariant, and the portal restarts on the same data', (step) => {
    const capacity = 15;
    let a: RunningServer;
    let q: Q;
    let eventId: number;
    let volunteers: { userId: number; cookie: string }[];
    let teamB: number;
    let members: number[];
    const signedUp: number[] = [];
    const claimed: string[] = [];
    let b: RunningServer;
    let q2: Q;

    step('a portal opens a 15-seat event; every volunteer is signed in', async () => {
      a = await startServer();
      started.push(a);
      q = openQ(a.dbUrl);
      eventId = await stormEvent(q, capacity);
      volunteers = await volunteerCookies(a, q);
      teamB = await q.one("SELECT id FROM teams WHERE slug = 'chengguan-red-vest'");
      members = (await q.client.execute({ sql: "SELECT user_id FROM team_members WHERE team_id = ? AND status = 'active'", args: [teamB] })).rows.map((r) => Number(r.user_id));
      expect(volunteers.length).toBeGreaterThan(capacity * 2);
    });

    step('volunteers rush the sign-up and claim hours; the process is SIGKILLed a third of the way in', async () => {
      let answered = 0;
      let killed = false;
      const kill = () => {
        if (!killed) {
          killed = true;
          a.proc.kill('SIGKILL');
        }
      };
      const day = new Date(Date.now() - 5 * 86400_000 + 8 * 3600_000).toISOString().slice(0, 10);
      const requests = volunteers.flatMap(({ userId, cookie }, i) => {
        const jobs: Promise<void>[] = [
          postAction(a, 'events.signUp', toFormData({ eventId }), { cookie }).then(
            (r) => {
              answered++;
              if (r.status === 200) signedUp.push(userId);
              if (answered >= volunteers.length / 3) kill();
            },
            () => {},
          ),
        ];
        if (members.includes(userId)) {
          const content = `崩溃测试申报-${userId}`;
          jobs.push(
            postAction(a, 'hours.claim', toFormData({ teamId: teamB, day, start: `0${i % 9}:00`, end: `0${i % 9}:30`, content }), { cookie }).then(
              (r) => {
                answered++;
                if (r.status === 200) claimed.push(content);
              },
              () => {},
            ),
          );
        }
        return jobs;
      });
      await Promise.all(requests);
      kill();
      await a.stop('SIGKILL');
      q.client.close();
      expect(signedUp.length, 'some sign-ups were answered before the kill').toBeGreaterThan(0);
    });

    step('the portal restarts on the same data with every invariant intact', async () => {
      b = await startServer({ dataDir: a.dataDir });
      started.push(b);
      expect(b.accounts).toEqual([]); // the old data, not a new seed
      q2 = openQ(b.dbUrl);
      const inv = await invariants(q2, eventId, capacity);
      expect(inv.integrity).toBe('ok');
      expect(inv.dups).toBe(0);
      expect(inv.confirmed).toBeLessThanOrEqual(capacity);
      expect(inv.counter).toBe(inv.confirmed);
    });

    step('every answered sign-up and hour claim is still there', async () => {
      for (const userId of signedUp) {
        expect(await q2.one('SELECT count(*) FROM signups WHERE event_id = ? AND user_id = ?', [eventId, userId]), `answered sign-up of user ${userId} kept`).toBe(1);
      }
      for (const content of claimed) expect(await q2.one('SELECT count(*) FROM hour_records WHERE content = ?', [content]), content).toBe(1);
    });

    step('the restarted portal serves the event and takes new sign-ups up to exactly the capacity', async () => {
      expect((await fetch(`${b.url}/events/${eventId}`)).status).toBe(200);
      const rest = await volunteerCookies(b, q2);
      await Promise.all(rest.map(({ cookie }) => postAction(b, 'events.signUp', toFormData({ eventId }), { cookie })));
      const after = await invariants(q2, eventId, capacity);
      expect(after.confirmed).toBe(capacity);
      expect(after.counter).toBe(capacity);
      q2.client.close();
    });
  });
});

describe('two app processes on one database file', () => {
  test('alternate requests keep the storm exact, share sessions and share rate limits', async () => {
    const a = await startServer();
    started.push(a);
    const b = await startServer({ dataDir: a.dataDir });
    started.push(b);
    const q = openQ(a.dbUrl);
    const capacity = 20;
    const eventId = await stormEvent(q, capacity);
    const volunteers = await volunteerCookies(a, q);
    const answers = await Promise.all(volunteers.map(({ cookie }, i) => postAction(i % 2 ? b : a, 'events.signUp', toFormData({ eventId }), { cookie })));
    expect(answers.filter((r) => r.status >= 500)).toEqual([]);
    expect(answers.filter((r) => r.status === 200).length).toBe(capacity);
    const inv = await invariants(q, eventId, capacity);
    expect(inv).toMatchObject({ confirmed: capacity, counter: capacity, dups: 0, integrity: 'ok' });

    // Sign in on A through the login form, use the cookie on B.
    const volunteer = a.accounts.find((x) => x.phone === '13900000006')!;
    const login = await fetch(`${a.url}/login?_action=accounts.login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: a.url },
      body: toFormData({ phone: volunteer.phone, password: volunteer.password }),
    });
    expect(login.status).toBe(303);
    const token = (login.headers.get('set-cookie') ?? '').match(/sx_session=([^;]+)/)![1];
    const onB = await fetch(`${b.url}/me`, { headers: { cookie: `sx_session=${token}` }, redirect: 'manual' });
    expect(onB.status).toBe(200);
    expect(await onB.text()).toContain('何思远');

    // Ten wrong passwords split across A and B lock the account for both: the 11th attempt gets 429.
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await postAction(i % 2 ? b : a, 'accounts.login', toFormData({ phone: '13900000005', password: 'wrong-password-' + i }))).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    q.client.close();
  });
});
