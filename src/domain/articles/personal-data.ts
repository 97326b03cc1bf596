// Pre-submission checks (docs/decisions/050): personal data that blocks submission
// — in every field an article publishes, attachment names and the cover's caption
// included, read as a reader sees them (lib/personal-data.ts, decision 078) — and
// configurable wordings that only warn.
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { media } from '../../../db/schema/index.ts';
import { maskAt, type PersonalDataOptions, type PiiHit } from '../../lib/personal-data.ts';
import { publicTextHits, publicTextOptions } from '../public-text.ts';
import { mediaByIds } from '../media/index.ts';
import { articleBody } from './body.ts';

export { PII_LABELS, findPersonalData, luhnValid, maskAt, maskCard, type PiiHit, type PiiKind } from '../../lib/personal-data.ts';

/** The fields of an article that are published, with their names in the console. */
export const ARTICLE_FIELD_LABELS: Record<string, string> = {
  title: '标题',
  summary: '摘要',
  body: '正文',
  tags: '标签',
  author: '作者',
  source: '来源',
  cover: '封面图片说明',
  attachment: '附件名称',
};

/** The label of a field, also for per-file fields such as `attachment:12`. */
export function articleFieldLabel(field: string): string {
  return ARTICLE_FIELD_LABELS[field] ?? ARTICLE_FIELD_LABELS[field.split(':')[0]] ?? field;
}

/** What an article shows besides its text: the cover's caption and the attachments' names, by media id. */
export interface ArticleFiles {
  cover?: { id: number; alt: string };
  attachments?: { id: number; name: string }[];
}

/** Hits across every published field of an article (text fields, tags, cover caption, attachment names). */
export function checkFields(
  c: { title: string; summary: string; body: string; bodyFormat?: string; tags?: readonly string[]; author?: string; source?: string },
  opts: PersonalDataOptions = {},
  files: ArticleFiles = {},
): PiiHit[] {
  const fields: Record<string, string | readonly string[]> = { title: c.title, summary: c.summary, body: c.body, tags: c.tags ?? [], author: c.author ?? '', source: c.source ?? '' };
  if (files.cover) fields[`cover:${files.cover.id}`] = files.cover.alt;
  for (const a of files.attachments ?? []) fields[`attachment:${a.id}`] = a.name;
  // The stored source is scanned (the reader's view hides tags), so a hit's range can be masked in place.
  return publicTextHits(fields, opts, c.bodyFormat === 'html' ? [] : ['body']);
}

/** The cover caption and attachment names an article would show. */
export async function articleFiles(db: Db, c: { coverMediaId: number | null; attachments: number[] }): Promise<ArticleFiles> {
  const rows = await mediaByIds(db, [...(c.coverMediaId ? [c.coverMediaId] : []), ...c.attachments]);
  const cover = rows.find((m) => m.id === c.coverMediaId && m.kind === 'image');
  return {
    cover: cover ? { id: cover.id, alt: cover.alt } : undefined,
    attachments: rows.filter((m) => m.kind === 'attachment' && c.attachments.includes(m.id)).map((m) => ({ id: m.id, name: m.originalName ?? m.alt })),
  };
}

/** Every personal-data hit of an article's content, with the database's protected names and file names. */
export async function articleHits(db: Db, c: Parameters<typeof checkFields>[0] & { coverMediaId: number | null; attachments: number[] }): Promise<PiiHit[]> {
  return checkFields(c, await publicTextOptions(db), await articleFiles(db, c));
}

/**
 * The one-click mask: replaces the hit at [start, end) of one field by its masked form —
 * in `content` for text fields and tags, in the media row for a cover caption or an
 * attachment name. Nothing changes when no hit is there any more (the text moved).
 */
export async function maskArticleHit(
  db: Db,
  content: { title: string; summary: string; body: string; bodyFormat?: string; tags: string[]; author: string; source: string },
  field: string,
  start: number,
  end: number,
): Promise<void> {
  const opts = { ...(await publicTextOptions(db)), markdown: field === 'body' && content.bodyFormat !== 'html' };
  if (field === 'title' || field === 'summary' || field === 'body' || field === 'author' || field === 'source') {
    content[field] = maskAt(content[field], start, end, opts);
  } else if (field === 'tags') {
    // Tags are read side by side (fieldText); a masked run becomes one tag.
    content.tags = maskAt(content.tags.join(' '), start, end, opts).split(/\s+/).filter(Boolean);
  } else {
    const [kind, id] = field.split(':');
    const [m] = await db
      .select()
      .from(media)
      .where(eq(media.id, Number(id)));
    if (!m) return;
    if (kind === 'cover' && m.kind === 'image') {
      await db
        .update(media)
        .set({ alt: maskAt(m.alt, start, end, opts) })
        .where(eq(media.id, m.id));
    } else if (kind === 'attachment' && m.kind === 'attachment') {
      const name = maskAt(m.originalName ?? m.alt, start, end, opts);
      await db.update(media).set({ originalName: name, alt: name }).where(eq(media.id, m.id));
    }
  }
}

/** A wording warning: a word to avoid and, when known, the preferred form. */
export interface WordingWarning {
  field: string;
  word: string;
  suggestion?: string;
  count: number;
}

/** Parses settings.sensitiveWords entries: "做为→作为" (or "做为=>作为") or just "敏感词". */
export function parseWordings(list: string[]): { word: string; suggestion?: string }[] {
  return list
    .map((e) => {
      const [word, suggestion] = e.split(/→|=>/).map((s) => s.trim());
      return { word, suggestion: suggestion || undefined };
    })
    .filter((w) => w.word);
}

/** Occurrences of configured wordings in title, summary and body. */
export function checkWordings(fields: { title: string; summary: string; body: string; bodyFormat?: string }, list: string[]): WordingWarning[] {
  const out: WordingWarning[] = [];
  // The body as a reader reads it: a word split by markup still counts, tag names never do.
  const text = { title: fields.title, summary: fields.summary, body: articleBody(fields).text };
  for (const { word, suggestion } of parseWordings(list)) {
    for (const field of ['title', 'summary', 'body'] as const) {
      const count = text[field].split(word).length - 1;
      if (count > 0) out.push({ field, word, suggestion, count });
    }
  }
  return out;
}
