// The demo county agrees with itself (issue 18, item 15): every figure its published text states about the platform
// — registered volunteers, teams, a team's members — equals what the live counters show on the same pages;
// 注册志愿者 leaves out staff accounts everywhere; no article sits in both of the home page's article blocks.
import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { homeFigures } from '../../src/domain/stats/home.ts';
import { volunteersByTown } from '../../src/domain/stats/index.ts';
import { homeArticleBlocks } from '../../src/domain/articles/public.ts';
import { getSetting } from '../../src/domain/settings/index.ts';
import { teamPublicContact } from '../../src/domain/teams/contact.ts';

let db: Db;
beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
}, 120_000);

const rows = async (text: string) => (await db.$client.execute(text)).rows.map((r) => ({ ...r }) as Record<string, unknown>);

const DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
/** "5163", "五千", "一千二百", "十八", "百" → a number (the simple numerals demo prose uses). */
function parseNumber(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const ch of s) {
    if (ch in DIGIT) digit = DIGIT[ch];
    else if (ch in UNIT) {
      section += (digit || 1) * UNIT[ch];
      digit = 0;
    } else if (ch === '万') {
      total += (section + digit) * 10_000;
      section = 0;
      digit = 0;
    }
  }
  return total + section + digit;
}

const NUM = '(\\d+|[零〇一二两三四五六七八九十百千万]+)';
/** A claim in text: the number, whether it is approximate (余/多/逾/超过/突破: "more than"), and the sentence. */
interface Claim {
  n: number;
  atLeast: boolean;
  where: string;
}
function claims(text: string, pattern: RegExp, where: string): Claim[] {
  return [...text.matchAll(pattern)].map((m) => ({ n: parseNumber(m.groups!.n), atLeast: !!m.groups!.more, where: `${where}: …${m[0]}…` }));
}
/** Claims about the county's registered volunteers and its teams. */
const VOLUNTEER_CLAIM = new RegExp(`(注册|实名注册)志愿者[^。，；\\d]{0,6}?(?<more>突破|超过|逾)?${NUM.replace('(', '(?<n>')}(?:余|多)?人(?!次)`, 'g');
const TEAM_CLAIM = new RegExp(`(?<more>逾|超过)?${NUM.replace('(', '(?<n>')}(?:余|多)?支(志愿服务)?(队伍|队)`, 'g');
/** Claims about one team's own members, in its description. */
const MEMBER_CLAIM = new RegExp(`(现有|共有|已有)[^。，；\\d]{0,10}?${NUM.replace('(', '(?<n>')}(?<more>余|多)?(人|名)|${NUM.replace('(', '(?<n2>')}名队员`, 'g');

const agrees = (c: Claim, live: number) => (c.atLeast ? live >= c.n : live === c.n);

