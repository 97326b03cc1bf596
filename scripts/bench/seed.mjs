// Seeds a large, deterministic county into the benchmark's database (bench/data/bench-<scale>.db):
// volunteers, teams, events, hour records, honorees, articles, lessons and lectures, then the
// aggregates, totals and search index in one pass.
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
import { recomputeTotals } from '../../src/domain/hours/totals.ts';
import { DAY, log } from './options.mjs';

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

/** Seeds a fresh database at opts.dbPath (removing an old one); returns the seconds taken and the storm event's id. */
export async function seedLarge({ dbPath, dbUrl, dataDir, counts: N }) {
  rmSync(dbPath, { force: true });
  rmSync(dbPath + '-wal', { force: true });
  rmSync(dbPath + '-shm', { force: true });
  mkdirSync(dataDir, { recursive: true });
  const t0 = Date.now();
  const db = await openDb({ url: dbUrl });
  await migrateDb(db);
  const secretKey = randomBytes(32);
  writeFileSync(join(dataDir, 'secret.key'), secretKey.toString('hex'));
  await seed(db, { secretKey, demo: false });
  const c = db.$client;
  await c.execute('PRAGMA synchronous = OFF');
  // Triggers (cache versions, search index, aggregates, totals) are rebuilt in one pass after the load.
  const triggers = (await c.execute(`SELECT name FROM sqlite_master WHERE type = 'trigger'`)).rows.map((r) => String(r.name));
  for (const t of triggers) await c.execute(`DROP TRIGGER IF EXISTS "${t}"`);
  // migrateDb re-runs a db/sql script only when its recorded hash differs: forget them all.
  await c.execute('DELETE FROM schema_scripts');
  const now = Date.now();
  const towns = (await c.execute(`SELECT id FROM regions WHERE level = 'town'`)).rows.map((r) => Number(r.id));
  const villages = (await c.execute(`SELECT id, parent_id FROM regions WHERE level = 'village'`)).rows.map((r) => [Number(r.id), Number(r.parent_id)]);
  const villageOf = (town) => villages.find((v) => v[1] === town)?.[0] ?? null;

  log(`seeding ${N.volunteers} volunteers…`);
  const pwHash = await hashPassword(randomBytes(9).toString('base64url'));
  const users = [];
  for (let i = 0; i < N.volunteers; i++) {
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
  await bulkInsert(
    c,
    'users',
    [
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
    ],
    users,
  );
  const firstUser = Number((await c.execute('SELECT min(id) AS m FROM users')).rows[0].m);
  await bulkInsert(
    c,
    'user_roles',
    ['user_id', 'role', 'granted_at'],
    users.map((_, i) => [firstUser + i, 'volunteer', now]),
  );

  log(`teams, members, events…`);
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
  const firstTeam = Number((await c.execute('SELECT min(id) AS m FROM teams')).rows[0].m);
  await bulkInsert(
    c,
    'team_members',
    ['team_id', 'user_id', 'role', 'status', 'created_at', 'decided_at'],
    users.map((_, i) => [firstTeam + (i % N.teams), firstUser + i, i < N.teams ? 'leader' : 'member', 'active', now, now]),
  );
  const events = [];
  for (let i = 0; i < N.events; i++) {
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
  // The sign-up storm's event: 50 seats, open now, no waitlist.
  const storm = await c.execute({
    sql: `INSERT INTO events (team_id, title, category, description, town_id, address, starts_at, ends_at, signup_opens_at, signup_closes_at, capacity, waitlist_enabled, status, created_at)
          VALUES (?, '压力测试：周末敬老院服务', '助老助残', '', ?, '城关镇敬老院', ?, ?, ?, ?, ?, 0, 'published', ?) RETURNING id`,
    args: [firstTeam, towns[0], now + 7 * DAY, now + 7 * DAY + 3 * 3600_000, now - DAY, now + 6 * DAY, N.stormSeats, now],
  });

  log(`${N.hours} hour records…`);
  const batchRows = [];
  for (let i = 0; i < N.hours; i++) {
    const u = Math.floor(rnd() * N.volunteers);
    const start = now - Math.floor(rnd() * 730) * DAY - 6 * 3600_000;
    const minutes = 60 + Math.floor(rnd() * 5) * 30;
    batchRows.push([firstUser + u, firstTeam + (u % N.teams), 'leader', start, start + minutes * 60000, minutes, '常态化志愿服务', rnd() < 0.95 ? 'confirmed' : 'pending', now]);
    if (batchRows.length >= 50_000) await bulkInsert(c, 'hour_records', ['user_id', 'team_id', 'source', 'starts_at', 'ends_at', 'minutes', 'content', 'status', 'created_at'], batchRows.splice(0));
  }
  await bulkInsert(c, 'hour_records', ['user_id', 'team_id', 'source', 'starts_at', 'ends_at', 'minutes', 'content', 'status', 'created_at'], batchRows);

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
  const articles = [];
  for (let i = 0; i < N.articles; i++) {
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

  log('rebuilding aggregates, totals and the search index…');
  await rebuildStats(db);
  await recomputeTotals(db);
  await rebuildSearchIndex(db);
  await migrateDb(db); // re-creates every trigger from db/sql (their hashes were forgotten above)
  await c.execute('PRAGMA synchronous = NORMAL');
  await c.execute('ANALYZE');
  await c.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  const seconds = (Date.now() - t0) / 1000;
  db.$client.close();
  return { seconds, stormEventId: Number(storm.rows[0].id) };
}
