// The 名额已满 page of a refused sign-up, answered before Astro once Astro has rendered it for two
// volunteers (docs/decisions/113). A storm without a waitlist is ~950 of these: the same event page,
// differing only in the header's name and unread count, each costing a full render in the public layout.
// The page is learnt from Astro's own answers — never written here — and kept only when filling the
// first volunteer's answer with the second's name and count gives the second's answer byte for byte.
import { Buffer } from 'node:buffer';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { escapeHTML } from 'astro/runtime/server/escape.js';
import type { Db } from '../../db/client.ts';
import { unreadLabel, type SessionUser } from '../domain/accounts/sessions.ts';
import { getEventPage, type EventPage } from '../domain/events/public.ts';
import { getSettings, type Settings } from '../domain/settings/index.ts';

/** Which refusal page: the event, 大字模式 or not, and the refusal's message. */
export interface RefusalPageKey {
  eventId: number;
  large: boolean;
  message: string;
}

/** An answer as Astro gave it: status line, headers (no cookie of its own) and body. */
export interface RefusalAnswer {
  status: number;
  statusMessage: string;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

interface Template {
  /** The event page's read and the settings it was rendered with; the page is answered only for the same. */
  digest: string;
  userId: number;
  status: number;
  statusMessage: string;
  headers: OutgoingHttpHeaders;
  /** The body around the header's two viewer-specific texts (the name in 我的（…）, the count in 站内信(…)). */
  parts: [Buffer, Buffer, Buffer];
  /** Confirmed by a second volunteer's answer; only then is it used. */
  verified: boolean;
}

/** Headers each answer sets for itself: the volunteer's own cookie, and the body's framing. */
const ANSWER_OWN = new Set(['set-cookie', 'content-length', 'transfer-encoding']);

/** Pages kept at most (one per event, type size and message; a storm needs one). */
const MAX_PAGES = 64;

/** The header's two texts that name the viewer (src/layouts/Public.astro, rendered by Astro's escapeHTML). */
const nameText = (realName: string) => `我的（${escapeHTML(realName)}）`;
const unreadText = (unread: number) => `站内信(${unreadLabel(unread)})`;

/** Everything the page shows besides the viewer: the event page's read without the viewer's parts, and the settings. */
function pageDigest(row: EventPage, settings: Settings): string {
  const { mine: _mine, leads: _leads, ...shown } = row;
  return JSON.stringify([shown, settings]);
}

/** The one `sx_large` cookie as the large-type middleware reads it; undefined when it is not plain (Astro decides). */
export function largeTypeCookie(header: string | undefined): boolean | undefined {
  let value: string | undefined;
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== 'sx_large') continue;
    if (value !== undefined) return undefined;
    value = part.slice(eq + 1).trim();
    if (!/^[0-9A-Za-z]*$/.test(value)) return undefined;
  }
  return value === '1';
}

/** The body cut at the one place each of the viewer's texts appears; undefined when either is not there exactly once. */
function cut(body: string, realName: string, unread: number): [Buffer, Buffer, Buffer] | undefined {
  const name = nameText(realName);
  const count = unreadText(unread);
  const at = body.indexOf(name);
  const countAt = body.indexOf(count, at + name.length);
  if (at < 0 || countAt < 0 || body.indexOf(name, at + 1) >= 0 || body.indexOf(count, countAt + 1) >= 0 || body.lastIndexOf(count, at) >= 0) return undefined;
  return [Buffer.from(body.slice(0, at)), Buffer.from(body.slice(at + name.length, countAt)), Buffer.from(body.slice(countAt + count.length))];
}

function fill(t: Template, realName: string, unread: number): Buffer {
  return Buffer.concat([t.parts[0], Buffer.from(nameText(realName)), t.parts[1], Buffer.from(unreadText(unread)), t.parts[2]]);
}

const sameHeaders = (a: OutgoingHttpHeaders, b: OutgoingHttpHeaders) => JSON.stringify(a) === JSON.stringify(b);

/** Creates the store of learnt refusal pages: `learn` watches Astro answer one, `answer` gives one again. */
export function createRefusalPages() {
  const pages = new Map<string, Template>();
  const keyOf = (k: RefusalPageKey) => `${k.eventId}\n${k.large ? 1 : 0}\n${k.message}`;

  function remember(key: string, t: Template) {
    pages.delete(key);
    pages.set(key, t);
    if (pages.size > MAX_PAGES) pages.delete(pages.keys().next().value!);
  }

  /**
   * What Astro answered for this request, once it has (`res` passes everything on unchanged). The promise
   * settles when the answer has been looked at: never rejects, and nothing waits for it but tests.
   */
  function learn(res: ServerResponse, locals: Partial<App.Locals>, key: RefusalPageKey): Promise<void> {
    const chunks: Buffer[] = [];
    let headers: OutgoingHttpHeaders | undefined;
    const { writeHead, write, end } = res;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      headers = args.find((a): a is OutgoingHttpHeaders => typeof a === 'object' && a !== null && !Array.isArray(a));
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof res.writeHead;
    const keep = (chunk: unknown) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk as Uint8Array));
    };
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      keep(chunk);
      return (write as (...a: unknown[]) => boolean).apply(this, [chunk, ...rest]);
    } as typeof res.write;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      if (typeof args[0] !== 'function') keep(args[0]);
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof res.end;
    const learnt = new Promise<void>((resolve) => {
      res.once('finish', () => {
        // learning is an optimisation: a failure only means Astro answers next time too
        settle().then(resolve, () => resolve());
      });
    });
    async function settle() {
      const shown = locals.eventPageShown;
      const user = locals.user;
      if (!headers || res.statusCode !== 409 || !shown?.open || shown.row.mine || shown.row.leads || !user || locals.largeType !== key.large) return;
      const settings = await locals.settings;
      if (!settings) return;
      const body = Buffer.concat(chunks);
      const parts = cut(body.toString('utf8'), user.realName, locals.unread ?? 0);
      if (!parts) return;
      const own = Object.fromEntries(Object.entries(headers).filter(([name]) => !ANSWER_OWN.has(name.toLowerCase())));
      const digest = pageDigest(shown.row, settings);
      const k = keyOf(key);
      const known = pages.get(k);
      if (known?.digest === digest && known.userId !== user.id && !known.verified) {
        // A second volunteer's answer: the first one's page, filled with this one's name and count, must be it exactly.
        if (known.status === res.statusCode && known.statusMessage === res.statusMessage && sameHeaders(known.headers, own) && fill(known, user.realName, locals.unread ?? 0).equals(body)) {
          known.verified = true;
          return;
        }
      }
      if (known?.digest === digest && (known.verified || known.userId === user.id)) return;
      remember(k, { digest, userId: user.id, status: res.statusCode, statusMessage: res.statusMessage, headers: own, parts, verified: false });
    }
    return learnt;
  }

  /**
   * The learnt page for this refusal and volunteer, when there is one and the event page would read the same
   * now (the event, its team and place, the settings, and no sign-up or team role of the volunteer's own).
   */
  async function answer(db: Db, key: RefusalPageKey, user: SessionUser, unread: number): Promise<RefusalAnswer | undefined> {
    const t = pages.get(keyOf(key));
    if (!t?.verified) return undefined;
    const row = await getEventPage(db, key.eventId, user);
    if (!row || row.mine || row.leads) return undefined;
    const settings = await getSettings(db);
    if (pageDigest(row, settings) !== t.digest) return undefined;
    return { status: t.status, statusMessage: t.statusMessage, headers: t.headers, body: fill(t, user.realName, unread) };
  }

  return { learn, answer };
}
