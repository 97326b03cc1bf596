// The sign-up storm: 1,000 signed-in volunteers post the real 我要报名 form at once, each on its own
// connection, for a 50-seat event; run with the waitlist on and off after an unmeasured warm-up.
import { request as httpRequest } from 'node:http';
import { generateSessionToken, sessionIdFromToken, SESSION_COOKIE } from '../../src/domain/accounts/sessions.ts';
import { DAY } from './options.mjs';
import { bulkInsert } from './seed.mjs';
import { listenOverflows } from './servers.mjs';

const actionName = 'signUp'; // src/actions/events.ts

/** A session cookie for one volunteer (the session row written directly, as for the storm's). */
export async function signedInCookie(db, userId) {
  const token = generateSessionToken();
  const t = Date.now();
  await db.$client.execute({ sql: `INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES (?, ?, ?, ?, ?)`, args: [sessionIdFromToken(token), userId, t + 30 * DAY, 30 * DAY, t] });
  return `${SESSION_COOKIE}=${token}`;
}

/**
 * Signs the storm's volunteers in (session rows written directly) and copies the storm event for
 * the warm-up; returns the storm's steps. Call cleanUp() when done, whether or not the storm ran.
 */
export async function prepareStorm(db, { port, base, stormEventId, counts: N }) {
  const volunteers = (await db.$client.execute(`SELECT id FROM users ORDER BY id LIMIT ${N.storm} OFFSET 1000`)).rows.map((r) => Number(r.id));
  const tokens = volunteers.map(() => generateSessionToken());
  const t = Date.now();
  // A reused database starts where a fresh seed would: the storm volunteers' sessions and sign-up
  // notices of earlier runs go (they piled up run after run: up to 435 unread notices each after a day of
  // runs, which the session lookup counts on every request). Done again after the storm.
  async function forgetStormTraces() {
    const ids = volunteers.join(',');
    await db.$client.execute(`DELETE FROM sessions WHERE user_id IN (${ids})`);
    await db.$client.execute(`DELETE FROM notices WHERE user_id IN (${ids}) AND kind LIKE 'signup.%'`);
  }
  await forgetStormTraces();
  await bulkInsert(
    db.$client,
    'sessions',
    ['id', 'user_id', 'expires_at', 'ttl_ms', 'created_at'],
    volunteers.map((u, i) => [sessionIdFromToken(tokens[i]), u, t + 30 * DAY, 30 * DAY, t]),
  );
  // Puts an event back to "open, no sign-ups" (dates relative to now, so a reused database still works).
  async function resetEvent(eventId, waitlist, daysAhead) {
    const now = Date.now();
    const start = now + daysAhead * DAY;
    await db.$client.execute({ sql: `DELETE FROM signups WHERE event_id = ?`, args: [eventId] });
    await db.$client.execute({
      sql: `UPDATE events SET confirmed_count = 0, waitlist_enabled = ?, status = 'published', starts_at = ?, ends_at = ?, signup_opens_at = ?, signup_closes_at = ? WHERE id = ?`,
      args: [waitlist ? 1 : 0, start, start + 3 * 3600_000, now - DAY, start - DAY, eventId],
    });
  }
  // One POST of the real sign-up form on its own connection, as from 1,000 different phones.
  // node:http rather than fetch: undici's per-request cost on the client side (measured: p99
  // ~145 ms vs ~85 ms for 1,000 posts to a server that answers at once) is not the portal's.
  function postForm(path, form, cookie) {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          agent: false,
          headers: { cookie, origin: base, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(form);
    });
  }
  async function fire(eventId) {
    const lat = [];
    let errors = 0;
    // What the errors were (a status, or the client's error code): a 503 is the overload guard shedding load
    // after a late event loop, a 500 a fault, ECONNRESET a dropped connection — three different stories.
    const errorKinds = {};
    // Every answer's status: a storm with a waitlist answers 1,000 × 303; without, 50 × 303 and 950 × 409.
    const statuses = {};
    const failed = (kind) => {
      errors++;
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    };
    await Promise.all(
      tokens.map(async (tok) => {
        const form = new URLSearchParams({ eventId: String(eventId) }).toString();
        const s = performance.now();
        try {
          const status = await postForm(`/events/${eventId}?_action=events.${actionName}`, form, `${SESSION_COOKIE}=${tok}`);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 500) failed(String(status));
        } catch (e) {
          failed(e?.code ?? 'error');
        }
        lat.push(performance.now() - s);
      }),
    );
    lat.sort((a, b) => a - b);
    return { lat, errors, errorKinds, statuses };
  }
  // Warm-up (not measured), as for the page loads: the same 1,000 sign-ups, with and without
  // waitlist, on a copy of the event two weeks later, so both code paths are compiled.
  const warmId = Number(
    (
      await db.$client.execute({
        sql: `INSERT INTO events (team_id, title, category, description, town_id, address, starts_at, ends_at, signup_opens_at, signup_closes_at, capacity, waitlist_enabled, status, created_at)
          SELECT team_id, title || '（预热）', category, description, town_id, address, starts_at, ends_at, signup_opens_at, signup_closes_at, capacity, 1, status, created_at FROM events WHERE id = ? RETURNING id`,
        args: [stormEventId],
      })
    ).rows[0].id,
  );
  async function warmUp() {
    for (const waitlist of [true, false]) {
      await resetEvent(warmId, waitlist, 14);
      await fire(warmId);
    }
    await db.$client.execute({ sql: `DELETE FROM signups WHERE event_id = ?`, args: [warmId] });
  }
  // Run it twice: waitlist on (the portal's default: 950 join the queue and are
  // redirected) and off (950 refusals, each re-rendering the event page with 名额已满).
  async function runStorm(waitlist) {
    await resetEvent(stormEventId, waitlist, 7);
    await new Promise((r) => setTimeout(r, 500)); // let the page cache notice the new version
    const overflowsBefore = listenOverflows();
    const { lat, errors, errorKinds, statuses } = await fire(stormEventId);
    // A connection the kernel dropped (accept queue full) is retried by the client after 1 s.
    const listenDrops = overflowsBefore == null ? null : listenOverflows() - overflowsBefore;
    const confirmed = Number((await db.$client.execute({ sql: `SELECT count(*) AS n FROM signups WHERE event_id = ? AND status = 'confirmed'`, args: [stormEventId] })).rows[0].n);
    const waitlisted = Number((await db.$client.execute({ sql: `SELECT count(*) AS n FROM signups WHERE event_id = ? AND status = 'waitlisted'`, args: [stormEventId] })).rows[0].n);
    return {
      mode: `POST /events/${stormEventId}?_action=events.${actionName} (real form), waitlist ${waitlist ? 'on' : 'off'}`,
      waitlist,
      errors,
      errorKinds,
      statuses,
      confirmed,
      waitlisted,
      listenDrops,
      p50: lat[Math.floor(lat.length * 0.5)],
      p99: lat[Math.floor(lat.length * 0.99)],
    };
  }
  /** Removes the warm-up event and the storm volunteers' sessions and notices. */
  async function cleanUp() {
    await db.$client.execute({ sql: `DELETE FROM signups WHERE event_id = ?`, args: [warmId] });
    await db.$client.execute({ sql: `DELETE FROM events WHERE id = ?`, args: [warmId] });
    await forgetStormTraces();
  }
  return { warmUp, runStorm, cleanUp };
}
