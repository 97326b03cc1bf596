// The 名额已满 page answered before Astro (src/server/signup-refusal-page.ts, docs/decisions/113): learnt from
// Astro's answers, used only once a second volunteer's answer proved that the name and unread count are all
// that differ, and only for a volunteer the event page would show the same to.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import { insertEvent, insertTeam, insertUsers } from '../helpers/events-fixtures.ts';
import { createRefusalPages, largeTypeCookie, type RefusalPageKey } from '../../src/server/signup-refusal-page.ts';
import { validateSessionToken, generateSessionToken, sessionIdFromToken, type SessionUser } from '../../src/domain/accounts/sessions.ts';
import { getEventPage } from '../../src/domain/events/public.ts';
import { getSettings } from '../../src/domain/settings/index.ts';
import type { Db } from '../../db/client.ts';

const HEADERS = { 'content-type': 'text/html', 'cache-control': 'private, no-store', 'x-frame-options': 'DENY' };

/** A response Astro writes the way its node adapter does: status text, headers, then the body in pieces. */
function astroAnswers(pages: ReturnType<typeof createRefusalPages>, key: RefusalPageKey, locals: Partial<App.Locals>, body: string, extra: Record<string, string> = {}) {
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    statusMessage: '',
    writeHead(this: ServerResponse, status: number, headers: Record<string, string>) {
      this.statusCode = status;
      void headers;
      return this;
    },
    write: () => true,
    end(this: EventEmitter) {
      this.emit('finish');
      return this;
    },
  }) as unknown as ServerResponse;
  const learnt = pages.learn(res, locals, key);
  res.statusMessage = 'AstroActionError';
  res.writeHead(409, { ...HEADERS, ...extra });
  const half = Math.floor(body.length / 2);
  res.write(new TextEncoder().encode(body.slice(0, half)));
  res.write(new TextEncoder().encode(body.slice(half)));
  res.end();
  return learnt; // settled once the answer is looked at, however long the database takes (the Hrana run's round trips)
}

/** A page that shows the viewer's name and unread count in the header, as the public layout does. */
const page = (user: SessionUser, unread: number | string, more = '') =>
  `<html><h1>没有名额</h1><a href="/me">我的（${user.realName}）</a><a>站内信(${unread})</a>${more}<p role="alert">名额已满</p></html>`;

async function setup() {
  const db = await freshDb({ seed: 'none' });
  const [leader] = await insertUsers(db, 1, { prefix: '157' });
  const teamId = await insertTeam(db, leader);
  const eventId = await insertEvent(db, teamId, { capacity: 0, waitlist: false });
  const ids = await insertUsers(db, 4);
  const users: SessionUser[] = [];
  for (const id of ids) {
    const token = generateSessionToken();
    await db.$client.execute({
      sql: 'INSERT INTO sessions (id, user_id, expires_at, ttl_ms, created_at) VALUES (?, ?, ?, ?, ?)',
      args: [sessionIdFromToken(token), id, Date.now() + 29 * 86400_000, 30 * 86400_000, Date.now()],
    });
    users.push((await validateSessionToken(db, token))!.user);
  }
  const key: RefusalPageKey = { eventId, large: false, message: '名额已满' };
  const locals = async (user: SessionUser, unread = 0): Promise<Partial<App.Locals>> => ({
    user,
    unread,
    largeType: false,
    settings: getSettings(db),
    eventPageShown: { row: (await getEventPage(db, eventId, user))!, open: true },
  });
  return { db, eventId, users, key, locals, pages: createRefusalPages() };
}

async function learnt(db: Db, pages: ReturnType<typeof createRefusalPages>, key: RefusalPageKey, user: SessionUser, unread = 0) {
  const a = await pages.answer(db, key, user, unread);
  return a && { ...a, body: a.body.toString('utf8') };
}

describe('the refusal page before Astro', () => {
  test('two volunteers’ pages from Astro: the third gets the page with their own name and count, Astro’s status and headers without its cookie', async () => {
    const { db, users, key, locals, pages } = await setup();
    const [a, b, c] = users;
    await astroAnswers(pages, key, await locals(a), page(a, 0), { 'set-cookie': 'sx_session=x' });
    expect(await learnt(db, pages, key, c), 'one page proves nothing').toBeUndefined();
    await astroAnswers(pages, key, await locals(b, 3), page(b, 3));
    expect(await learnt(db, pages, key, c, 120)).toEqual({ status: 409, statusMessage: 'AstroActionError', headers: HEADERS, body: page(c, '99+') });
    expect(await learnt(db, pages, { ...key, large: true }, c), '大字模式 is another page').toBeUndefined();
    expect(await learnt(db, pages, { ...key, message: '报名已截止' }, c), 'another refusal is another page').toBeUndefined();
  });

  test('a page that shows more of the viewer than the name and count is never used', async () => {
    const { db, users, key, locals, pages } = await setup();
    const [a, b, c] = users;
    await astroAnswers(pages, key, await locals(a), page(a, 0, `<p>编号 ${a.id}</p>`));
    await astroAnswers(pages, key, await locals(b), page(b, 0, `<p>编号 ${b.id}</p>`));
    expect(await learnt(db, pages, key, c)).toBeUndefined();
  });

  test('the same volunteer twice proves nothing; a page Astro did not show as open, or showed with the viewer’s sign-up, is not learnt', async () => {
    const { db, users, key, locals, pages } = await setup();
    const [a, b, c] = users;
    await astroAnswers(pages, key, await locals(a), page(a, 0));
    await astroAnswers(pages, key, await locals(a), page(a, 0));
    expect(await learnt(db, pages, key, c)).toBeUndefined();
    await astroAnswers(pages, key, { ...(await locals(b)), eventPageShown: { ...(await locals(b)).eventPageShown!, open: false } }, page(b, 0));
    expect(await learnt(db, pages, key, c)).toBeUndefined();
  });

  test('not for a volunteer with a sign-up of their own, and not once the event changed', async () => {
    const { db, eventId, users, key, locals, pages } = await setup();
    const [a, b, c, d] = users;
    await astroAnswers(pages, key, await locals(a), page(a, 0));
    await astroAnswers(pages, key, await locals(b), page(b, 0));
    expect(await learnt(db, pages, key, d)).toBeDefined();
    await db.$client.execute({ sql: "INSERT INTO signups (event_id, user_id, status, seq, created_at) VALUES (?, ?, 'cancelled', 1, ?)", args: [eventId, c.id, Date.now()] });
    expect(await learnt(db, pages, key, c), 'the page shows 我的报名状态').toBeUndefined();
    await db.$client.execute({ sql: "UPDATE events SET title = '改了标题' WHERE id = ?", args: [eventId] });
    expect(await learnt(db, pages, key, d)).toBeUndefined();
  });

  test.each([
    [undefined, false],
    ['sx_session=abc', false],
    ['sx_large=1', true],
    ['a=b; sx_large=1 ; c=d', true],
    ['sx_large=0', false],
    ['sx_large=yes', false],
    ['sx_large=%31', undefined],
    ['sx_large=1; sx_large=0', undefined],
  ])('the 大字模式 cookie %j reads as %j', (header, large) => {
    expect(largeTypeCookie(header)).toBe(large);
  });
});
