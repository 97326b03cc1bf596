// Issue 15 item 10: a name without name consent (a minor) appears masked everywhere the
// public can look — pages, the search index and its snippets, feeds, the poster, Open
// Graph tags, the sitemap — and searching the full name or any two or three of its
// characters finds nothing. Real server, real HTTP, demo data plus distinctive names.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { openDb } from '../../db/client.ts';

let server: RunningServer;
const year = new Date().getUTCFullYear();

// A published minor linked from a published article, and a minor candidate in 公示.
const MINOR = { name: '郁沁柠', given: '沁柠', mask: '郁*柠', slug: 'h-test-minor' };
const CANDIDATE = { name: '骆昕玥', given: '昕玥', mask: '骆*玥' };
// The demo county's own minor (content/honorees/xiao-dangjia.md).
const DEMO = { name: '杨欣悦', given: '欣悦', mask: '杨*悦', slug: 'xiao-dangjia' };

let publishedBatchSlug = '';
let candidateId = 0;

beforeAll(async () => {
  server = await startServer();
  const db = await openDb({ url: server.dbUrl });
  const now = Date.now();
  const batch = await db.$client.execute(`SELECT id, slug FROM honor_batches WHERE status = 'published' ORDER BY published_at DESC LIMIT 1`);
  publishedBatchSlug = String(batch.rows[0].slug);
  const town = Number((await db.$client.execute(`SELECT id FROM regions WHERE level = 'town' ORDER BY id LIMIT 1`)).rows[0].id);
  const minor = (n: typeof MINOR | typeof CANDIDATE, o: { slug: string; batchId: number; status: string; epithet: string }) => ({
    sql: `INSERT INTO honorees (slug, batch_id, name, epithet, kind, identity, birth_year, town_id, category, level, title, summary, story, later_honours,
            consent_by, consent_at, consent_method, guardian_consent, name_consent, status, published_at, created_at)
          VALUES (?, ?, ?, ?, 'person', '城关小学五年级学生', ?, ?, '孝老爱亲', '县', '云溪好人（新时代好少年）', ?, ?, ?, '监护人 书面', '2026-01-01', '监护人书面同意书', 1, 0, ?, ?, ?) RETURNING id`,
    args: [
      o.slug,
      o.batchId,
      n.name,
      o.epithet,
      year - 12,
      town,
      `${n.name}每天放学照顾患病的奶奶。`,
      `${n.name}今年十二岁。每天放学后，${n.given}都会先给奶奶熬药。\n\n“**${n.name}**从不喊累，”班主任说，“${n.given}是同学们的榜样。”`,
      JSON.stringify([`${n.name}获评校级“最美少年”`]),
      o.status,
      o.status === 'published' ? now : null,
      now,
    ],
  });
  await db.$client.execute(minor(MINOR, { slug: MINOR.slug, batchId: Number(batch.rows[0].id), status: 'published', epithet: '护苗小卫士' }));
  const pub = await db.$client.execute({
    sql: `INSERT INTO honor_batches (slug, title, period, intro, status, publicity_starts_at, publicity_ends_at, created_at) VALUES ('b-test-publicity', '测试公示批次', '2030年第一季度', '', 'publicity', ?, ?, ?) RETURNING id`,
    args: [now - 86400_000, now + 7 * 86400_000, now],
  });
  candidateId = Number((await db.$client.execute(minor(CANDIDATE, { slug: 'h-test-candidate', batchId: Number(pub.rows[0].id), status: 'candidate', epithet: '小小护林员' }))).rows[0].id);
  const minorId = Number((await db.$client.execute({ sql: 'SELECT id FROM honorees WHERE slug = ?', args: [MINOR.slug] })).rows[0].id);
  await db.$client.execute({
    sql: `INSERT INTO articles (slug, channel, title, summary, body, tags, honoree_id, status, review_step, published_at, created_at)
          VALUES ('test-minor-story', 'typical', '护苗小卫士：放学后的小药童', '一名小学生照顾奶奶的故事。', '放学后，她先给奶奶熬药，再写作业。', '[]', ?, 'published', 2, ?, ?)`,
    args: [minorId, now, now],
  });
  db.$client.close();
});
afterAll(async () => {
  await server?.stop();
});