describe('demo figures agree with the live counters', () => {
  test('注册志愿者 counts volunteer accounts only: the demo staff accounts are not counted, on the home page nor /stats', async () => {
    const fig = await homeFigures(db);
    const [all] = await rows(`SELECT count(*) AS n FROM users WHERE status = 'active'`);
    const [staff] = await rows(
      `SELECT count(DISTINCT u.id) AS n FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.status = 'active' AND r.role IN ('admin', 'editor', 'reviewer', 'shop_manager')`,
    );
    expect(Number(staff.n)).toBeGreaterThan(0);
    expect(fig.volunteers).toBe(Number(all.n) - Number(staff.n));
    const byTown = await volunteersByTown(db);
    expect(byTown.reduce((s, r) => s + r.n, 0)).toBe(fig.volunteers);
  });

  test('every published text states only county figures the counters show (volunteers, teams)', async () => {
    const fig = await homeFigures(db);
    const texts = [
      ...(await rows(`SELECT slug, title || '。' || summary || '。' || body AS t FROM articles WHERE status = 'published'`)).map((r) => ({ where: `article ${r.slug}`, t: String(r.t) })),
      ...(await rows(`SELECT slug, summary || '。' || description AS t FROM teams WHERE status = 'active'`)).map((r) => ({ where: `team ${r.slug}`, t: String(r.t) })),
      ...(await rows(`SELECT slug, summary || '。' || story AS t FROM honorees WHERE status = 'published'`)).map((r) => ({ where: `honoree ${r.slug}`, t: String(r.t) })),
      ...(await rows(`SELECT slug, title || '。' || intro AS t FROM honor_batches`)).map((r) => ({ where: `batch ${r.slug}`, t: String(r.t) })),
    ];
    expect(texts.length).toBeGreaterThan(30);
    const wrong = [
      ...texts
        .flatMap((x) => claims(x.t, VOLUNTEER_CLAIM, x.where))
        .filter((c) => !agrees(c, fig.volunteers))
        .map((c) => `${c.where} (live ${fig.volunteers})`),
      ...texts
        .flatMap((x) => claims(x.t, TEAM_CLAIM, x.where))
        .filter((c) => !agrees(c, fig.teams))
        .map((c) => `${c.where} (live ${fig.teams})`),
    ];
    expect(wrong).toEqual([]);
  });

  test("a team's text states no member count other than the 注册队员 figure beside it; texts naming the team agree too", async () => {
    const teams = await rows(`SELECT slug, name, member_count, summary || '。' || description AS t FROM teams WHERE status = 'active'`);
    const others = await rows(
      `SELECT 'article ' || slug AS w, summary || '。' || body AS t FROM articles WHERE status = 'published' UNION ALL SELECT 'honoree ' || slug, summary || '。' || story FROM honorees WHERE status = 'published'`,
    );
    const wrong: string[] = [];
    for (const team of teams) {
      const live = Number(team.member_count);
      const short = String(team.name).replace(/志愿服务队|志愿队|服务团|志愿者协会.*$/, '');
      const about = [{ where: `team ${team.slug}`, t: String(team.t) }, ...others.filter((o) => String(o.t).includes(short)).map((o) => ({ where: `${o.w} on ${team.slug}`, t: String(o.t) }))];
      for (const x of about) {
        for (const m of x.t.matchAll(MEMBER_CLAIM)) {
          const n = parseNumber(m.groups!.n ?? m.groups!.n2);
          const ok = m.groups!.more ? live >= n : live === n;
          if (!ok) wrong.push(`${x.where}: …${m[0]}… (live ${live})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  test('no article is listed under both 新闻动态 and 普法课堂 on the home page', async () => {
    const { news, legal } = await homeArticleBlocks(db);
    expect(legal.length).toBeGreaterThan(0);
    expect(news.length).toBeGreaterThan(0);
    expect(news.map((a) => a.slug).filter((s) => legal.some((l) => l.slug === s))).toEqual([]);
  });

  test('several demo teams publish a hotline (issue 18, item 8), each on the public-phone allow-list', async () => {
    const withContact = await rows(`SELECT id, name, contact_phone FROM teams WHERE public_contact = 'hotline' AND status = 'active' ORDER BY id`);
    expect(withContact.length).toBeGreaterThanOrEqual(3);
    const allowed = (await getSetting(db, 'publicPhones')).map((p) => p.number);
    for (const t of withContact) {
      expect(await teamPublicContact(db, Number(t.id))).toEqual({ label: '队伍联系电话', phone: t.contact_phone });
      expect(String(t.contact_phone)).toMatch(/^0\d{3}-\d{7}$/);
      expect(allowed, String(t.name)).toContain(t.contact_phone);
    }
    const withEvents = await rows(`SELECT count(*) AS n FROM events e JOIN teams t ON t.id = e.team_id WHERE t.public_contact = 'hotline' AND e.status = 'published'`);
    expect(Number(withEvents[0].n)).toBeGreaterThan(0);
  });
});

test('parseNumber reads the numerals the demo prose uses', () => {
  expect([parseNumber('5163'), parseNumber('五千'), parseNumber('一千二百'), parseNumber('十八'), parseNumber('百'), parseNumber('两万三千')]).toEqual([5163, 5000, 1200, 18, 100, 23000]);
});
