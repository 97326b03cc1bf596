// npm run bench:db [-- --rounds 5] [-- --root <another checkout>]
// Micro-benchmark of the database layer on fresh files (docs/decisions/084): 1,000 sign-ups for 50
// seats with a waitlist, sign-ups refused for a clash, a guarded write whose guard matches nothing, the
// event page read and the session lookup — on
// our statement-keeping client (db/local-client.ts) and on @libsql/client, the event page also through
// Drizzle's query builder with `.prepare()`. Prints a table of median µs per operation (wall clock and
// CPU time of this process, which a busy machine disturbs less) and writes bench/db-results.json.
// --root measures another checkout of the portal (the code before a change) with this same harness.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { ensureProjectNode } from './lib.mjs';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureProjectNode(here);
const argv = process.argv.slice(2);
const arg = (name, dflt) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const ROUNDS = Number(arg('rounds', '5'));
const root = resolve(arg('root', here));
const imp = (p) => import(pathToFileURL(join(root, p)).href);

const { createClient } = await import('@libsql/client');
const { drizzle } = await import('drizzle-orm/libsql');
const { and, eq, sql } = await import('drizzle-orm');
const { alias } = await import('drizzle-orm/sqlite-core');
const { openDb } = await imp('db/client.ts');
const { migrateDb } = await imp('db/migrate.ts');
const schema = await imp('db/schema/index.ts');
const { signUp } = await imp('src/domain/events/signups.ts');
const { getEventPage } = await imp('src/domain/events/public.ts');
const { validateSessionToken, generateSessionToken, createSession, sessionIdFromToken } = await imp('src/domain/accounts/sessions.ts');

const SIGNUPS = 1000;
const SEATS = 50;
const scratch = mkdtempSync(join(tmpdir(), 'bench-db-'));

/** A fresh, migrated database file on the given client kind: 'local' (db/client.ts) or 'libsql' (@libsql/client). */
async function fresh(kind) {
  const path = join(mkdtempSync(join(scratch, 'db-')), 'bench.db');
  const db = await openDb({ url: `file:${path}` });
  await migrateDb(db);
  if (kind === 'local') return db;
  db.$client.close();
  const client = createClient({ url: `file:${path}` });
  for (const p of ['PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL', 'PRAGMA busy_timeout = 5000', 'PRAGMA foreign_keys = ON']) await client.execute(p);
  return drizzle(client, { schema });
}

/** n volunteers, a team and a way to add published events of 50 seats. */
async function fixture(db, n) {
  const now = Date.now();
  const users = [];
  for (let i = 0; i <= n; i++)
    users.push({
      sql: `INSERT INTO users (phone, real_name, skills, status, created_at) VALUES (?, ?, '[]', 'active', ?) RETURNING id`,
      args: [`139${String(i).padStart(8, '0')}`, `志愿者${i}`, now],
    });
  const ids = (await db.$client.batch(users, 'write')).map((r) => Number(r.rows[0].id));
  const leader = ids.shift();
  const team = Number((await db.$client.execute({ sql: `INSERT INTO teams (slug, name, status, created_at) VALUES ('bench', '测试队', 'active', ?) RETURNING id`, args: [now] })).rows[0].id);
  await db.$client.execute({ sql: `INSERT INTO team_members (team_id, user_id, role, status, created_at) VALUES (?, ?, 'leader', 'active', ?)`, args: [team, leader, now] });
  const event = async (startsAt) =>
    Number(
      (
        await db.$client.execute({
          sql: `INSERT INTO events (team_id, title, category, starts_at, ends_at, capacity, waitlist_enabled, status, checkin_secret, created_at)
          VALUES (?, '河道清洁', '环境保护', ?, ?, ?, 1, 'published', 'bench', ?) RETURNING id`,
          args: [team, startsAt, startsAt + 7200_000, SEATS, now],
        })
      ).rows[0].id,
    );
  return { ids, event };
}

/** Runs `fn` `count` times; µs per call, wall clock and CPU time. */
async function timed(count, fn) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < count; i++) await fn(i);
  const used = process.cpuUsage(cpu);
  return { wall: ((performance.now() - t) * 1000) / count, cpu: (used.user + used.system) / count };
}

/** ROUNDS samples of `count` calls, each after 500 calls to warm up. */
async function rounds(count, fn) {
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) {
    await timed(500, fn);
    samples.push(await timed(count, fn));
  }
  return samples;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
function record(name, samples) {
  results[name] = { wallUs: +median(samples.map((s) => s.wall)).toFixed(1), cpuUs: +median(samples.map((s) => s.cpu)).toFixed(1), rounds: samples.length };
}