async function get(path: string): Promise<string> {
  const res = await fetch(server.url + path);
  expect(res.status, path).toBe(200);
  return res.text();
}

function expectMasked(body: string, path: string, who: { name: string; given: string }) {
  expect(body.includes(who.name), `${path} shows the full name ${who.name}`).toBe(false);
  expect(body.includes(who.given), `${path} shows the given name ${who.given}`).toBe(false);
}

describe('a name without consent', () => {
  test.each([
    ['/', [CANDIDATE]],
    ['/honors', []],
    [`/honors?batch=PUBLISHED`, [MINOR]],
    ['/honors/batches', []],
    [`/honors/${MINOR.slug}`, [MINOR]],
    [`/honors/${DEMO.slug}`, [DEMO]],
    ['/honors/poster/PUBLISHED', [MINOR]],
    ['/honors/candidates', [CANDIDATE]],
    ['/honors/objection?h=CANDIDATE', [CANDIDATE]],
    ['/honors/candidates/CANDIDATE', [CANDIDATE]],
    ['/articles/test-minor-story', [MINOR]],
    ['/articles?channel=typical', []],
    ['/articles', []],
    ['/articles/honor-roll-2025q4-released', [DEMO]],
    ['/rss.xml', []],
    ['/rss/typical.xml', []],
    ['/sitemap.xml', []],
    ['/search?q=%E6%8A%A4%E8%8B%97%E5%B0%8F%E5%8D%AB%E5%A3%AB', [MINOR]],
    ['/search?q=%E5%B0%8F%E5%BD%93%E5%AE%B6', [DEMO]],
  ])('%s shows only the mask', async (p, masks) => {
    const path = p.replace('PUBLISHED', publishedBatchSlug).replace('CANDIDATE', String(candidateId));
    const body = await get(path);
    for (const who of [MINOR, CANDIDATE, DEMO]) expectMasked(body, path, who);
    for (const who of masks) expect(body, `${path} lacks the mask ${who.mask}`).toContain(who.mask);
  });

  test('the honoree page’s title and Open Graph tags carry the mask', async () => {
    const body = await get(`/honors/${MINOR.slug}`);
    expect(body).toMatch(new RegExp(`<title>${MINOR.mask.replace('*', '\\*')}`));
    expect(body).toMatch(new RegExp(`property="og:title" content="${MINOR.mask.replace('*', '\\*')}`));
    // Two masks in one Markdown paragraph stay masks; they never pair up into emphasis.
    expect(body).toContain(`“<strong>${MINOR.mask}</strong>从不喊累，”班主任说，“*柠是同学们的榜样。”`);
  });

  test('search finds the entry by its deeds, with the mask in title and snippet', async () => {
    const body = await get('/search?q=%E6%8A%A4%E8%8B%97%E5%B0%8F%E5%8D%AB%E5%A3%AB');
    const result = body.slice(body.indexOf('<ol class="results">'), body.indexOf('</ol>', body.indexOf('<ol class="results">')));
    expect(result).toContain(`href="/honors/${MINOR.slug}"`);
    expect(result).toMatch(/郁\*柠[^<]*<\/a>/);
    expect(result.split(MINOR.mask).length).toBeGreaterThan(2); // title and snippet
  });

  test.each([MINOR, DEMO])('searching $name or any two or three of its characters finds nothing', async (who) => {
    const cs = [...who.name];
    const queries = new Set([who.name, ...cs.slice(0, -1).map((c, i) => c + cs[i + 1]), who.given]);
    for (const q of queries) {
      const body = await get(`/search?q=${encodeURIComponent(q)}`);
      expect(body, q).toContain(`没有找到与“${q}”相关的内容`);
    }
  });
});
