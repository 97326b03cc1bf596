// Bad input (issue 9, item 5): property-based requests against EVERY Action over
// HTTP — form posts to the page that holds the form, RPC posts to /_actions/<name>
// (multipart, urlencoded, JSON) — with random and huge strings, wrong types,
// missing fields and control characters, as anonymous and as signed-in users.
// Always a 4xx with a Chinese message (or a redirect), never a 5xx, and a
// rejected request leaves every table's row count unchanged.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ACTIONS, type Ctx } from '../fixtures/access-matrix.ts';
import { listActions, listPages } from '../helpers/inventory.ts';
import type { RunningServer } from '../helpers/server.ts';
import { BOOKKEEPING_TABLES, hasChinese, toFormData, type Actors, type Fields, type Kind, type Q, startTrustPortal } from '../helpers/trust.ts';

const actions = listActions();
const NUM_RUNS = Number(process.env.TRUST_FUZZ_RUNS || 40);

/** The first page without [params] whose source posts to the action (else the home page). */
function formPageFor(name: string): string {
  const base = join(process.cwd(), 'src', 'pages');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const full = join(dir, e);
      if (statSync(full).isDirectory()) walk(full);
      else if (e.endsWith('.astro') && !full.includes('[') && readFileSync(full, 'utf8').includes(`actions.${name}`)) {
        found.push(('/' + relative(base, full).replace(/\.astro$/, '')).replace(/\/index$/, '') || '/');
      }
    }
  };
  walk(base);
  return found.sort()[0] ?? '/';
}

let server: RunningServer;
let q: Q;
let actors: Actors;
let ctx: Ctx;
let countSql = '';

beforeAll(async () => {
  ({ server, q, actors, ctx } = await startTrustPortal());
  const tables = await q.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'");
  const names = tables.rows.map((r) => String(r.name)).filter((n) => !BOOKKEEPING_TABLES.includes(n) && !/_(data|idx|docsize|config|content)$/.test(n));
  countSql = 'SELECT ' + names.map((n) => `(SELECT count(*) FROM "${n}") AS "${n}"`).join(', ');
});
afterAll(async () => {
  q?.client.close();
  await server?.stop();
});

const rowCounts = async () => JSON.stringify((await q.client.execute(countSql)).rows[0]);

const CONTROL = fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), maxLength: 20 });
const NASTY = fc.constantFrom(
  '',
  ' ',
  'NaN',
  '-1',
  '0',
  '1e309',
  '9'.repeat(40),
  'true',
  'on',
  'null',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  "' OR 1=1 --",
  '\u0000',
  '\uFFFF',
  '\uD800',
  '𠀀'.repeat(30),
  '<script>__xss(1)</script>',
);
const HUGE = fc.constantFrom(1024 * 1024, 200_000, 20_001).chain((n) => fc.constantFrom('a', '字', '\u0001', '9').map((c) => c.repeat(n)));
const VALUE = fc.oneof(
  { arbitrary: fc.string({ maxLength: 60 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }), weight: 3 },
  { arbitrary: CONTROL, weight: 2 },
  { arbitrary: NASTY, weight: 4 },
  { arbitrary: fc.oneof(fc.integer(), fc.double()).map(String), weight: 2 },
  { arbitrary: HUGE, weight: 1 },
);
const KIND = fc.constantFrom<Kind>('anonymous', 'owner', 'leaderB', 'editor', 'reviewer', 'admin');
const TRANSPORT = fc.constantFrom('page-form', 'rpc-multipart', 'rpc-urlencoded', 'rpc-json');

function encode(transport: string, fields: Record<string, string>): { body: FormData | string; type?: string } {
  if (transport === 'rpc-json') return { body: JSON.stringify(fields), type: 'application/json' };
  if (transport === 'rpc-urlencoded' || transport === 'page-form') return { body: new URLSearchParams(fields).toString(), type: 'application/x-www-form-urlencoded' };
  return { body: toFormData(fields) };
}

