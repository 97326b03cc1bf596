// Site search over honorees, teams, events, articles and legal lessons with a
// CJK bigram index (db/sql/search.sql, docs/decisions/061-cjk-search.md).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/write.ts';
import { lookupTable } from '../../lib/lookup.ts';

/** Document types and their Chinese names, in tab order. */
export const SEARCH_TYPES: Readonly<Record<string, string>> = lookupTable({
  honoree: '好人榜',
  team: '志愿队伍',
  event: '志愿活动',
  article: '新闻动态',
  lesson: '普法课程',
});

/** Suggested searches for the empty and no-result states. */
export const SEARCH_SUGGESTIONS = ['好人', '社区', '反诈', '民法典', '助老', '见义勇为', '普法讲座', '应急救援'];

export const MAX_QUERY_CHARS = 40;

/** Splits a query into search terms: letters and digits only, lower-cased, at most 6 terms. */
export function queryTerms(q: string): string[] {
  const chars = [...q.normalize('NFKC').toLowerCase()].slice(0, MAX_QUERY_CHARS).join('');
  return [...new Set(chars.split(/[^\p{L}\p{N}]+/u).filter(Boolean))].slice(0, 6);
}

/** The FTS5 MATCH expression for the terms: each term a phrase of its character bigrams, all terms required. */
export function ftsQuery(terms: string[]): string {
  return terms
    .map((t) => {
      const cs = [...t];
      if (cs.length === 1) return `"${cs[0]}"*`;
      const grams: string[] = [];
      for (let i = 0; i + 1 < cs.length; i++) grams.push(cs[i] + cs[i + 1]);
      return `"${grams.join(' ')}"`;
    })
    .join(' AND ');
}

export interface SnippetPart {
  text: string;
  hit: boolean;
}
export interface SearchHit {
  type: string;
  refId: number;
  url: string;
  title: SnippetPart[];
  snippet: SnippetPart[];
  sortAt: number;
}
export interface SearchResult {
  q: string;
  terms: string[];
  type: string | null;
  items: SearchHit[];
  total: number;
  byType: Record<string, number>;
  page: number;
  pages: number;
  perPage: number;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Splits text into parts, marking every case-insensitive occurrence of a term. */
export function highlight(text: string, terms: string[]): SnippetPart[] {
  if (!terms.length || !text) return text ? [{ text, hit: false }] : [];
  const re = new RegExp(
    terms
      .slice()
      .sort((a, b) => b.length - a.length)
      .map(escapeRe)
      .join('|'),
    'giu',
  );
  const parts: SnippetPart[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) parts.push({ text: text.slice(last, m.index), hit: false });
    parts.push({ text: m[0], hit: true });
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), hit: false });
  return parts;
}

/**
 * Markdown to plain text, enough for a snippet. Escaped characters stay (a masked name is
 * stored as 杨\*悦 and must read 杨*悦); unescaped markup goes.
 */
