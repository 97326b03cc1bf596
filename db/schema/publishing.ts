// Articles with 三审 review, legal lessons and media (lecture orders are service orders since 0023, docs/decisions/101).
import { sqliteTable, integer, text, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { createdAt } from './common.ts';

export const articles = sqliteTable(
  'articles',
  {
    id: integer('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    /** news | typical | legal | notice */
    channel: text('channel').notNull(),
    topic: text('topic'),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    coverMediaId: integer('cover_media_id'),
    /** Markdown (bodyFormat 'markdown', rows before issue 17) or allow-listed HTML ('html'); read through articleBody (domain/articles/body.ts). */
    body: text('body').notNull().default(''),
    /** markdown | html */
    bodyFormat: text('body_format').notNull().default('markdown'),
    /** What a reader reads of the body (articleBody().text), written on every save; search indexes it for HTML bodies. */
    bodyText: text('body_text').notNull().default(''),
    /** JSON array. */
    tags: text('tags').notNull().default('[]'),
    author: text('author').notNull().default(''),
    source: text('source').notNull().default(''),
    honoreeId: integer('honoree_id'),
    /** JSON array of media ids (kind attachment: PDF, DOCX, XLSX). */
    attachments: text('attachments').notNull().default('[]'),
    /** draft | returned | submitted | in_review | scheduled | published | unpublished | archived */
    status: text('status').notNull().default('draft'),
    /** Review steps passed so far (0..settings.reviewSteps). */
    reviewStep: integer('review_step').notNull().default(0),
    publishAt: integer('publish_at'),
    publishedAt: integer('published_at'),
    /** Start of the current review round (a reviewer approves at most one step per round). */
    submittedAt: integer('submitted_at'),
    createdBy: integer('created_by'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at'),
  },
  (t) => [
    index('articles_status_pub').on(t.status, t.publishedAt),
    index('articles_channel_pub').on(t.channel, t.status, t.publishedAt),
    index('articles_honoree').on(t.honoreeId, t.status, t.publishedAt),
  ],
);

/** Addresses an article had before its slug was edited: /articles/<old> answers 301 to the current one. */
export const articleSlugs = sqliteTable(
  'article_slugs',
  {
    slug: text('slug').primaryKey(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id),
    createdAt: createdAt(),
  },
  (t) => [index('article_slugs_article').on(t.articleId)],
);

export const articleRevisions = sqliteTable(
  'article_revisions',
  {
    id: integer('id').primaryKey(),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id),
    /** JSON of title, summary, body, tags, channel, topic, cover. */
    content: text('content').notNull(),
    /** draft | returned | submitted | in_review | live | superseded | discarded */
    status: text('status').notNull().default('draft'),
    reviewStep: integer('review_step').notNull().default(0),
    submittedAt: integer('submitted_at'),
    createdBy: integer('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('revisions_article').on(t.articleId, t.id),
    // At most one revision in progress per article.
    uniqueIndex('revisions_one_open')
      .on(t.articleId)
      .where(sql`status IN ('draft','returned','submitted','in_review')`),
  ],
);

/** Every review decision: who, when, opinion (谁审核谁负责). */
export const reviewSteps = sqliteTable(
  'review_steps',
  {
    id: integer('id').primaryKey(),
    /** article | revision | batch */
    subjectType: text('subject_type').notNull(),
    subjectId: integer('subject_id').notNull(),
    step: integer('step').notNull(),
    /** submit | approve | return | publish | unpublish */
    decision: text('decision').notNull(),
    opinion: text('opinion').notNull().default(''),
    /** 保密审查意见 the reviewer gave with an approval (printed on the 《信息发布审核表》). */
    secrecyOpinion: text('secrecy_opinion').notNull().default(''),
    reviewerId: integer('reviewer_id').notNull(),
    at: integer('at').notNull(),
    /** On submit rows: what was sent to review in this round (JSON), so a reviewer sees what changed since the round they last acted on (docs/decisions/086). */
    snapshot: text('snapshot'),
  },
  (t) => [index('review_subject').on(t.subjectType, t.subjectId, t.at)],
);

export const legalLessons = sqliteTable('legal_lessons', {
  id: integer('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  topic: text('topic').notNull(),
  lawRef: text('law_ref').notNull().default(''),
  summary: text('summary').notNull().default(''),
  body: text('body').notNull().default(''),
  sort: integer('sort').notNull().default(0),
  createdAt: createdAt(),
});

export const media = sqliteTable('media', {
  id: integer('id').primaryKey(),
  /** Generated base name under UPLOADS_DIR. */
  fileKey: text('file_key').notNull().unique(),
  /** image | attachment */
  kind: text('kind').notNull(),
  mime: text('mime').notNull(),
  width: integer('width'),
  height: integer('height'),
  bytes: integer('bytes').notNull(),
  /** JSON array of generated widths. */
  variants: text('variants').notNull().default('[]'),
  alt: text('alt').notNull().default(''),
  originalName: text('original_name'),
  uploadedBy: integer('uploaded_by'),
  createdAt: createdAt(),
});
