// Actions for articles (editing, 三审 review, unpublish/archive, restore) and the media library.
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionAbility, formAction } from '../lib/action-guards.ts';
import { config } from '../lib/config.ts';
import { parseDateTimeLocal } from '../lib/time.ts';
import { isPlainLine, plainLineError } from '../lib/plain-text.ts';
import { ArticleContentSchema, createArticle, parseTags, restoreRevision, saveArticle, type ArticleContent } from '../domain/articles/editing.ts';
import { PersonalDataFound } from '../domain/articles/errors.ts';
import { archiveArticle, unpublishArticle } from '../domain/articles/publishing.ts';
import { reviewArticle, submitForReview } from '../domain/articles/review.ts';
import { articleHits, maskArticleHit } from '../domain/articles/personal-data.ts';
import { MediaError, imageUrls, uploadAttachment, uploadImage } from '../domain/media/index.ts';
import { changeSlug } from '../domain/articles/slugs.ts';

/** A text field: Astro turns an empty form value into null, which we read as ''. */
const text = (max: number, msg = `不能超过 ${max} 个字`) => z.preprocess((v) => v ?? '', z.string().max(max, msg));
const optionalId = z.preprocess((v) => (v === '' || v == null ? null : v), z.coerce.number().int().positive().nullable());

const ArticleFormSchema = z
  .object({
    id: optionalId,
    intent: text(200).default('save'),
    title: text(200).default(''),
    channel: text(20).default('news'),
    topic: text(20).default(''),
    honoreeId: optionalId,
    summary: text(2000).default(''),
    body: text(100_000, '正文过长（不超过 10 万字）').default(''),
    // The editor posts 'html'; without JavaScript the textarea keeps the format the article had.
    bodyFormat: z.preprocess((v) => (v === 'html' ? 'html' : 'markdown'), z.enum(['markdown', 'html'])),
    slug: text(200).default(''),
    coverUpload: z.instanceof(File).optional(),
    coverAlt: text(200).default(''),
    tags: text(300).default(''),
    author: text(200).default(''),
    source: text(200).default(''),
    coverMediaId: optionalId,
    publishAt: text(40).default(''),
    attachmentIds: z.array(z.coerce.number().int().positive()).default([]),
    removeAttachment: z.array(z.coerce.number().int().positive()).default([]),
    newAttachments: z.array(z.instanceof(File)).default([]),
  })
  .superRefine((v, ctx) => {
    if (v.intent === 'preview') return;
    const c = ArticleContentSchema.safeParse(toContent(v));
    if (!c.success) for (const issue of c.error.issues) ctx.addIssue({ code: 'custom', path: [String(issue.path[0] ?? 'title')], message: issue.message });
    if (v.publishAt && Number.isNaN(parseDateTimeLocal(v.publishAt))) ctx.addIssue({ code: 'custom', path: ['publishAt'], message: '请选择有效的发布时间' });
  });

type ArticleForm = z.infer<typeof ArticleFormSchema>;

function toContent(v: Omit<ArticleForm, 'newAttachments' | 'coverUpload'>): ArticleContent {
  return {
    title: v.title.trim(),
    channel: v.channel,
    topic: v.topic || null,
    honoreeId: v.honoreeId,
    summary: v.summary.trim(),
    body: v.body.replace(/\r\n/g, '\n'),
    bodyFormat: v.bodyFormat,
    tags: parseTags(v.tags),
    author: v.author.trim(),
    source: v.source.trim(),
    coverMediaId: v.coverMediaId,
    attachments: v.attachmentIds.filter((id) => !v.removeAttachment.includes(id)),
  };
}

/** An image for the media library, as both upload forms post it (the editor's inline image and the library page). */
const ImageUploadSchema = z.object({
  file: z.instanceof(File, { message: '请选择要上传的图片' }).refine((f) => f.size > 0, '请选择要上传的图片'),
  alt: z.preprocess((v) => v ?? '', z.string().trim().refine(isPlainLine, plainLineError('图片说明')).min(2, '请填写图片说明（替代文字），至少 2 个字').max(120, '图片说明不超过 120 字')),
});

/** The library's one upload path (verified, re-encoded, EXIF gone) for a signed-in uploader. */
async function uploadFromForm(ctx: Parameters<typeof actionAbility>[0], { file, alt }: z.infer<typeof ImageUploadSchema>) {
  const user = actionAbility(ctx, 'media.upload');
  return uploadImage(await appDb(), config().uploadsDir, { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name, alt, userId: user.id });
}

