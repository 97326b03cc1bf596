// Seeds a large, deterministic county into the benchmark's database (bench/data/bench-<scale>.db):
// volunteers, teams, events, hour records, points, service orders, honorees, articles, lessons and
// lectures. What the app derives from them (totals, monthly aggregates, points earned, the search
// index) is computed set-based after the bulk load with the triggers' own expressions, the triggers
// and indexes are put back, and ./verify.mjs compares the result with fresh counts (docs/decisions/105).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDb } from '../../db/client.ts';
import { migrateDb } from '../../db/migrate.ts';
import { seed, SURNAMES as DEMO_SURNAMES, GIVEN as DEMO_GIVEN } from '../../db/seed.ts';
import { hashPassword } from '../../src/domain/accounts/passwords.ts';
import { encryptText, keyedHash, maskIdNumber } from '../../src/lib/pii.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { rebuildSearchIndex } from '../../src/domain/search/index.ts';
import { rebuildStats } from '../../src/domain/stats/index.ts';
import { fillOrderDeadlines } from '../../src/domain/orders/deadlines.ts';
import { recomputeTotals } from '../../src/domain/hours/totals.ts';
import { fromShanghai, shanghaiDay } from '../../src/lib/time.ts';
import { DAY, log } from './options.mjs';
import { verifySeed } from './verify.mjs';