for (const kind of ['local', 'libsql']) {
  const ok = [];
  const refused = [];
  for (let r = 0; r < ROUNDS; r++) {
    const db = await fresh(kind);
    const f = await fixture(db, SIGNUPS);
    const start = Date.now() + (7 + r) * 86400_000;
    const warm = await f.event(start);
    for (const userId of f.ids.slice(0, 20)) await signUp(db, { eventId: warm, userId });
    // 1,000 sign-ups for 50 seats: 50 confirmed, 950 waitlisted, each one guarded write with its notice.
    const storm = await f.event(start + 3 * 86400_000);
    ok.push(await timed(f.ids.length, (i) => signUp(db, { eventId: storm, userId: f.ids[i] })));
    const counts = (await db.$client.execute({ sql: `SELECT status, count(*) AS n FROM signups WHERE event_id = ? GROUP BY status ORDER BY status`, args: [storm] })).rows
      .map((x) => `${x.status}=${x.n}`)
      .join(' ');
    if (counts !== `confirmed=${SEATS} waitlisted=${SIGNUPS - SEATS}`) throw new Error(`unexpected sign-ups: ${counts}`);
    // Refused: each volunteer is already confirmed at an overlapping event.
    const clash = await f.event(start + 3 * 86400_000 + 600_000);
    refused.push(
      await timed(SEATS, async (i) => {
        try {
          await signUp(db, { eventId: clash, userId: f.ids[i] });
        } catch (e) {
          if (e?.code !== 'overlap') throw e;
          return;
        }
        throw new Error('expected a refusal');
      }),
    );
    db.$client.close();
  }
  record(`sign-up, ${SIGNUPS} for ${SEATS} seats (${kind})`, ok);
  record(`sign-up refused, clashes with a confirmed event (${kind})`, refused);
}

// The write mechanism alone: an UPDATE whose condition matches no row, with one follow-up.
{
  const db = await fresh('local');
  await db.$client.execute(`CREATE TABLE doors (id INTEGER PRIMARY KEY, state TEXT)`);
  await db.$client.execute(`INSERT INTO doors VALUES (1, 'open')`);
  const guard = { sql: `UPDATE doors SET state = 'open' WHERE id = 1 AND state = 'closed'`, args: [] };
  const note = { sql: `INSERT INTO doors (state) SELECT 'note' WHERE changes() = 1`, args: [] };
  const cases = { 'batch whose guard matches nothing, follow-up on changes() = 1 (local)': () => db.$client.batch([guard, note], 'write') };
  const write = await import(pathToFileURL(join(root, 'db/write.ts')).href).catch(() => null);
  if (write?.guardedWrite) cases['guardedWrite whose guard matches nothing (local)'] = () => write.guardedWrite(db, sql.raw(guard.sql), [sql`INSERT INTO doors (state) VALUES ('note')`]);
  for (const [name, fn] of Object.entries(cases)) record(name, await rounds(5_000, fn));
  db.$client.close();
}

for (const kind of ['local', 'libsql']) {
  const db = await fresh(kind);
  const f = await fixture(db, 200);
  const event = await f.event(Date.now() + 7 * 86400_000);
  for (const userId of f.ids.slice(0, 100)) await signUp(db, { eventId: event, userId });
  const tokens = [];
  for (const userId of f.ids.slice(0, 100)) {
    const t = generateSessionToken();
    await createSession(db, t, userId);
    tokens.push(t);
  }
  const { events, teams, regions, signups } = schema;
  const town = alias(regions, 'town');
  const village = alias(regions, 'village');
  const page = db
    .select({
      event: events,
      teamName: teams.name,
      teamSlug: teams.slug,
      townName: town.name,
      villageName: village.name,
      signup: signups,
      leads: sql`EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = ${events.teamId} AND m.user_id = ${sql.placeholder('uid')} AND m.status = 'active' AND m.role IN ('leader', 'coleader'))`,
    })
    .from(events)
    .innerJoin(teams, eq(teams.id, events.teamId))
    .leftJoin(town, eq(town.id, events.townId))
    .leftJoin(village, eq(village.id, events.villageId))
    .leftJoin(signups, and(eq(signups.eventId, events.id), eq(signups.userId, sql.placeholder('uid'))))
    .where(and(eq(events.id, sql.placeholder('id')), sql`${events.status} IN ('published','completed','cancelled')`))
    .prepare();
  const sessionSql = (id) => sql`SELECT s.user_id, s.expires_at, s.ttl_ms, u.real_name, u.phone, u.status,
      (SELECT group_concat(r.role, ',') FROM user_roles r WHERE r.user_id = s.user_id) AS roles,
      (SELECT count(*) FROM (SELECT 1 FROM notices n WHERE n.user_id = s.user_id AND n.read_at IS NULL LIMIT 100)) AS unread
    FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ${id}`;
  const reads = {
    [`event page, getEventPage with db/rows.ts (${kind})`]: (i) => getEventPage(db, event, { id: f.ids[i % 150], status: 'active' }),
    [`event page, Drizzle select .prepare() (${kind})`]: (i) => page.get({ id: event, uid: f.ids[i % 150] }),
    [`session lookup, validateSessionToken (${kind})`]: (i) => validateSessionToken(db, tokens[i % tokens.length]),
    [`session lookup as db.all(sql template) (${kind})`]: (i) => db.all(sessionSql(sessionIdFromToken(tokens[i % tokens.length]))),
  };
  const count = kind === 'local' ? 20_000 : 2_000;
  for (const [name, fn] of Object.entries(reads)) record(name, await rounds(count, fn));
  db.$client.close();
}

rmSync(scratch, { recursive: true, force: true });
const width = Math.max(...Object.keys(results).map((k) => k.length));
console.log(`\n${'operation'.padEnd(width)}  wall µs   cpu µs   (median of ${ROUNDS}; code from ${root})`);
for (const [name, r] of Object.entries(results)) console.log(`${name.padEnd(width)}  ${String(r.wallUs).padStart(7)}  ${String(r.cpuUs).padStart(7)}`);
mkdirSync(join(here, 'bench'), { recursive: true });
writeFileSync(join(here, 'bench', 'db-results.json'), JSON.stringify({ at: new Date().toISOString(), root, results }, null, 2));