function plain(md: string): string {
  const kept: string[] = [];
  return md
    .replace(/\\([\\`*_{}[\]()#+\-.!>~|])/g, (_, c: string) => `\u0000${kept.push(c) - 1}\u0000`)
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[#>*_`~|]+/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\u0000(\d+)\u0000/g, (_, i: string) => kept[Number(i)]);
}

/** About `width` characters of text around the first hit, highlighted. */
export function makeSnippet(body: string, terms: string[], width = 90): SnippetPart[] {
  const text = plain(body);
  const lower = text.toLowerCase();
  let at = -1;
  for (const t of terms) {
    const i = lower.indexOf(t);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  const start = Math.max(0, at < 0 ? 0 : at - Math.floor(width / 3));
  let cut = text.slice(start, start + width);
  if (start > 0) cut = '…' + cut;
  if (start + width < text.length) cut += '…';
  return highlight(cut, terms);
}

/**
 * Matches ranked per query: with more, the newest RANK_WINDOW matches are ranked and the rest follow
 * newest first (issue 22, docs/decisions/105). bm25 costs a read of each match's position lists, so
 * ranking all 180,000 articles that contain 社区 took most of a second at the prefecture's size.
 */
export const RANK_WINDOW = 2000;

/**
 * Searches the public index; `type` narrows to one document type. Title hits rank first; among
 * them and among the rest, events that have already started come after everything else (a
 * resident looking for 社区 wants the coming ones), then bm25, then the newest. Past RANK_WINDOW
 * matches, only the newest RANK_WINDOW are ranked so; the older ones follow, newest first.
 */
export async function search(db: Db, opts: { q: string; type?: string | null; page?: number; perPage?: number; now?: number }): Promise<SearchResult> {
  const terms = queryTerms(opts.q ?? '');
  const type = opts.type && opts.type in SEARCH_TYPES ? opts.type : null;
  const perPage = opts.perPage ?? 10;
  const empty = { q: opts.q, terms, type, items: [], total: 0, byType: {}, page: 1, pages: 1, perPage };
  if (!terms.length) return empty;
  // The words only in title and body; the kind column narrows by type (db/sql/search.sql).
  const words = `{title body} : (${ftsQuery(terms)})`;
  const ofKind = (t: string) => `${words} AND kind : k${t}`;
  const counts = await db.all<Record<string, unknown>>(
    sql.join(
      Object.keys(SEARCH_TYPES).map((t) => sql`SELECT ${t} AS type, count(*) AS n FROM search_index WHERE search_index MATCH ${ofKind(t)}`),
      sql` UNION ALL `,
    ),
  );
  const byType: Record<string, number> = {};
  for (const r of counts) if (Number(r.n)) byType[String(r.type)] = Number(r.n);
  const total = type ? (byType[type] ?? 0) : Object.values(byType).reduce((a, b) => a + b, 0);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(Math.max(1, Math.floor(opts.page ?? 1)), pages);
  if (!total) return { ...empty, byType };
  const match = type ? ofKind(type) : words;
  const offset = (page - 1) * perPage;
  const columns = sql`d.type, d.ref_id, d.title, d.body, d.url, d.sort_at`;
  let rows: Record<string, unknown>[];
  if (offset < RANK_WINDOW) {
    const titleHit = sql.join(
      terms.map((t) => sql`instr(lower(d.title), ${t}) > 0`),
      sql` AND `,
    );
    // The FTS cursor walks newest first and stops after the window: bm25 is computed for those rows only.
    rows = await db.all<Record<string, unknown>>(sql`SELECT ${columns}, (${titleHit}) AS title_hit, w.score
      FROM (SELECT rowid AS id, bm25(search_index, 10.0, 1.0, 0.0) AS score FROM search_index WHERE search_index MATCH ${match} ORDER BY rowid DESC LIMIT ${RANK_WINDOW}) w
      JOIN search_docs d ON d.id = w.id
      ORDER BY title_hit DESC, (d.type = 'event' AND d.sort_at <= ${opts.now ?? Date.now()}), w.score, d.sort_at DESC LIMIT ${perPage} OFFSET ${offset}`);
    // A page that straddles the window's end continues with the older matches.
    if (rows.length < perPage && offset + rows.length < total) rows = [...rows, ...(await olderMatches(db, match, RANK_WINDOW, perPage - rows.length))];
  } else {
    rows = await olderMatches(db, match, offset, perPage);
  }
  const items = rows.map((r) => ({
    type: String(r.type),
    refId: Number(r.ref_id),
    url: String(r.url),
    sortAt: Number(r.sort_at),
    title: highlight(String(r.title), terms),
    snippet: makeSnippet(String(r.body), terms),
  }));
  return { q: opts.q, terms, type, items, total, byType, page, pages, perPage };
}

/** Matches past the ranked window, newest first, from the `offset`-th match on. */
async function olderMatches(db: Db, match: string, offset: number, limit: number): Promise<Record<string, unknown>[]> {
  return db.all<Record<string, unknown>>(sql`SELECT d.type, d.ref_id, d.title, d.body, d.url, d.sort_at
    FROM (SELECT rowid AS id FROM search_index WHERE search_index MATCH ${match} ORDER BY rowid DESC LIMIT ${limit} OFFSET ${offset}) w
    JOIN search_docs d ON d.id = w.id ORDER BY d.id DESC`);
}

/** Rebuilds search_docs and the FTS index from the source tables (seed, bench, after bulk loads). */
export async function rebuildSearchIndex(db: Db): Promise<void> {
  const views = ['honoree', 'team', 'event', 'article', 'lesson'].map(
    (t) => sql`INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM ${sql.raw(`search_src_${t}`)}`,
  );
  await writeBatch(db, [sql`DELETE FROM search_docs`, sql`INSERT INTO search_index (search_index) VALUES ('delete-all')`, ...views]);
}
