import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import { openDb, type Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { createArticle, editableContent, restoreRevision, saveArticle, type ArticleContent } from '../../src/domain/articles/editing.ts';
import { ArticleError, PersonalDataFound } from '../../src/domain/articles/errors.ts';
import { unpublishArticle } from '../../src/domain/articles/publishing.ts';
import { getArticle, listRevisions, reviewHistory } from '../../src/domain/articles/queries.ts';
import { reviewArticle, submitForReview } from '../../src/domain/articles/review.ts';
import { runScheduledPublishing } from '../../src/domain/articles/scheduler.ts';
import { getPublishedArticle } from '../../src/domain/articles/public.ts';
import { setSetting } from '../../src/domain/settings/index.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';
import { EDITOR, REVIEWER1, REVIEWER2, staff } from './publishing-helpers.ts';

let db: Db & { path: string; url: string };
let editor: SessionUser;
let r1: SessionUser;
let r2: SessionUser;

const content = (over: Partial<ArticleContent> = {}): ArticleContent => ({
  title: '城关镇开展文明劝导活动',
  channel: 'news',
  topic: null,
  honoreeId: null,
  summary: '志愿者走上街头。',
  bodyFormat: 'markdown',
  body: '本周末，城关镇红马甲志愿服务队开展文明劝导。',
  tags: ['文明实践'],
  author: '林晓雯',
  source: '县文明办',
  coverMediaId: null,
  attachments: [],
  ...over,
});

beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
  editor = await staff(db, EDITOR);
  r1 = await staff(db, REVIEWER1);
  r2 = await staff(db, REVIEWER2);
});

describe('三审 review workflow', () => {
  test('draft → submitted → 初审 → 终审 → published, every step on record', async () => {
    const id = await createArticle(db, editor, content());
    await submitForReview(db, editor, id);
    expect((await getArticle(db, id))!.status).toBe('submitted');
    expect(await reviewArticle(db, r1, id, 'approve', '同意，送终审')).toEqual({ status: 'in_review', step: 1 });
    expect(await reviewArticle(db, r2, id, 'approve', '同意发布')).toEqual({ status: 'published', step: 2 });
    const a = await getArticle(db, id);
    expect(await getPublishedArticle(db, a!.slug)).toBeTruthy();
    const steps = await reviewHistory(db, id);
    expect(steps.map((s) => [s.s.decision, s.name, s.s.opinion])).toEqual([
      ['submit', '林晓雯', ''],
      ['approve', '郑国平', '同意，送终审'],
      ['approve', '邓雅琴', '同意发布'],
    ]);
  });

  test('an editor cannot publish (nor approve) an article', async () => {
    const id = await createArticle(db, editor, content({ title: '编辑想直接发布' }));
    await submitForReview(db, editor, id);
    await expect(reviewArticle(db, editor, id, 'approve', '')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await getArticle(db, id))!.status).toBe('submitted');
  });

  test('a reviewer cannot approve their own article, nor two steps of one round', async () => {
    // A reviewer who also writes (holds both roles).
    const both = { ...r1, roles: [...r1.roles, 'editor'] };
    const id = await createArticle(db, both, content({ title: '审核员自己写的稿子' }));
    await submitForReview(db, both, id);
    await expect(reviewArticle(db, both, id, 'approve', '')).rejects.toBeInstanceOf(ArticleError);
    await expect(reviewArticle(db, r1, id, 'approve', '')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await getArticle(db, id))!.status).toBe('submitted');
    // Another reviewer may approve step 1, but not step 2 as well.
    const other = await createArticle(db, editor, content({ title: '同一人不能审两级' }));
    await submitForReview(db, editor, other);
    await reviewArticle(db, r2, other, 'approve', '');
    await expect(reviewArticle(db, r2, other, 'approve', '')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await getArticle(db, other))!.status).toBe('in_review');
  });

  test('a reviewer returns with comments at the second step; the editor sees it and resubmits', async () => {
    const id = await createArticle(db, editor, content({ title: '需要修改的稿件' }));
    await submitForReview(db, editor, id);
    await reviewArticle(db, r1, id, 'approve', '');
    await expect(reviewArticle(db, r2, id, 'return', '  ')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await reviewArticle(db, r2, id, 'return', '第二段数据请核实');
    const a = await getArticle(db, id);
    expect(a!.status).toBe('returned');
    expect(a!.reviewStep).toBe(0);
    const notes = await db.$client.execute({ sql: 'SELECT title, body FROM notices WHERE user_id = ? ORDER BY id DESC LIMIT 1', args: [editor.id] });
    expect(notes.rows[0].body).toBe('第二段数据请核实');
    // A new round: the same reviewers approve again.
    await saveArticle(db, editor, id, content({ title: '需要修改的稿件（已核实）' }));
    await submitForReview(db, editor, id);
    await reviewArticle(db, r1, id, 'approve', '');
    expect((await reviewArticle(db, r2, id, 'approve', '')).status).toBe('published');
  });

  test('the number of steps comes from settings (1 and 3)', async () => {
    await setSetting(db, 'reviewSteps', 1);
    const one = await createArticle(db, editor, content({ title: '一审即发' }));
    await submitForReview(db, editor, one);
    expect((await reviewArticle(db, r1, one, 'approve', '')).status).toBe('published');
    await setSetting(db, 'reviewSteps', 3);
    const three = await createArticle(db, editor, content({ title: '三审才发' }));
    await submitForReview(db, editor, three);
    const admin = { ...(await staff(db, '13900000001')), roles: ['reviewer'] };
    expect((await reviewArticle(db, r1, three, 'approve', '')).status).toBe('in_review');
    expect((await reviewArticle(db, r2, three, 'approve', '')).status).toBe('in_review');
    expect((await reviewArticle(db, admin, three, 'approve', '')).status).toBe('published');
    await setSetting(db, 'reviewSteps', 2);
  });

  test('personal data blocks submission and lists each hit', async () => {
    const id = await createArticle(db, editor, content({ body: `联系人张先生，电话13812341234，身份证${makeIdNumber('1980-05-06', 3)}。` }));
    const err = await submitForReview(db, editor, id).catch((e) => e);
    expect(err).toBeInstanceOf(PersonalDataFound);
    expect((err as PersonalDataFound).hits.map((h) => h.kind)).toEqual(['phone', 'id']);
    expect((await getArticle(db, id))!.status).toBe('draft');
  });

  test('editing a live article makes a revision; the live text stays until it is approved; restore works', async () => {
    const id = await createArticle(db, editor, content({ title: '原标题', body: '第一行\n第二行' }));
    await submitForReview(db, editor, id);
    await reviewArticle(db, r1, id, 'approve', '');
    await reviewArticle(db, r2, id, 'approve', '');
    const slug = (await getArticle(db, id))!.slug;
    expect(await saveArticle(db, editor, id, content({ title: '新标题', body: '第一行\n第二行改了' }))).toBe('revision');
    expect((await getPublishedArticle(db, slug))!.title).toBe('原标题');
    await submitForReview(db, editor, id);
    expect((await editableContent(db, id)).target).toBe('locked');
    await reviewArticle(db, r1, id, 'approve', '');
    expect((await getPublishedArticle(db, slug))!.title).toBe('原标题');
    await reviewArticle(db, r2, id, 'approve', '');
    expect((await getPublishedArticle(db, slug))!.title).toBe('新标题');
    const revs = await listRevisions(db, id);
    expect(revs.map((r) => r.r.status)).toEqual(['live', 'superseded']);
    // Restore the old version: it becomes a draft revision that needs review again.
    await restoreRevision(db, editor, id, revs[1].r.id);
    const ed = await editableContent(db, id);
    expect(ed.target).toBe('revision');
    expect(ed.content.title).toBe('原标题');
    expect((await getPublishedArticle(db, slug))!.title).toBe('新标题');
    await unpublishArticle(db, r1, id, '内容过时');
    expect(await getPublishedArticle(db, slug)).toBeUndefined();
  });
});

