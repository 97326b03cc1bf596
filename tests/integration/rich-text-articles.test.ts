// Issue 17 item 3 against a real database: a rich-text body is stored through the one allow-list,
// whatever was posted; every reader of a body (public renderer, search, feed, personal-data check,
// word checks, diff) reads it through articleBody; Markdown rows render as before; slugs are
// readable, editable, unique, and an old one still leads to the article.
import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { createArticle, saveArticle, type ArticleContent, type ArticleContentInput } from '../../src/domain/articles/editing.ts';
import { articleBody } from '../../src/domain/articles/body.ts';
import { reviewArticle, submitForReview } from '../../src/domain/articles/review.ts';
import { articleHits, checkWordings, maskArticleHit } from '../../src/domain/articles/personal-data.ts';
import { PersonalDataFound } from '../../src/domain/articles/errors.ts';
import { diffText, getArticle } from '../../src/domain/articles/queries.ts';
import { currentSlugOf, getPublishedArticle } from '../../src/domain/articles/public.ts';
import { changeSlug, newSlug, SlugTaken } from '../../src/domain/articles/slugs.ts';
import { rssFeed } from '../../src/domain/articles/feeds.ts';
import { search } from '../../src/domain/search/index.ts';
import { renderUserMarkdown } from '../../src/lib/markdown.ts';
import { EDITOR, REVIEWER1, REVIEWER2, staff } from './publishing-helpers.ts';

let db: Db & { path: string; url: string };
let editor: SessionUser;
let r1: SessionUser;
let r2: SessionUser;

type Input = ArticleContentInput & { summary: string; body: string; coverMediaId: number | null; attachments: number[] };
const html = (body: string, over: Partial<ArticleContentInput> = {}): Input =>
  ({
    title: '富文本测试文章',
    channel: 'news',
    topic: null,
    honoreeId: null,
    summary: '',
    body,
    bodyFormat: 'html',
    tags: [],
    author: '林晓雯',
    source: '县文明办',
    coverMediaId: null,
    attachments: [],
    ...over,
  }) as Input;

async function publish(id: number) {
  await submitForReview(db, editor, id);
  await reviewArticle(db, r1, id, 'approve', '同意');
  await reviewArticle(db, r2, id, 'approve', '同意');
}

beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
  editor = await staff(db, EDITOR);
  r1 = await staff(db, REVIEWER1);
  r2 = await staff(db, REVIEWER2);
});

describe('storing a rich-text body', () => {
  test('the server keeps only the allow-list, whatever the browser posted, and the reader text beside it', async () => {
    const id = await createArticle(
      db,
      editor,
      html(
        `<h1 class="x">总结</h1><p style="mso-x:1" onclick="alert(1)"><span>正文<b>加粗</b></span><o:p></o:p></p><script>alert(1)</script><img src="https://evil.example/a.png"><p><a href="javascript:alert(2)">点我</a></p>`,
      ),
    );
    const a = (await getArticle(db, id))!;
    expect(a.bodyFormat).toBe('html');
    expect(a.body).toBe('<h2>总结</h2><p>正文<strong>加粗</strong></p><p>点我</p>');
    expect(a.bodyText).toBe('总结\n正文加粗\n点我');
    expect(a.slug).toMatch(/^\d{4}-\d{2}-\d{2}-[a-z0-9]{4}$/);
  });

  test('a Markdown article (every row before the editor) renders exactly as before', async () => {
    const md = '## 活动\n\n周六**上午**，[详情](https://gov.cn)。\n\n- 一\n- 二';
    const id = await createArticle(db, editor, { ...html(md), bodyFormat: undefined });
    const a = (await getArticle(db, id))!;
    expect(a.bodyFormat).toBe('markdown');
    expect(a.body).toBe(md);
    expect(articleBody(a).html).toBe(renderUserMarkdown(md));
  });

  test('a revision of a live article carries its format through review into the article', async () => {
    const id = await createArticle(db, editor, html('<p>第一版</p>'));
    await publish(id);
    await saveArticle(db, editor, id, html('<p>第二版<em>更正</em></p><table><tr><td>表</td></tr></table>'));
    await publish(id);
    const a = (await getArticle(db, id))!;
    expect(a.body).toBe('<p>第二版<em>更正</em></p><table><tr><td>表</td></tr></table>');
    expect(a.bodyFormat).toBe('html');
    expect(a.bodyText).toBe('第二版更正\n表');
  });
});

