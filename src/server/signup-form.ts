// The 我要报名 form answered before Astro when it succeeds (docs/decisions/109): a sign-up storm is a
// thousand of these posts at once, and Astro's request pipeline (Request and Response objects, the
// middleware sequence, routing, the Action machinery) cost more CPU than the sign-up itself.
// Only the plain success is answered here, with the very 303 the Action gives, and 名额已满 once Astro
// has shown what its page looks like (signup-refusal-page.ts, docs/decisions/113); everything else — no
// or an unknown session, another origin, a form other than the page's own, another refusal — goes on to
// Astro unchanged, which answers it as it always did.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../../db/client.ts';
import { logRequest } from '../lib/log.ts';
import { can } from '../domain/accounts/policy.ts';
import { SESSION_COOKIE, serializeSessionCookie, validateSessionToken, type SessionCheck } from '../domain/accounts/sessions.ts';
import { SignupError, signUp, signupDonePath } from '../domain/events/signups.ts';
import { Refusal } from '../domain/refusal.ts';
import { createRefusalPages, largeTypeCookie, type RefusalPageKey } from './signup-refusal-page.ts';

/** The URL the event page's form posts to (`actions.events.signUp` on /events/<id>). */
const SIGNUP_URL = /^\/events\/([1-9]\d{0,14})\?_action=events\.signUp$/;
/** The form's one field, the event it names. */
const SIGNUP_BODY = /^eventId=([1-9]\d{0,14})$/;

/**
 * Sign-ups done in one turn of the event loop, at most. Each is ~0.5 ms of synchronous work (the
 * database calls do not yield), and a storm's connections all become readable in one turn: without a
 * limit one turn did hundreds of them, so on a loaded machine the loop stood still for seconds — cache
 * hits and static files waited, and the overload guard (request-guard.ts) answered the next arrivals 503.
 */
const SIGNUPS_PER_TURN = 16;
let signupsThisTurn = 0;
/** Sign-ups waiting for a later turn, first come first served. */
const waiting: (() => void)[] = [];
let turnEnds = false;

/** Ends the turn once the loop reaches its check phase; the next waiting sign-ups get the new one. */
function endTurnSoon(): void {
  if (turnEnds) return;
  turnEnds = true;
  setImmediate(() => {
    turnEnds = false;
    signupsThisTurn = 0;
    while (signupsThisTurn < SIGNUPS_PER_TURN && waiting.length) {
      signupsThisTurn++;
      waiting.shift()!();
    }
    if (signupsThisTurn) endTurnSoon();
  });
}

/** Resolves when this sign-up may run: at once while the turn has room, else in a later turn. */
function signupTurn(): Promise<void> | undefined {
  endTurnSoon();
  if (signupsThisTurn < SIGNUPS_PER_TURN && !waiting.length) {
    signupsThisTurn++;
    return undefined;
  }
  return new Promise<void>((resolve) => waiting.push(resolve));
}

/** What the fast path hands Astro when it does not answer: the session it already checked. */
export interface SignupFormPass {
  checkedSession?: SessionCheck;
  formRefusal?: { action: string; refusal: Refusal };
  /** A 名额已满 whose page Astro is to render: watch its answer (signup-refusal-page.ts) — not a local of Astro's. */
  learnRefusalPage?: (res: ServerResponse, locals: Partial<App.Locals>) => void;
}

/** The one `sx_session` cookie of a Cookie header (undefined when there is none or more than one). */
export function sessionCookieValue(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    if (found !== undefined) return undefined; // two: let Astro's cookie parser decide, as before
    found = part.slice(eq + 1).trim();
  }
  return found;
}

/**
 * Creates the fast path. It answers (and resolves true) only a same-origin post of the page's own
 * form by a signed-in volunteer whose sign-up the domain accepted, or refused as full with a page it
 * has learnt from Astro (signup-refusal-page.ts); otherwise it resolves false and leaves in `pass` what
 * Astro may reuse. `siteUrl` is SITE_URL: the only origin taken here.
 */
export function createSignupForm({ db, siteUrl, secretKey, headers }: { db: () => Promise<Db>; siteUrl: string; secretKey: Buffer; headers: Record<string, string> }) {
  const site = new URL(siteUrl);
  const secure = site.protocol === 'https:';
  const refusalPages = createRefusalPages();
  return async function signupForm(req: IncomingMessage & { body?: Buffer }, res: ServerResponse, pass: SignupFormPass): Promise<boolean> {
    const started = performance.now();
    const m = req.method === 'POST' && req.body ? SIGNUP_URL.exec(req.url ?? '') : null;
    if (!m) return false;
    // The same origin as src/middleware/same-origin.ts asks, stated for SITE_URL only: a browser sends
    // this Origin from our own pages alone; anything else (another host name, no Origin) goes to Astro.
    if (req.headers.origin !== site.origin || req.headers.host !== site.host) return false;
    const form = SIGNUP_BODY.exec(req.body!.toString('latin1'));
    if (!form || form[1] !== m[1]) return false;
    const token = sessionCookieValue(req.headers.cookie);
    if (!token) return false;
    await signupTurn();
    const database = await db();
    const checked = await validateSessionToken(database, token);
    // Astro's session step takes this check over (no second lookup; a renewed cookie is still sent).
    pass.checkedSession = { token, result: checked };
    if (!checked || !can(checked.user, 'volunteer.act')) return false;
    const eventId = Number(m[1]);
    let status: 'confirmed' | 'waitlisted';
    try {
      ({ status } = await signUp(database, { eventId, userId: checked.user.id, secretKey }));
    } catch (e) {
      // A refusal is shown on the event page, which Astro renders with this very answer.
      if (!(e instanceof Refusal)) throw e;
      // 名额已满 again and again is a storm without a waitlist: its page, once learnt from Astro, is answered here.
      const large = e instanceof SignupError && e.code === 'full' ? largeTypeCookie(req.headers.cookie) : undefined;
      if (large !== undefined) {
        const key: RefusalPageKey = { eventId, large, message: e.message };
        const page = await refusalPages.answer(database, key, checked.user, checked.unread);
        if (page) {
          const answer: Record<string, string | string[] | number | undefined> = { ...page.headers, 'content-length': page.body.length };
          if (checked.renewed) answer['set-cookie'] = serializeSessionCookie(token, secure, checked.session.expiresAt);
          logRequest({ reqId: randomUUID(), userId: checked.user.id, method: 'POST', path: `/events/${eventId}`, status: page.status, ms: Math.round(performance.now() - started) });
          res.writeHead(page.status, page.statusMessage, answer);
          res.end(page.body);
          return true;
        }
        pass.learnRefusalPage = (r, locals) => {
          void refusalPages.learn(r, locals, key);
        };
      }
      pass.formRefusal = { action: 'events.signUp', refusal: e };
      return false;
    }
    const answer: Record<string, string | string[]> = { ...headers, 'Cache-Control': 'private, no-store', Location: signupDonePath(eventId, status) };
    if (checked.renewed) answer['Set-Cookie'] = serializeSessionCookie(token, secure, checked.session.expiresAt);
    // The line src/middleware/log-request.ts writes for every answer — before the answer, as there, so a
    // reader of the log who got the answer finds its line.
    logRequest({ reqId: randomUUID(), userId: checked.user.id, method: 'POST', path: `/events/${eventId}`, status: 303, ms: Math.round(performance.now() - started) });
    res.writeHead(303, answer);
    res.end();
    return true;
  };
}
