// What a reader of an article sees, built from its content: the public article page and the
// reviewer's preview and the editor's preview all render this through src/components/ArticleView.astro
// (issues 17.1 and 17.3), so what a reviewer approves is what goes online.
import type { Db } from '../../../db/client.ts';
import { attachmentFile, attachmentName, imageUrls, mediaByIds } from '../media/index.ts';
import { articleHonoree } from '../honors/public.ts';
import { coverOf } from './feeds.ts';
import type { ArticleContent } from './editing.ts';

export type ArticleView = Awaited<ReturnType<typeof articleView>>;

/** The article as the public page shows it: texts, cover with its sizes, attachments, the linked honoree. */
export async function articleView(db: Db, c: ArticleContent, publishedAt: number | null) {
  const cover = await coverOf(db, c.coverMediaId);
  const files = (await mediaByIds(db, c.attachments)).filter((m) => m.kind === 'attachment');
  return {
    title: c.title,
    channel: c.channel,
    topic: c.topic,
    summary: c.summary,
    body: c.body,
    bodyFormat: c.bodyFormat,
    tags: c.tags,
    author: c.author,
    source: c.source,
    publishedAt,
    cover: cover ? { alt: cover.alt, width: cover.width!, height: cover.height!, urls: imageUrls(cover) } : undefined,
    files: files.map((f) => ({ href: `/media/${attachmentFile(f)}`, name: attachmentName(f.originalName, attachmentFile(f).split('.').pop()!), kb: Math.ceil(f.bytes / 1024) })),
    honoree: await articleHonoree(db, c.honoreeId),
  };
}

/** Readable names of an article's cover and attachments, for the review diff. */
export async function mediaNames(db: Db, ids: number[]): Promise<Map<number, string>> {
  const rows = await mediaByIds(db, [...new Set(ids)]);
  return new Map(rows.map((m) => [m.id, m.kind === 'attachment' ? attachmentName(m.originalName, attachmentFile(m).split('.').pop()!) : `图片“${m.alt || m.originalName || m.id}”`]));
}