describe('every reader of a body reads it through articleBody', () => {
  test('search finds the words a reader reads, not the markup, and shows no tags in snippets', async () => {
    const id = await createArticle(db, editor, html('<p>河道<strong>清理</strong>行动</p><table><tr><td>敬老院</td><td>助餐</td></tr></table>', { title: '搜索富文本' }));
    await publish(id);
    const found = await search(db, { q: '河道清理' });
    const slug = (await getArticle(db, id))!.slug;
    const hit = found.items.find((i) => i.url.includes(slug));
    expect(hit).toBeDefined();
    expect(JSON.stringify(hit)).not.toMatch(/<\/?(p|strong|td)>|&lt;/);
    expect(hit!.snippet.map((p) => p.text).join('')).toBe('河道清理行动 敬老院 助餐');
    expect((await search(db, { q: 'strong' })).items.find((i) => i.url.includes(slug))).toBeUndefined();
  });

  test('the RSS feed describes an item without a summary by its text, never its markup', async () => {
    const id = await createArticle(db, editor, html('<h2>小标题</h2><p>这是<strong>正文</strong>内容。</p>', { title: '没有摘要的文章' }));
    await publish(id);
    const rss = await rssFeed(db, { url: 'https://example.gov.cn', name: '善行' });
    expect(rss).toContain('<description>小标题 这是正文内容。</description>');
  });

  test('personal data split by tags is found, masked inside the HTML, and blocks submission until then', async () => {
    const content = html('<p>联系电话：138<strong>1234</strong>1234，欢迎咨询。</p>', { title: '个人信息测试' });
    const id = await createArticle(db, editor, content);
    const hits = await articleHits(db, content);
    expect(hits.map((h) => [h.field, h.kind])).toEqual([['body', 'phone']]);
    await expect(submitForReview(db, editor, id)).rejects.toBeInstanceOf(PersonalDataFound);
    const h = hits[0];
    const c = { ...content, tags: [] as string[], summary: '', author: '', source: '', body: content.body as string, bodyFormat: 'html' };
    await maskArticleHit(db, c, 'body', h.start, h.end);
    expect(c.body).not.toContain('1234</strong>1234');
    expect(articleBody(c).text).toContain('138****1234');
    expect(await articleHits(db, c)).toEqual([]);
  });

  test('word checks and the review diff read the text, not the markup', () => {
    const c = { title: 't', summary: '', body: '<p>做<strong>为</strong>志愿者</p><ul><li>一</li></ul>', bodyFormat: 'html' };
    expect(checkWordings(c, ['做为→作为', 'strong'])).toEqual([{ field: 'body', word: '做为', suggestion: '作为', count: 1 }]);
    const diff = diffText({ ...(html(c.body) as ArticleContent), tags: [] });
    expect(diff.split('\n').slice(-2)).toEqual(['做为志愿者', '一']);
  });
});

describe('readable slugs', () => {
  test('a new slug is the day, the Latin words of the title and a short id', () => {
    expect(newSlug('Qingshui River 河道清理 2026', Date.UTC(2026, 11, 3, 4))).toMatch(/^2026-12-03-qingshui-river-2026-[a-z0-9]{4}$/);
    expect(newSlug('城关镇志愿服务', Date.UTC(2026, 11, 3, 20))).toMatch(/^2026-12-04-[a-z0-9]{4}$/);
  });

  test('staff change a slug: validated, unique now and before, and the old one leads to the article', async () => {
    const a = await createArticle(db, editor, html('<p>甲</p>', { title: '网址甲' }));
    const b = await createArticle(db, editor, html('<p>乙</p>', { title: '网址乙' }));
    await publish(a);
    const oldA = (await getArticle(db, a))!.slug;
    await expect(changeSlug(db, editor, a, 'Bad Slug!')).rejects.toMatchObject({ field: 'slug', status: 'BAD_REQUEST' });
    await expect(changeSlug(db, editor, a, (await getArticle(db, b))!.slug)).rejects.toBeInstanceOf(SlugTaken);
    expect(await changeSlug(db, editor, a, 'Wangzhi-Jia')).toBe('wangzhi-jia');
    expect((await getPublishedArticle(db, 'wangzhi-jia'))?.id).toBe(a);
    expect(await currentSlugOf(db, oldA)).toBe('wangzhi-jia');
    // Another article may not take an address that still redirects.
    await expect(changeSlug(db, editor, b, oldA)).rejects.toBeInstanceOf(SlugTaken);
    // The article itself may take its old address back: it is current again, not a redirect.
    await changeSlug(db, editor, a, oldA);
    expect(await currentSlugOf(db, oldA)).toBeUndefined();
    expect(await currentSlugOf(db, 'wangzhi-jia')).toBe(oldA);
    const audit = await db.$client.execute({ sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'article.slug' AND target_id = ?", args: [String(a)] });
    expect(Number(audit.rows[0].n)).toBe(2);
  });
});