describe('scheduled publishing', () => {
  async function scheduledArticle(title: string, at: number) {
    const id = await createArticle(db, editor, content({ title }), at);
    await submitForReview(db, editor, id);
    await reviewArticle(db, r1, id, 'approve', '');
    expect((await reviewArticle(db, r2, id, 'approve', '')).status).toBe('scheduled');
    return id;
  }

  test('two ticks at once publish a due article exactly once', async () => {
    const at = Date.now() + 3600_000;
    const id = await scheduledArticle('定时发布的通知', at);
    expect(await runScheduledPublishing(db, at - 1)).toEqual([]);
    const [a, b] = await Promise.all([runScheduledPublishing(db, at + 1), runScheduledPublishing(db, at + 1)]);
    expect([...a, ...b].filter((x) => x === id)).toEqual([id]);
    const audits = await db.$client.execute({ sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'article.publish_scheduled' AND target_id = ?", args: [String(id)] });
    expect(Number(audits.rows[0].n)).toBe(1);
    expect((await getArticle(db, id))!.publishedAt).toBe(at);
  });

  test('two separate connections to the same database publish it exactly once', async () => {
    const at = Date.now() + 7200_000;
    const id = await scheduledArticle('两个进程同时定时发布', at);
    const c1 = await openDb({ url: db.url });
    const c2 = await openDb({ url: db.url });
    const results = await Promise.all([runScheduledPublishing(c1, at), runScheduledPublishing(c2, at), runScheduledPublishing(c1, at), runScheduledPublishing(c2, at)]);
    c1.$client.close();
    c2.$client.close();
    expect(results.flat().filter((x) => x === id)).toEqual([id]);
    const audits = await db.$client.execute({ sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'article.publish_scheduled' AND target_id = ?", args: [String(id)] });
    expect(Number(audits.rows[0].n)).toBe(1);
  });
});
