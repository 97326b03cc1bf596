// The 我要报名 form answered before Astro (src/server/signup-form.ts, docs/decisions/109): the plain
// success gets the Action's own 303; everything else is handed on untouched, with what Astro may reuse.
import { describe, expect, test } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { insertEvent, insertTeam, insertUsers } from '../helpers/events-fixtures.ts';
import { createSignupForm, sessionCookieValue, type SignupFormPass } from '../../src/server/signup-form.ts';
import { generateSessionToken, sessionIdFromToken } from '../../src/domain/accounts/sessions.ts';
import { securityHeaders } from '../../src/lib/security-headers.ts';
import type { Db } from '../../db/client.ts';

const SITE = 'http://127.0.0.1:4321';

/** What the fast path wrote to the response, if anything. */
interface Answer {
  status?: number;
  headers?: Record<string, string | string[]>;
  ended: boolean;
}

function post(eventId: number, cookie: string | undefined, over: Partial<{ url: string; body: string; origin: string; host: string; method: string }> = {}) {
  const req = {
    method: over.method ?? 'POST',
    url: over.url ?? `/events/${eventId}?_action=events.signUp`,
    headers: { origin: over.origin ?? SITE, host: over.host ?? '127.0.0.1:4321', 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: Buffer.from(over.body ?? `eventId=${eventId}`),
  } as unknown as IncomingMessage & { body: Buffer };
  const answer: Answer = { ended: false };
  const res = {
    writeHead(status: number, headers: Record<string, string | string[]>) {
      answer.status = status;
      answer.headers = headers;
    },
    end() {
      answer.ended = true;
    },
  } as unknown as ServerResponse;
  return { req, res, answer };
}

async function setup(opts: { capacity?: number; waitlist?: boolean } = {}) {
  const db = await freshDb({ seed: 'none' });
  const [leader] = await insertUsers(db, 1, { prefix: '156' });
  const teamId = await insertTeam(db, leader);
  const eventId = await insertEvent(db, teamId, { capacity: opts.capacity ?? 5, waitlist: opts.waitlist ?? false });
  const [volunteer, staff] = await insertUsers(db, 2);
  // Every fixture user is a volunteer: the staff account is an editor only.
  await db.$client.execute({ sql: `UPDATE user_roles SET role = 'editor' WHERE user_id = ?`, args: [staff] });
  const signIn = async (userId: number, expiresInMs = 29 * 86400_000) => {
    const token = generateSessionToken();
    await db.$client.execute({
      sql: 'INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES (?, ?, ?, ?, ?)',
      args: [sessionIdFromToken(token), userId, Date.now() + expiresInMs, 30 * 86400_000, Date.now()],
    });
    return token;
  };
  const form = createSignupForm({ db: async () => db, siteUrl: SITE, secretKey: TEST_KEY, headers: securityHeaders(SITE) });
  return { db, eventId, volunteer, staff, signIn, form };
}

async function rows(db: Db, eventId: number) {
  const signups = (await db.$client.execute({ sql: 'SELECT user_id, status FROM signups WHERE event_id = ?', args: [eventId] })).rows.map((r) => [Number(r.user_id), String(r.status)]);
  const notices = Number((await db.$client.execute({ sql: `SELECT count(*) AS n FROM notices WHERE kind LIKE 'signup.%'` })).rows[0].n);
  return { signups, notices };
}

describe('the sign-up form before Astro', () => {
  test("a volunteer's sign-up gets the Action's 303: the seat and its notice written, the page's security headers, nothing cached", async () => {
    const { db, eventId, volunteer, signIn, form } = await setup();
    const token = await signIn(volunteer);
    const { req, res, answer } = post(eventId, `theme=dark; sx_session=${token}`);
    expect(await form(req, res, {})).toBe(true);
    expect(answer).toMatchObject({ status: 303, ended: true });
    expect(answer.headers).toEqual({ ...securityHeaders(SITE), 'Cache-Control': 'private, no-store', Location: `/events/${eventId}?done=confirmed` });
    expect(await rows(db, eventId)).toEqual({ signups: [[volunteer, 'confirmed']], notices: 1 });
    // Pressing again (a double tap) is the same answer and no second row.
    const again = post(eventId, `sx_session=${token}`);
    expect(await form(again.req, again.res, {})).toBe(true);
    expect(again.answer.headers?.Location).toBe(`/events/${eventId}?done=confirmed`);
    expect(await rows(db, eventId)).toEqual({ signups: [[volunteer, 'confirmed']], notices: 1 });
  });

  test('a session past half its window is renewed, and the cookie moves with it as Astro would write it', async () => {
    const { eventId, volunteer, signIn, form } = await setup({ capacity: 0, waitlist: true });
    const token = await signIn(volunteer, 10 * 86400_000);
    const { req, res, answer } = post(eventId, `sx_session=${token}`);
    expect(await form(req, res, {})).toBe(true);
    expect(answer.headers?.Location).toBe(`/events/${eventId}?done=waitlisted`);
    expect(String(answer.headers?.['Set-Cookie'])).toMatch(
      new RegExp(`^sx_session=${token}; Path=/; Expires=[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT; HttpOnly; SameSite=Lax$`),
    );
  });

  test('a refusal is handed on to the page with the checked session, nothing written', async () => {
    const { db, eventId, volunteer, signIn, form } = await setup({ capacity: 0, waitlist: false });
    const token = await signIn(volunteer);
    const { req, res, answer } = post(eventId, `sx_session=${token}`);
    const pass: SignupFormPass = {};
    expect(await form(req, res, pass)).toBe(false);
    expect(answer).toEqual({ ended: false });
    expect(pass.formRefusal?.action).toBe('events.signUp');
    expect(pass.formRefusal?.refusal.message).toBe('名额已满');
    expect(pass.formRefusal?.refusal.status).toBe('CONFLICT');
    expect(pass.checkedSession?.token).toBe(token);
    expect(pass.checkedSession?.result?.user.id).toBe(volunteer);
    expect(await rows(db, eventId)).toEqual({ signups: [], notices: 0 });
  });

  test.each([
    ['another origin', { origin: 'https://evil.example' }],
    ['no origin', { origin: '' }],
    ['another host name', { host: 'shanxing.example' }],
    ['a form with more fields', { body: 'eventId=EV&x=1' }],
    ['another event in the form than in the address', { body: 'eventId=999' }],
    ['another action', { url: '/events/EV?_action=events.cancel' }],
    ['a GET', { method: 'GET' }],
  ])('%s: handed on to Astro untouched', async (_, over) => {
    const { db, eventId, volunteer, signIn, form } = await setup();
    const token = await signIn(volunteer);
    const o = Object.fromEntries(Object.entries(over).map(([k, v]) => [k, v.replace('EV', String(eventId))]));
    const { req, res, answer } = post(eventId, `sx_session=${token}`, o);
    const pass: SignupFormPass = {};
    expect(await form(req, res, pass)).toBe(false);
    expect(answer).toEqual({ ended: false });
    expect(pass).toEqual({});
    expect(await rows(db, eventId)).toEqual({ signups: [], notices: 0 });
  });

  test('no session, an unknown one, two session cookies, or a staff account that is no volunteer: handed on, nothing written', async () => {
    const { db, eventId, volunteer, staff, signIn, form } = await setup();
    const staffToken = await signIn(staff);
    const token = await signIn(volunteer);
    for (const cookie of [undefined, 'theme=dark', `sx_session=${generateSessionToken()}`, `sx_session=${token}; sx_session=${staffToken}`, `sx_session=${staffToken}`]) {
      const { req, res, answer } = post(eventId, cookie);
      const pass: SignupFormPass = {};
      expect(await form(req, res, pass), String(cookie)).toBe(false);
      expect(answer).toEqual({ ended: false });
      expect(pass.formRefusal).toBeUndefined();
    }
    expect(await rows(db, eventId)).toEqual({ signups: [], notices: 0 });
  });

  test('a burst of sign-ups leaves the event loop room: a timer set before 64 of them runs before the last is answered, and all 64 are answered', async () => {
    const { db, eventId, signIn, form } = await setup({ capacity: 100 });
    const users = await insertUsers(db, 64);
    const tokens = await Promise.all(users.map((u) => signIn(u)));
    let answered = 0;
    let answeredWhenTimerRan = -1;
    setTimeout(() => (answeredWhenTimerRan = answered), 0);
    const results = await Promise.all(
      tokens.map(async (t) => {
        const { req, res } = post(eventId, `sx_session=${t}`);
        const done = await form(req, res, {});
        answered++;
        return done;
      }),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(answeredWhenTimerRan).toBeGreaterThanOrEqual(0);
    expect(answeredWhenTimerRan).toBeLessThan(64);
    expect((await rows(db, eventId)).signups).toHaveLength(64);
  });

  test('the session cookie is read only when it is there once', () => {
    expect(sessionCookieValue('a=1; sx_session=abc ; b=2')).toBe('abc');
    expect(sessionCookieValue('sx_session=abc; sx_session=def')).toBeUndefined();
    expect(sessionCookieValue('xsx_session=abc')).toBeUndefined();
    expect(sessionCookieValue(undefined)).toBeUndefined();
  });
});
