// Access control (issue 9, items 2 and 3): the matrix in tests/fixtures/access-matrix.ts
// run against the real server for every kind of user, and "no GET changes state".
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACTIONS, PAGES, pagePath, type Ctx, type Outcome } from '../fixtures/access-matrix.ts';
import { listActions, listPages } from '../helpers/inventory.ts';
import type { RunningServer } from '../helpers/server.ts';
import { sessionCookieFor } from '../helpers/session.ts';
import { KINDS, KIND_LABELS, changedTables, getPage, postAction, tableDigests, toFormData, type Actors, type Answer, type Kind, type Q, startTrustPortal } from '../helpers/trust.ts';

const actions = listActions();
const pages = [...listPages('console'), ...listPages('me'), ...listPages('files'), ...listPages('media'), ...listPages('honors').filter((p) => p.endsWith('/photo.webp'))];

describe('the access matrix lists everything the portal exposes', () => {
  test('every Action has a row (add one to tests/fixtures/access-matrix.ts)', () => {
    expect(actions.length).toBeGreaterThan(10);
    expect(actions.filter((a) => !ACTIONS[a])).toEqual([]);
  });
  test('every console, member and file route has a row', () => {
    expect(pages).toContain('/console');
    expect(pages.filter((p) => !PAGES[p])).toEqual([]);
  });
  test('no row describes something that no longer exists', () => {
    expect(Object.keys(ACTIONS).filter((a) => !actions.includes(a))).toEqual([]);
    expect(Object.keys(PAGES).filter((p) => !pages.includes(p))).toEqual([]);
  });
});

let server: RunningServer;
let q: Q;
let actors: Actors;
let ctx: Ctx;

beforeAll(async () => {
  ({ server, q, actors, ctx } = await startTrustPortal());
});
afterAll(async () => {
  q?.client.close();
  await server?.stop();
});

async function renewSessions() {
  for (const [kind, id] of Object.entries(actors.ids)) actors.cookies[kind as Kind] = (await sessionCookieFor(server.dbUrl, id)).cookie;
}

/** Why an Action answer does not match the expected outcome, or null. */
function actionMismatch(expected: Outcome, a: Answer, refusedField?: string): string | null {
  if (a.status >= 500) return `answered ${a.status}`;
  const inputError = a.status === 400 && a.json?.type === 'AstroActionInputError';
  switch (expected) {
    case 'allowed':
      if (a.status === 401 || a.status === 403) return `refused with ${a.status} (${a.json?.message ?? ''})`;
      if (inputError && !(refusedField && Object.keys(a.json?.fields ?? {}).join() === refusedField)) return `sample input rejected by validation: ${JSON.stringify(a.json?.fields)}`;
      return null;
    case 'login':
      return a.status === 401 ? null : `expected 401, got ${a.status}${inputError ? ' (input error: fix the sample)' : ''}`;
    case 'forbidden':
      return a.status === 403 ? null : `expected 403, got ${a.status}`;
    case 'notFound':
      return a.status === 404 ? null : `expected 404, got ${a.status}`;
    case 'denied':
      return a.status === 403 || a.status === 404 ? null : `expected 403/404, got ${a.status}`;
    case 'noEffect':
      return null; // < 500 checked above; the table digest around refused kinds proves nothing changed
  }
}

function pageMismatch(expected: Outcome, a: Answer): string | null {
  if (a.status >= 500) return `answered ${a.status}`;
  const toLogin = (a.status === 302 || a.status === 303) && (a.location ?? '').startsWith('/login?next=');
  switch (expected) {
    case 'allowed':
      return a.status === 200 ? null : `expected 200, got ${a.status} ${a.location ?? ''}`;
    case 'login':
      return toLogin ? null : `expected a redirect to /login?next=…, got ${a.status} ${a.location ?? ''}`;
    case 'forbidden':
      return a.status === 403 ? null : `expected 403, got ${a.status}`;
    case 'notFound':
      return a.status === 404 ? null : `expected 404, got ${a.status}`;
    case 'denied':
    case 'noEffect':
      return a.status === 403 || a.status === 404 ? null : `expected 403/404, got ${a.status}`;
  }
}

describe('every Action against every kind of user', () => {
  test.each(actions)('%s', async (name) => {
    const row = ACTIONS[name];
    expect(row, `no matrix row for ${name}`).toBeDefined();
    const problems: string[] = [];
    const refused = KINDS.filter((k) => row.who[k] !== 'allowed');
    const allowed = KINDS.filter((k) => row.who[k] === 'allowed');
    const before = await tableDigests(q.client);
    for (const kind of refused) {
      const a = await postAction(server, name, toFormData(await row.input(ctx)), { cookie: actors.cookies[kind] });
      const why = actionMismatch(row.who[kind], a);
      if (why) problems.push(`${kind} (${KIND_LABELS[kind]}): ${why}`);
    }
    const changed = changedTables(before, await tableDigests(q.client));
    if (changed.length) problems.push(`refused requests changed tables: ${changed.join(', ')}`);
    for (const kind of allowed) {
      const a = await postAction(server, name, toFormData(await row.input(ctx)), { cookie: actors.cookies[kind] });
      const why = actionMismatch('allowed', a, row.refusedField);
      if (why) problems.push(`${kind} (${KIND_LABELS[kind]}): ${why}`);
      if (row.renewsSessions) await renewSessions();
    }
    expect(problems).toEqual([]);
  });
});

describe('every console and member page against every kind of user', () => {
  test.each(pages)('%s', async (pattern) => {
    const row = PAGES[pattern];
    expect(row, `no matrix row for ${pattern}`).toBeDefined();
    const path = pagePath(pattern, row.params ? await row.params(ctx) : {}) + (row.query ? '?' + new URLSearchParams(await row.query(ctx)) : '');
    const problems: string[] = [];
    for (const kind of KINDS) {
      const a = await getPage(server, path, actors.cookies[kind]);
      const why = pageMismatch(row.who[kind], a);
      if (why) problems.push(`${kind} (${KIND_LABELS[kind]}) GET ${path}: ${why}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('no GET changes state', () => {
  test('GET on every Action URL and on pages with ?_action= changes no table, and GET /logout keeps the session', async () => {
    const before = await tableDigests(q.client);
    const statuses: number[] = [];
    const staticPages = [...new Set(['/', '/honors', '/honors/candidates', '/honors/nominate', '/login', '/register', ...listPages('').filter((p) => !p.includes('['))])];
    for (const kind of ['anonymous', 'admin', 'editor', 'leaderB', 'owner'] as Kind[]) {
      const cookie = actors.cookies[kind];
      for (const name of actions) {
        statuses.push((await getPage(server, `/_actions/${name}`, cookie)).status);
        statuses.push((await getPage(server, `/_actions/${name}?${new URLSearchParams({ id: '1', userId: String(actors.ids.volunteer), role: 'admin' })}`, cookie)).status);
      }
      for (const page of staticPages) {
        const name = actions[statuses.length % actions.length];
        statuses.push((await getPage(server, `${page}?_action=${encodeURIComponent(name)}&id=1&userId=${actors.ids.volunteer}`, cookie)).status);
      }
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(changedTables(before, await tableDigests(q.client))).toEqual([]);
    // Logging out is a POST; a GET (a link or an <img src> on another site) must not end the session.
    await getPage(server, '/logout', actors.cookies.admin);
    expect((await getPage(server, '/console', actors.cookies.admin)).status).toBe(200);
  });
});