export const articles = {
  /** The edit form: save, preview, mask one personal-data hit, or save and submit for review. */
  save: formAction({
    input: ArticleFormSchema,
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'articles.write');
      if (input.intent === 'preview') return { preview: true };
      const db = await appDb();
      const content = toContent(input);
      // A cover uploaded right on the edit page goes through the library's one upload path (re-encoded, EXIF gone).
      if (input.coverUpload && input.coverUpload.size > 0) {
        if (!input.coverAlt.trim()) throw new MediaError('请填写封面图片说明（替代文字），至少 2 个字', 'coverAlt');
        const m = await uploadImage(db, config().uploadsDir, {
          bytes: new Uint8Array(await input.coverUpload.arrayBuffer()),
          name: input.coverUpload.name,
          alt: input.coverAlt,
          userId: user.id,
          field: 'coverUpload',
        });
        content.coverMediaId = m.id;
      }
      for (const f of input.newAttachments) {
        if (!f.size && !f.name) continue;
        const m = await uploadAttachment(db, config().uploadsDir, { bytes: new Uint8Array(await f.arrayBuffer()), name: f.name, userId: user.id });
        content.attachments.push(m.id);
      }
      const mask = /^mask:([a-z]+(?::\d+)?):(\d+):(\d+)$/.exec(input.intent);
      if (mask) await maskArticleHit(db, content, mask[1], Number(mask[2]), Number(mask[3]));
      const publishAt = input.publishAt ? parseDateTimeLocal(input.publishAt) : null;
      let id = input.id;
      if (id) {
        if (input.slug.trim()) await changeSlug(db, user, id, input.slug);
        await saveArticle(db, user, id, content, publishAt);
      } else id = await createArticle(db, user, content, publishAt);
      if (input.intent === 'submit') {
        if (!input.id && (await articleHits(db, content)).length) return { redirect: `/console/articles/${id}/edit?blocked=1` };
        await submitForReview(db, user, id);
        return { redirect: `/console/articles/${id}?done=submitted` };
      }
      return { redirect: `/console/articles/${id}/edit?saved=${mask ? 'masked' : '1'}` };
    },
  }),

  /** Submit from the detail page. */
  submit: formAction({
    input: z.object({ id: z.coerce.number().int().positive() }),
    handler: async ({ id }, ctx) => {
      const user = actionAbility(ctx, 'articles.write');
      try {
        await submitForReview(await appDb(), user, id);
      } catch (e) {
        if (e instanceof PersonalDataFound) return { redirect: `/console/articles/${id}/edit?blocked=1` };
        throw e;
      }
      return { redirect: `/console/articles/${id}?done=submitted` };
    },
  }),

  /** A reviewer approves the current step or returns with comments. */
  review: formAction({
    input: z
      .object({
        id: z.coerce.number().int().positive(),
        decision: z.enum(['approve', 'return'], { error: '请选择审核结论' }),
        opinion: text(500, '审核意见不超过 500 字').default(''),
        secrecyOpinion: text(200, '保密审查意见不超过 200 字').default(''),
      })
      .superRefine((v, ctx) => {
        if (v.decision === 'return' && !v.opinion.trim()) ctx.addIssue({ code: 'custom', path: ['opinion'], message: '退回时请填写修改意见' });
      }),
    handler: async ({ id, decision, opinion, secrecyOpinion }, ctx) => {
      const user = actionAbility(ctx, 'articles.review');
      const r = await reviewArticle(await appDb(), user, id, decision, opinion, Date.now(), { secrecyOpinion });
      return { redirect: `/console/articles/${id}?done=${decision === 'return' ? 'returned' : r.status}` };
    },
  }),

  unpublish: formAction({
    input: z.object({ id: z.coerce.number().int().positive(), reason: z.preprocess((v) => v ?? '', z.string().trim().min(2, '请填写撤下原因').max(200)) }),
    handler: async ({ id, reason }, ctx) => {
      const user = actionAbility(ctx, 'articles.write', 'articles.review');
      await unpublishArticle(await appDb(), user, id, reason);
      return { redirect: `/console/articles/${id}?done=unpublished` };
    },
  }),

  archive: formAction({
    input: z.object({ id: z.coerce.number().int().positive() }),
    handler: async ({ id }, ctx) => {
      const user = actionAbility(ctx, 'articles.write', 'articles.review');
      await archiveArticle(await appDb(), user, id);
      return { redirect: `/console/articles/${id}?done=archived` };
    },
  }),

  restore: formAction({
    input: z.object({ id: z.coerce.number().int().positive(), revisionId: z.coerce.number().int().positive() }),
    handler: async ({ id, revisionId }, ctx) => {
      const user = actionAbility(ctx, 'articles.write');
      await restoreRevision(await appDb(), user, id, revisionId);
      return { redirect: `/console/articles/${id}/edit?saved=restored` };
    },
  }),

  /**
   * An image inserted in the editor's body (called by its script): the library's one upload path
   * (verified, re-encoded, EXIF gone), answering the URL the allow-list accepts.
   */
  inlineImage: formAction({
    input: ImageUploadSchema,
    handler: async (input, ctx) => {
      const m = await uploadFromForm(ctx, input);
      const urls = imageUrls(m);
      return { id: m.id, src: urls.src, thumb: urls.thumb, alt: m.alt, width: m.width, height: m.height };
    },
  }),

  /** Media library upload: JPEG/PNG/WebP verified by content, alt text required. */
  uploadImage: formAction({
    input: ImageUploadSchema,
    handler: async (input, ctx) => {
      const m = await uploadFromForm(ctx, input);
      return { redirect: `/console/media?uploaded=${m.id}` };
    },
  }),
};