describe('random and hostile input never gives a 5xx and persists nothing when refused', () => {
  test.each(actions)('%s', async (name) => {
    const sample: Fields = ACTIONS[name] ? await ACTIONS[name].input(ctx) : {};
    const keys = Object.keys(sample);
    const page = formPageFor(name);
    const stats = { refused: 0, accepted: 0 };
    const details = await fc.check(
      fc.asyncProperty(
        fc.boolean(),
        fc.subarray(keys),
        fc.array(VALUE, { minLength: keys.length, maxLength: keys.length }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), VALUE, { maxKeys: 3 }),
        KIND,
        TRANSPORT,
        async (keepSample, garbled, values, extra, kind, transport) => {
          const fields: Record<string, string> = {};
          if (keepSample) for (const [k, v] of Object.entries(toFormData(sample))) fields[k] = typeof v === 'string' ? v : '';
          garbled.forEach((k, i) => (fields[k] = values[i]));
          Object.assign(fields, extra);
          const { body, type } = encode(transport, fields);
          const headers: Record<string, string> = { origin: server.url };
          if (type) headers['content-type'] = type;
          if (actors.cookies[kind]) headers.cookie = actors.cookies[kind];
          const url = transport === 'page-form' ? `${server.url}${page}?_action=${encodeURIComponent(name)}` : `${server.url}/_actions/${name}`;
          const before = await rowCounts();
          let res: Response;
          try {
            res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual' });
          } catch (e) {
            // Bodies over MAX_BODY_BYTES get 413 before they are read and the connection closes while
            // fetch is still uploading: accept that only for such bodies, and nothing may be stored.
            // The size is the body's as sent: url-encoding makes 1 MB of '字' 9 MB.
            const raw = Object.values(fields).reduce((n, v) => n + Buffer.byteLength(v), 0);
            const bytes = typeof body === 'string' ? Buffer.byteLength(body) : raw;
            if (bytes >= 10 * 1024 * 1024) {
              expect(await rowCounts()).toBe(before);
              stats.refused++;
              return;
            }
            // A keep-alive connection the server had just closed: ask once more on a new connection.
            try {
              res = await fetch(url, { method: 'POST', headers: { ...headers, connection: 'close' }, body: encode(transport, fields).body, redirect: 'manual' });
            } catch (again) {
              throw new Error(`${transport} as ${kind}: no answer (${String((again as Error).cause ?? again)}; first try: ${String((e as Error).cause ?? e)})`, { cause: again });
            }
          }
          const text = await res.text();
          const label = `${transport} as ${kind}: ${res.status}`;
          expect(res.status, `${label}\n${text.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) {
            stats.refused++;
            let message = text;
            // Action errors are JSON; the request guard's early refusals (413) are a Chinese HTML page.
            if (transport !== 'page-form' && !text.startsWith('<')) {
              const json = JSON.parse(text) as { message?: string; fields?: unknown };
              message = (json.message ?? '') + JSON.stringify(json.fields ?? '');
            }
            expect(hasChinese(message), `${label}: no Chinese message in ${text.slice(0, 200)}`).toBe(true);
            expect(await rowCounts(), `${label}: a refused request changed row counts`).toBe(before);
          } else {
            stats.accepted++;
          }
        },
      ),
      { numRuns: NUM_RUNS, endOnFailure: true },
    );
    // Counterexamples can hold 1 MB strings: report them shortened.
    if (details.failed)
      throw new Error(`${String((details.errorInstance as Error)?.message ?? details.errorInstance).slice(0, 600)}\ncounterexample: ${fc.stringify(details.counterexample).slice(0, 600)}`);
    expect(stats.refused).toBeGreaterThan(0);
  });
});

describe('hostile URLs never give a 5xx', () => {
  test('every page with hostile path segments and query parameters, as anonymous and as staff and leader', async () => {
    const HOSTILE = ['1e309', '-1', '2.5', '9'.repeat(30), 'NaN', '%00', "'", '..%2F..%2Fetc', '<svg onload=__xss(1)>'];
    const PARAMS = [
      'page',
      'h',
      'rev',
      'uploaded',
      'id',
      'q',
      'batch',
      'category',
      'region',
      'level',
      'channel',
      'tag',
      'year',
      'month',
      'team',
      'town',
      'status',
      'from',
      'to',
      'no',
      'next',
      'ok',
      'done',
      'format',
    ];
    // Every route from the source tree; [params] get a real value (team B's slug) or a hostile one.
    const pages = listPages('').filter((p) => !/logout|\.ics$/.test(p));
    const cookies = ['', actors.cookies.admin, actors.cookies.editor, actors.cookies.leaderB];
    const failures: string[] = [];
    let requests = 0;
    for (const page of pages) {
      for (const v of HOSTILE) {
        const query = PARAMS.map((k) => `${k}=${encodeURIComponent(v)}`).join('&');
        const paths = [`${page.replace(/\[\.{0,3}\w+\]/g, 'chengguan-red-vest')}?${query}`];
        if (page.includes('[')) paths.push(page.replace(/\[\.{0,3}\w+\]/g, encodeURIComponent(v)));
        for (const path of paths) {
          for (const cookie of cookies) {
            const res = await fetch(server.url + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
            await res.arrayBuffer();
            requests++;
            if (res.status >= 500) failures.push(`${res.status} ${cookie ? 'signed in' : 'anonymous'} GET ${path.slice(0, 120)}`);
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(500);
    expect([...new Set(failures)]).toEqual([]);
  });
});
