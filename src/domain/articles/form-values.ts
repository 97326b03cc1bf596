// What the article form shows: the saved content, or what the user just posted.
import type { Db } from '../../../db/client.ts';
import { parseTags, type ArticleContent } from './editing.ts';
import { articleHits, checkWordings } from './personal-data.ts';
import { getSetting } from '../settings/index.ts';
import { listImages, mediaByIds, imageUrls, attachmentFile } from '../media/index.ts';
import { honorees } from '../../../db/schema/index.ts';
import { desc, eq } from 'drizzle-orm';
import { toDateTimeLocal } from '../../lib/time.ts';
import { articleBody } from './body.ts';
import { articleView } from './view.ts';
import { coverOf } from './feeds.ts';

export interface FormValues {
  content: ArticleContent;
  publishAt: string;
}

/** Form values from a posted form (after preview or a rejected save), else from the saved content. */
export function formValues(fd: FormData | null, saved: ArticleContent, savedPublishAt: number | null): FormValues {
  if (!fd || !fd.has('title')) return { content: saved, publishAt: savedPublishAt ? toDateTimeLocal(savedPublishAt) : '' };
  const s = (k: string) => {
    const v = fd.get(k);
    return typeof v === 'string' ? v : '';
  };
  const n = (k: string) => (Number(s(k)) > 0 ? Number(s(k)) : null);
  const removed = fd.getAll('removeAttachment').map(Number);
  return {
    content: {
      title: s('title'),
      channel: s('channel') || 'news',
      topic: s('topic') || null,
      honoreeId: n('honoreeId'),
      summary: s('summary'),
      body: s('body').replace(/\r\n/g, '\n'),
      bodyFormat: s('bodyFormat') === 'html' ? 'html' : 'markdown',
      tags: parseTags(s('tags')),
      author: s('author'),
      source: s('source'),
      coverMediaId: n('coverMediaId'),
      // Saved ids too: a save that stored new uploads and then refused submission must not lose them.
      attachments: [...new Set([...fd.getAll('attachmentIds').map(Number), ...saved.attachments])].filter((x) => x > 0 && !removed.includes(x)),
    },
    publishAt: s('publishAt'),
  };
}

/** Everything the form needs besides the values: choices, checks, attachment names. */
export async function formContext(db: Db, v: FormValues) {
  const topics = await getSetting(db, 'legalTopics');
  const words = await getSetting(db, 'sensitiveWords');
  const honoreeRows = await db.select({ id: honorees.id, name: honorees.name }).from(honorees).where(eq(honorees.status, 'published')).orderBy(desc(honorees.id)).limit(300);
  const images = (await listImages(db, 60)).map((m) => ({ id: m.id, alt: m.alt, thumb: `/media/${m.fileKey}-${JSON.parse(m.variants)[0]}.webp`, markdown: `![${m.alt}](${imageUrls(m).src})` }));
  const attachments = (await mediaByIds(db, v.content.attachments)).map((m) => ({ id: m.id, name: m.originalName ?? m.alt, href: `/media/${attachmentFile(m)}` }));
  // The editor starts from the body as a reader would see it (a Markdown body becomes HTML on its first rich-text save).
  const bodyHtml = articleBody(v.content).html;
  // The preview renders through the public article component; the cover chooser needs the cover's library row.
  const view = await articleView(db, v.content, null);
  const cover = await coverOf(db, v.content.coverMediaId);
  return { topics, honorees: honoreeRows, images, attachments, bodyHtml, view, cover, hits: await articleHits(db, v.content), warnings: checkWordings(v.content, words) };
}