let seedState = 1234567;
const rnd = () => (seedState = (seedState * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
const SURNAMES = [...DEMO_SURNAMES];
const GIVEN = DEMO_GIVEN;
const PLACES = ['东门社区', '西街社区', '龙潭村', '白沙村', '青石社区', '岚桥村', '梨花村', '杉木村', '云雾村', '金屏社区'];
const ACTS = ['志愿服务', '关爱老人', '反诈宣传', '垃圾分类', '普法讲座', '应急演练', '文明劝导', '河道清理', '义诊活动', '助学帮扶', '邻里互助', '平安巡防'];
const PHRASES = [
  '志愿者们一早来到{p}，开展{a}活动，帮助群众解决实际困难。',
  '活动吸引了众多居民参与，现场气氛热烈。',
  '社区好人好事层出不穷，文明新风吹遍城乡。',
  '民警提醒广大群众提高警惕，谨防电信网络诈骗。',
  '法律明白人结合身边案例，讲解民法典中的常见问题。',
  '下一步，我县将持续推进新时代文明实践。',
  '他几十年如一日照顾孤寡老人，被乡亲们亲切地称为“好儿子”。',
  '队员们冒雨转移受困群众，守护了一方平安。',
  '{p}的{a}已经成为常态化服务项目。',
  '这次活动共服务群众两百余人次，发放宣传资料五百余份。',
  '孩子们在志愿者的带领下学习垃圾分类知识。',
  '反诈宣传进村入户，老人们纷纷点赞。',
];
const para = (n) => Array.from({ length: n }, () => pick(PHRASES).replace('{p}', pick(PLACES)).replace('{a}', pick(ACTS))).join('');
const CATEGORIES = ['助人为乐', '见义勇为', '诚实守信', '敬业奉献', '孝老爱亲'];
const EVENT_CATS = ['法治宣传', '平安巡防', '助老助残', '环境保护', '文明劝导', '应急救援', '普法讲座', '其他'];
const TOPICS = ['民法典', '反电信诈骗', '未成年人保护', '婚姻家庭', '劳动权益', '土地承包'];

/** Inserts rows in multi-row statements inside write batches. */
export async function bulkInsert(client, table, cols, rows, perStmt = Math.floor(30000 / cols.length)) {
  const stmts = [];
  for (let i = 0; i < rows.length; i += perStmt) {
    const chunk = rows.slice(i, i + perStmt);
    const ph = `(${cols.map(() => '?').join(',')})`;
    stmts.push({ sql: `INSERT INTO ${table} (${cols.join(',')}) VALUES ${chunk.map(() => ph).join(',')}`, args: chunk.flat() });
    if (stmts.length >= 20) await client.batch(stmts.splice(0), 'write');
  }
  if (stmts.length) await client.batch(stmts, 'write');
}

/**
 * Tables loaded in bulk: their secondary indexes are dropped for the load and created again from
 * their own SQL afterwards (one sorted build instead of millions of random B-tree inserts).
 */
const BULK_TABLES = ['users', 'team_members', 'events', 'hour_records', 'points_entries', 'service_orders', 'service_order_steps', 'honorees', 'articles'];

/** A volunteer with this many records is seeded for /me/hours (issue 22). */
export const HEAVY_RECORDS = 2000;

const HOUR = 3600_000;
const MINUTE = 60_000;
const NEEDS = [
  '独居老人想请人每周来打扫一次卫生。',
  '孩子父母在外务工，想请人辅导作业。',
  '想请医生来村里量血压、讲讲用药。',
  '厨房水管漏水，家里没有年轻人会修。',
  '想咨询宅基地界线纠纷怎么处理。',
  '重阳节想请文艺队来村里演几个节目。',
  '河边垃圾堆了很多，想组织一次清理。',
  '想请人给村民讲讲防范电信诈骗。',
];

/** Seeds a fresh database at opts.dbPath (removing an old one); returns the seconds taken, the storm event's id and the heavy volunteer's id. */
export async function seedLarge({ dbPath, dbUrl, dataDir, counts: N }) {
  rmSync(dbPath, { force: true });
  rmSync(dbPath + '-wal', { force: true });
  rmSync(dbPath + '-shm', { force: true });
  rmSync(dbPath + '-journal', { force: true });
  mkdirSync(dataDir, { recursive: true });
  const t0 = Date.now();
  const db = await openDb({ url: dbUrl });
  await migrateDb(db);
  const secretKey = randomBytes(32);
  writeFileSync(join(dataDir, 'secret.key'), secretKey.toString('hex'));
  await seed(db, { secretKey, demo: false });
  const c = db.$client;
  // One connection fills a new file: no journal and no fsync (a crash means seeding again), a large
  // page cache for the index builds. WAL again at the end, as the app opens it.
  for (const p of ['PRAGMA journal_mode = DELETE', 'PRAGMA journal_mode = OFF', 'PRAGMA synchronous = OFF', 'PRAGMA cache_size = -524288']) await c.execute(p);
  // Triggers (cache versions, search index, aggregates, totals, points) are put back after the load
  // and what they would have written is computed set-based with their own expressions.
  const triggers = (await c.execute(`SELECT name FROM sqlite_master WHERE type = 'trigger'`)).rows.map((r) => String(r.name));
  for (const t of triggers) await c.execute(`DROP TRIGGER IF EXISTS "${t}"`);
  // migrateDb re-runs a db/sql script only when its recorded hash differs: forget them all.
  await c.execute('DELETE FROM schema_scripts');
  const indexes = (await c.execute(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${BULK_TABLES.map((t) => `'${t}'`).join(',')})`)).rows.map((r) => ({
    name: String(r.name),
    sql: String(r.sql),
  }));
  for (const i of indexes) await c.execute(`DROP INDEX "${i.name}"`);

  const now = Date.now();
  const towns = (await c.execute(`SELECT id FROM regions WHERE level = 'town'`)).rows.map((r) => Number(r.id));
  const villages = (await c.execute(`SELECT id, parent_id FROM regions WHERE level = 'village'`)).rows.map((r) => [Number(r.id), Number(r.parent_id)]);
  const villageOf = (town) => villages.find((v) => v[1] === town)?.[0] ?? null;
  const heavy = N.hours >= HEAVY_RECORDS * 10 && N.volunteers > N.teams ? HEAVY_RECORDS : 0;
  // [rows planned, the label whose ROW_COST they carry]
  const progress = startProgress({
    users: [N.volunteers, 'volunteers'],
    memberships: [N.volunteers * 2, 'team members'],
    teams: [N.teams, 'teams'],
    events: [N.events, 'events'],
    hours: [N.hours, 'hour records'],
    points: [Math.round(N.hours * 0.95), 'points entries'],
    orders: [N.orders, 'service orders'],
    steps: [N.orders * 4, 'service order steps'],
    honorees: [N.honorees, 'honorees'],
    articles: [N.articles, 'articles'],
  });

  const pwHash = await hashPassword(randomBytes(9).toString('base64url'));
  const userCols = [
    'phone',
    'password_hash',
    'real_name',
    'id_type',
    'id_number_enc',
    'id_number_hash',
    'id_number_masked',
    'birth_date_enc',
    'town_id',
    'village_id',
    'skills',
    'volunteer_no',
    'status',
    'created_at',
    'terms_version',
    'privacy_version',
    'consent_at',
  ];
  // In slices, so 500,000 volunteers never sit in memory at once.
  for (let from = 0; from < N.volunteers; from += 50_000) {
    const users = [];
    for (let i = from; i < Math.min(N.volunteers, from + 50_000); i++) {
      const d = new Date(Date.UTC(1950, 0, 1) + (i % 20000) * DAY).toISOString().slice(0, 10);
      const idNo = makeIdNumber(d, Math.floor(i / 20000) * 7 + (i % 7), i % 2 === 0);
      const town = towns[i % towns.length];
      users.push([
        `15${String(100000000 + i).slice(-9)}`,
        pwHash,
        pick(SURNAMES) + pick(GIVEN),
        '居民身份证',
        encryptText(secretKey, idNo),
        keyedHash(secretKey, `居民身份证:${idNo}`),
        maskIdNumber(idNo),
        encryptText(secretKey, d),
        town,
        villageOf(town),
        '[]',
        `YB${String(i).padStart(8, '0')}`,
        'active',
        now - (i % 900) * DAY,
        '2026-01',
        '2026-01',
        now,
      ]);
    }
    await bulkInsert(c, 'users', userCols, users);
    progress('volunteers', users.length);
  }
  const firstUser = Number((await c.execute(`SELECT min(id) AS m FROM users WHERE volunteer_no LIKE 'YB%'`)).rows[0].m);
  await c.execute({ sql: `INSERT INTO user_roles (user_id, role, granted_at) SELECT id, 'volunteer', ? FROM users WHERE id >= ?`, args: [now, firstUser] });
  progress('volunteer roles', N.volunteers);

  const teams = [];
  for (let i = 0; i < N.teams; i++) {
    const town = towns[i % towns.length];
    teams.push([
      `team-${i}`,
      `${PLACES[i % PLACES.length].slice(0, 2)}${pick(ACTS)}志愿服务队${i}`,
      town,
      villageOf(town),
      JSON.stringify([pick(EVENT_CATS)]),
      `${PLACES[i % PLACES.length]}的${pick(ACTS)}队伍。`,
      para(4),
      'active',
      now,
    ]);
  }
  await bulkInsert(c, 'teams', ['slug', 'name', 'town_id', 'village_id', 'service_types', 'summary', 'description', 'status', 'created_at'], teams);
  progress('teams', teams.length);
  const firstTeam = Number((await c.execute(`SELECT min(id) AS m FROM teams WHERE slug LIKE 'team-%'`)).rows[0].m);
  // Volunteer i is in team i mod T; the first T volunteers lead them.
  await c.execute({
    sql: `INSERT INTO team_members (team_id, user_id, role, status, created_at, decided_at)
          SELECT ? + ((id - ?) % ?), id, CASE WHEN id - ? < ? THEN 'leader' ELSE 'member' END, 'active', ?, ? FROM users WHERE id >= ? ORDER BY id`,
    args: [firstTeam, firstUser, N.teams, firstUser, N.teams, now, now, firstUser],
  });
  progress('team members', N.volunteers);
  for (let from = 0; from < N.events; from += 50_000) {
    const events = [];
    for (let i = from; i < Math.min(N.events, from + 50_000); i++) {
      const start = now + Math.floor(rnd() * 760 - 730) * DAY; // mostly past, some upcoming
      const town = towns[i % towns.length];
      events.push([
        firstTeam + (i % N.teams),
        `${PLACES[i % PLACES.length]}${pick(ACTS)}（第${i}期）`,
        pick(EVENT_CATS),
        para(3),
        town,
        villageOf(town),
        `${PLACES[i % PLACES.length]}活动室`,
        start,
        start + 3 * 3600_000,
        start - 20 * DAY,
        start,
        30,
        start + 3 * 3600_000 < now ? 'completed' : 'published',
        now,
      ]);
    }
    await bulkInsert(
      c,
      'events',
      ['team_id', 'title', 'category', 'description', 'town_id', 'village_id', 'address', 'starts_at', 'ends_at', 'signup_opens_at', 'signup_closes_at', 'capacity', 'status', 'created_at'],
      events,
    );
    progress('events', events.length);
  }
  // The sign-up storm's event: 50 seats, open now, no waitlist.
  const storm = await c.execute({
    sql: `INSERT INTO events (team_id, title, category, description, town_id, address, starts_at, ends_at, signup_opens_at, signup_closes_at, capacity, waitlist_enabled, status, created_at)
          VALUES (?, '压力测试：周末敬老院服务', '助老助残', '', ?, '城关镇敬老院', ?, ?, ?, ?, ?, 0, 'published', ?) RETURNING id`,
    args: [firstTeam, towns[0], now + 7 * DAY, now + 7 * DAY + 3 * 3600_000, now - DAY, now + 6 * DAY, N.stormSeats, now],
  });

  // Hour records, generated by SQLite itself. No two records of one volunteer overlap (the app's
  // guarded insert refuses that): volunteer u's k-th record is on day (37k + 11u) mod 730 before
  // today at 09:00 Beijing, distinct for k < 730 (37 is prime to 730). The heavy volunteer's extra
  // records take the afternoon and evening slots (13:00, 16:15, 19:30), at most 3 hours each.
  const dayBase = fromShanghai(shanghaiDay(now));
  const heavyUser = heavy ? firstUser + N.teams : null;
  const general = N.hours - heavy;
  const hourCols = `user_id, team_id, source, starts_at, ends_at, minutes, content, status, reviewer_id, reviewed_at, created_at`;
  const hash = `((n * 2654435761) % 1000003)`;
  for (let lo = 0; lo < general; lo += 1_000_000) {
    const hi = Math.min(general, lo + 1_000_000) - 1;
    await c.execute({
      sql: `INSERT INTO hour_records (${hourCols})
        WITH RECURSIVE s(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM s WHERE n < ?),
          r AS (SELECT n, n % ? AS u, n / ? AS k, 60 + (${hash} % 5) * 30 AS minutes, CASE WHEN ${hash} % 100 < 95 THEN 'confirmed' ELSE 'pending' END AS status FROM s),
          t AS (SELECT *, ? - (((k * 37 + u * 11) % 730) + 1) * ${DAY} + 9 * ${HOUR} AS starts_at FROM r)
        SELECT ? + u, ? + (u % ?), 'leader', starts_at, starts_at + minutes * ${MINUTE}, minutes, '常态化志愿服务', status,
          CASE WHEN status = 'confirmed' AND u >= ? THEN ? + (u % ?) END, CASE WHEN status = 'confirmed' THEN starts_at + ${DAY} END, starts_at + minutes * ${MINUTE}
        FROM t`,
      args: [lo, hi, N.volunteers, N.volunteers, dayBase, firstUser, firstTeam, N.teams, N.teams, firstUser, N.teams],
    });
    progress('hour records', hi - lo + 1);
  }
  if (heavy) {
    await c.execute({
      sql: `INSERT INTO hour_records (${hourCols})
        WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < ?),
          t AS (SELECT n, 60 + (${hash} % 5) * 30 AS minutes, ? - ((n % 730) + 1) * ${DAY} + (13 * 60 + (n / 730) * 195) * ${MINUTE} AS starts_at,
            CASE WHEN ${hash} % 100 < 95 THEN 'confirmed' ELSE 'pending' END AS status FROM s)
        SELECT ?, ?, 'leader', starts_at, starts_at + minutes * ${MINUTE}, minutes, '常态化志愿服务', status,
          CASE WHEN status = 'confirmed' THEN ? END, CASE WHEN status = 'confirmed' THEN starts_at + ${DAY} END, starts_at + minutes * ${MINUTE}
        FROM t`,
      args: [heavy - 1, dayBase, heavyUser, firstTeam, firstUser],
    });
    progress('hour records', heavy);
  }

  // Points earned by confirmed records: what points_hours_insert (db/sql/points.sql) writes, the
  // county's rate read through the same points_rate view; balances are their sums.
  const maxHour = Number((await c.execute('SELECT max(id) AS m FROM hour_records')).rows[0].m ?? 0);
  for (let lo = 0; lo <= maxHour; lo += 2_000_000) {
    await c.execute({
      sql: `INSERT INTO points_entries (user_id, kind, amount, reason, source_type, source_id, created_at)
        SELECT h.user_id, 'volunteer', min(h.minutes * r.per_hour / 60, r.cap), '服务时长确认 ' || printf('%g', round(h.minutes / 6.0) / 10.0) || ' 小时', 'hour_record', h.id, h.reviewed_at
        FROM hour_records h, points_rate r WHERE h.id > ? AND h.id <= ? AND h.status = 'confirmed' AND min(h.minutes * r.per_hour / 60, r.cap) > 0 ORDER BY h.id`,
      args: [lo, lo + 2_000_000],
    });
    // changes() on the same connection: the rows this INSERT wrote, without the trigger writes rowsAffected counts remotely.
    progress('points entries', Number((await c.execute('SELECT changes() AS n')).rows[0].n));
  }

  await seedServiceOrders(c, { count: N.orders, now, firstTeam, teamCount: N.teams, towns, villages, progress });

  log(`${N.honorees} honorees, ${N.articles} articles, lessons, lectures…`);
  const nBatches = Math.max(4, Math.round(N.honorees / 125));
  const batches = [];
  for (let i = 0; i < nBatches; i++) {
    const pub = now - (nBatches - i) * 30 * DAY;
    batches.push([
      `batch-${i}`,
      `第${i + 1}批云溪好人榜`,
      `B${i + 1}`,
      '',
      i === nBatches - 1 ? 'publicity' : 'published',
      pub - 14 * DAY,
      i === nBatches - 1 ? now + 7 * DAY : pub - DAY,
      i === nBatches - 1 ? null : pub,
      now,
    ]);
  }
  await bulkInsert(c, 'honor_batches', ['slug', 'title', 'period', 'intro', 'status', 'publicity_starts_at', 'publicity_ends_at', 'published_at', 'created_at'], batches);
  const firstBatch = Number((await c.execute('SELECT min(id) AS m FROM honor_batches')).rows[0].m);
  const honorees = [];
  for (let i = 0; i < N.honorees; i++) {
    const b = i % nBatches;
    const town = towns[i % towns.length];
    const name = pick(SURNAMES) + pick(GIVEN);
    honorees.push([
      `h-${i}`,
      firstBatch + b,
      name,
      `${pick(PLACES)}${pick(['热心人', '好大姐', '老支书', '好邻居'])}`,
      'person',
      pick(['退休教师', '村医', '社区网格员', '个体户', '快递员']),
      town,
      villageOf(town),
      pick(CATEGORIES),
      pick(['县', '市', '村/社区']),
      `${name}：${pick(ACTS)}的带头人`.slice(0, 50),
      para(8),
      b === nBatches - 1 ? 'candidate' : 'published',
      batches[b][7],
      now,
      i % 40,
    ]);
  }
  await bulkInsert(
    c,
    'honorees',
    ['slug', 'batch_id', 'name', 'epithet', 'kind', 'identity', 'town_id', 'village_id', 'category', 'level', 'summary', 'story', 'status', 'published_at', 'created_at', 'like_count'],
    honorees,
  );
  progress('honorees', honorees.length);
  for (let from = 0; from < N.articles; from += 50_000) {
    const articles = [];
    for (let i = from; i < Math.min(N.articles, from + 50_000); i++) {
      const ch = pick(['news', 'news', 'typical', 'legal', 'notice']);
      articles.push([
        `a-${i}`,
        ch,
        ch === 'legal' ? pick(TOPICS) : null,
        `${pick(PLACES)}开展${pick(ACTS)}活动（${i}）`,
        para(2),
        para(12),
        '[]',
        '县文明办',
        '云溪融媒',
        'published',
        2,
        now - Math.floor((i / N.articles) * 730 * DAY) - 1000,
        now,
      ]);
    }
    await bulkInsert(c, 'articles', ['slug', 'channel', 'topic', 'title', 'summary', 'body', 'tags', 'author', 'source', 'status', 'review_step', 'published_at', 'created_at'], articles);
    progress('articles', articles.length);
  }
  await bulkInsert(
    c,
    'legal_lessons',
    ['slug', 'title', 'topic', 'law_ref', 'summary', 'body', 'sort', 'created_at'],
    Array.from({ length: N.lessons }, (_, i) => [`lesson-${i}`, `${pick(TOPICS)}小课堂第${i + 1}讲`, pick(TOPICS), '《中华人民共和国民法典》', para(1), para(10), i, now]),
  );
  // 普法讲座 orders are service orders of the lecture item (docs/decisions/101).
  const lectureItem = Number((await c.execute("SELECT id FROM service_items WHERE slug = 'legal-lecture'")).rows[0].id);
  await bulkInsert(
    c,
    'service_orders',
    ['tracking_no', 'item_id', 'requester_name', 'requester_phone', 'town_id', 'village_id', 'address', 'need', 'status', 'done_at', 'lecture', 'created_at'],
    Array.from({ length: N.lectures }, (_, i) => [
      `L${i}`,
      lectureItem,
      '村委会',
      '13800000000',
      towns[i % towns.length],
      0,
      '',
      '',
      i % 3 === 0 ? 'rated' : 'done',
      now - Math.floor(rnd() * 500) * DAY,
      JSON.stringify({
        topic: pick(TOPICS),
        audienceType: '',
        audienceExpected: 60,
        audienceActual: 20 + (i % 80),
        organisation: null,
        lecturerId: null,
        photoFileIds: [],
        handledBy: null,
        legacyId: null,
      }),
      now,
    ]),
  );

  progress('lessons and lectures', N.lessons + N.lectures);

  log('building indexes…');
  for (const i of indexes) await c.execute(i.sql);
  log('totals, monthly aggregates and points balances…');
  await fillOrderDeadlines(db); // each order's deadlines in working days, as the app stores them (docs/decisions/106)
  await rebuildStats(db);
  await recomputeTotals(db);
  await c.execute(`INSERT INTO points_balances (user_id, kind, balance) SELECT user_id, kind, sum(amount) FROM points_entries GROUP BY user_id, kind`);
  log('triggers, then the search index through them…');
  await migrateDb(db); // re-creates every trigger and view from db/sql (their hashes were forgotten above)
  await rebuildSearchIndex(db);
  await c.execute('ANALYZE');
  await c.execute('PRAGMA journal_mode = WAL');
  await c.execute('PRAGMA synchronous = NORMAL');
  const seconds = (Date.now() - t0) / 1000;
  log(`seeded in ${seconds.toFixed(1)} s; checking what the app's triggers would have written…`);
  const checks = await verifySeed(c);
  db.$client.close();
  const bad = checks.filter((x) => x.bad !== 0);
  if (bad.length) throw new Error(`seed invariants broken: ${bad.map((x) => `${x.name} (${x.bad})`).join('; ')}`);
  log(`${checks.length} invariants hold`);
  return { seconds, stormEventId: Number(storm.rows[0].id), heavyUserId: heavyUser, checks };
}

/**
 * Service orders over two years in every state, as the order pages leave them (accepted, dispatched to a
 * team of the same 乡镇, done, rated), most on time; their dated steps are written set-based from the
 * orders, with the texts db/seed-orders.ts uses.
 */
async function seedServiceOrders(c, { count, now, firstTeam, teamCount, towns, villages, progress }) {
  if (!count) return;
  const items = (await c.execute('SELECT id, name, accept_hours, finish_days FROM service_items WHERE active = 1 ORDER BY id')).rows.map((r) => ({
    id: Number(r.id),
    acceptHours: Number(r.accept_hours),
    finishDays: Number(r.finish_days),
  }));
  const cols = [
    'tracking_no',
    'item_id',
    'requester_name',
    'requester_phone',
    'town_id',
    'village_id',
    'address',
    'need',
    'source',
    'public_consent',
    'status',
    'dispatch_mode',
    'team_id',
    'reject_reason',
    'close_note',
    'rating',
    'rating_comment',
    'revisit_due',
    'accepted_at',
    'dispatched_at',
    'done_at',
    'rated_at',
    'created_at',
  ];
  for (let from = 0; from < count; from += 20_000) {
    const rows = [];
    for (let n = from; n < Math.min(count, from + 20_000); n++) {
      const item = items[n % items.length];
      const [villageId, townId] = villages[(n * 7) % villages.length];
      const townIdx = Math.max(0, towns.indexOf(townId));
      const teamIdx = townIdx < teamCount ? townIdx + towns.length * (n % Math.max(1, Math.floor((teamCount - townIdx - 1) / towns.length) + 1)) : n % teamCount;
      const created = now - Math.floor(((count - n) / count) * 730 * DAY) - 2 * HOUR;
      const age = (now - created) / DAY;
      const h = (n * 2654435761) % 1000003;
      const status = age < 1 ? (h % 2 ? 'new' : 'accepted') : age < 3 ? 'open' : age < 10 ? 'assigned' : h % 20 === 0 ? 'rejected' : h % 4 === 0 ? 'done' : 'rated';
      const reached = (s) => s.includes(status);
      const late = h % 10 === 0;
      const accepted = reached(['accepted', 'open', 'assigned', 'done', 'rated']) ? created + (late ? item.acceptHours + 4 : 3) * HOUR : null;
      const holds = reached(['assigned', 'done', 'rated']);
      const dispatched = holds ? created + 20 * HOUR : null;
      const done = reached(['done', 'rated']) ? created + (late ? item.finishDays + 2 : 2) * DAY : null;
      const rating = status === 'rated' ? [5, 5, 5, 4, 4, 3, 2][h % 7] : null;
      rows.push([
        `DD-${shanghaiDay(created).slice(0, 4)}-${String(n).padStart(6, '0')}`,
        item.id,
        pick(SURNAMES) + pick(GIVEN),
        `139${String(n).padStart(8, '0')}`,
        townId,
        villageId,
        `${(n % 9) + 1}组${(n % 97) + 1}号`,
        NEEDS[n % NEEDS.length],
        ['网上', '网上', '电话', '窗口', '上门'][h % 5],
        n % 3 ? 1 : 0,
        status,
        holds ? (h % 2 ? 'assign' : 'claim') : null,
        holds ? firstTeam + teamIdx : null,
        status === 'rejected' ? '诉讼代理不属于志愿服务，已告知可申请法律援助' : null,
        done ? '志愿者按约定上门完成服务，群众当场确认。' : null,
        rating,
        rating == null ? null : rating >= 4 ? '志愿者很耐心。' : '约好的时间晚到了。',
        rating != null && rating <= 2 ? 1 : 0,
        accepted,
        dispatched,
        done,
        rating == null ? null : done + DAY,
        created,
      ]);
    }
    await bulkInsert(c, 'service_orders', cols, rows);
    progress('service orders', rows.length);
  }
  const steps = [
    `SELECT o.id, o.created_at, 'created', CASE WHEN o.source = '网上' THEN '网上点单：' || i.name ELSE o.source || '点单，工作人员代为登记：' || i.name END FROM service_orders o JOIN service_items i ON i.id = o.item_id`,
    `SELECT id, created_at + 4 * ${HOUR}, 'rejected', '不予受理：' || reject_reason FROM service_orders WHERE status = 'rejected'`,
    `SELECT id, accepted_at, 'accepted', '县新时代文明实践中心已受理' FROM service_orders WHERE accepted_at IS NOT NULL`,
    `SELECT id, created_at + 5 * ${HOUR}, 'opened', '已发布到接单大厅，等待志愿服务队伍接单' FROM service_orders WHERE status = 'open' OR dispatch_mode = 'claim'`,
    `SELECT o.id, o.dispatched_at, CASE o.dispatch_mode WHEN 'claim' THEN 'claimed' ELSE 'assigned' END,
       CASE o.dispatch_mode WHEN 'claim' THEN '“' || t.name || '”已接单' ELSE '已派单给“' || t.name || '”' END FROM service_orders o JOIN teams t ON t.id = o.team_id WHERE o.dispatched_at IS NOT NULL`,
    `SELECT id, done_at, 'done', '服务已完成，欢迎评价' FROM service_orders WHERE done_at IS NOT NULL`,
    `SELECT id, rated_at, 'rated', '群众评价：' || rating || ' 星' || CASE WHEN rating <= 2 THEN '，工作人员将回访' ELSE '' END FROM service_orders WHERE rated_at IS NOT NULL`,
  ];
  for (const s of steps) {
    await c.execute(`INSERT INTO service_order_steps (order_id, at, kind, text) ${s}`);
    progress('service order steps', Number((await c.execute('SELECT changes() AS n')).rows[0].n));
  }
}

/**
 * What a row costs relative to one generated by SQLite itself (measured on this 2-core machine: a
 * volunteer, with its ID number encrypted and hashed in JavaScript, ~60×); the ETA weighs rows by it,
 * so the minutes spent on 500,000 volunteers first do not promise hours for the 20 million rows after.
 */
const ROW_COST = { volunteers: 60, teams: 20, events: 20, honorees: 20, articles: 20, 'service orders': 10 };

/**
 * A progress line per step: rows so far of those planned, rows/s over the whole load, and the time
 * the load will still take (ETA, rows weighed by ROW_COST; the index builds and derived rows come after).
 */
function startProgress(planned) {
  const cost = (label) => ROW_COST[label] ?? 1;
  const total = Object.values(planned).reduce((a, [rows]) => a + rows, 0);
  const work = Object.values(planned).reduce((a, [rows, label]) => a + rows * cost(label), 0);
  const t0 = Date.now();
  let done = 0;
  let worked = 0;
  return (label, rows) => {
    done += rows;
    worked += rows * cost(label);
    const s = (Date.now() - t0) / 1000;
    const eta = Math.max(0, ((work - worked) * s) / Math.max(worked, 1));
    log(
      `${label} +${rows.toLocaleString('en')}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} rows (${Math.min(100, (done / total) * 100).toFixed(0)} %), ${Math.round(done / Math.max(s, 0.001)).toLocaleString('en')} rows/s, load ETA ${Math.floor(eta / 60)}m${String(Math.round(eta % 60)).padStart(2, '0')}s`,
    );
  };
}
