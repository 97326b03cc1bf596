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
import { listActions } from '../helpers/inventory.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { BOOKKEEPING_TABLES, hasChinese, openQ, setUpActors, toFormData, type Actors, type Fields, type Kind, type Q } from '../helpers/trust.ts';

const actions = listActions();
const NUM_RUNS = Number(process.env.TRUST_FUZZ_RUNS || 24);

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
  server = await startServer();
  q = openQ(server.dbUrl);
  actors = await setUpActors(server, q);
  let n = 0;
  ctx = { q, actors, accounts: server.accounts, seq: () => ++n };
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
const NASTY = fc.constantFrom('', ' ', 'NaN', '-1', '0', '1e309', '9'.repeat(40), 'true', 'on', 'null', '[]', '{}', '__proto__', 'constructor', '../../etc/passwd', "' OR 1=1 --", '\u0000', '\uFFFF', '\uD800', '𠀀'.repeat(30), '<script>__xss(1)</script>');
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
          const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual' });
          const text = await res.text();
          const label = `${transport} as ${kind}: ${res.status}`;
          expect(res.status, `${label}\n${text.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 400) {
            stats.refused++;
            let message = text;
            if (transport !== 'page-form') {
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
    if (details.failed) throw new Error(`${String((details.errorInstance as Error)?.message ?? details.error).slice(0, 600)}\ncounterexample: ${fc.stringify(details.counterexample).slice(0, 600)}`);
    expect(stats.refused).toBeGreaterThan(0);
  });
});
