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
  /** Matches of the selection (one type or all) when `exact`; otherwise there are more than `total`. */
  total: number;
  /** False when a type has more than COUNT_CAP matches: its count and `total` then mean "more than". */
  exact: boolean;
  /** Matches per type, each counted up to COUNT_CAP + 1 (a count above COUNT_CAP means "more than COUNT_CAP"). */
  byType: Record<string, number>;
  page: number;
  /** Pages known to exist: the last page when `exact`, otherwise at least the next one when there is one. */
  pages: number;
  perPage: number;
  /** The cursor 下一页 carries when the next page lies among the older matches (`after` of search()). */
  nextAfter: number | null;
  /** The page number asked for was past DEEPEST_OFFSET and `page` is the deepest one walked to instead. */
  clamped: boolean;
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
 * Matches counted one by one per type (issue 22, docs/decisions/107). FTS5 keeps no document
 * frequencies, so a count walks every match: the 176,000 articles that contain 社区 at the
 * prefecture's size cost tens of milliseconds per type. Past the cap a count reads "1000+" and the
 * list pages on for as long as matches go.
 */
export const COUNT_CAP = 1000;

/**
 * With more than COUNT_CAP matches, the newest RANK_WINDOW are ordered title hits first and the rest
 * follow newest first (docs/decisions/105, 107). bm25 is used only up to COUNT_CAP matches per
 * phrase: its IDF walks every match of each phrase once per query.
 */
export const RANK_WINDOW = 2000;

/**
 * The deepest match a page number is walked to (page 1,001 at 10 a page). Past it, 下一页 carries the
 * last match's rowid (`after`), so a page costs the same however deep it is (docs/decisions/107).
 */
export const DEEPEST_OFFSET = 10_000;

/** Formats a count for people: exact up to COUNT_CAP, "1000+" beyond it. */
export function countLabel(n: number): string {
  return n > COUNT_CAP ? `${COUNT_CAP}+` : String(n);
}

type Row = Record<string, unknown>;

/**
 * Searches the public index; `type` narrows to one document type. Title hits rank first; among
 * them and among the rest, events that have already started come after everything else (a
 * resident looking for 社区 wants the coming ones), then bm25 (only while every phrase has at most
 * COUNT_CAP matches), then the newest. Past RANK_WINDOW matches, only the newest RANK_WINDOW are
 * ranked so; the older ones follow, newest first. Every statement reads at most COUNT_CAP +
 * RANK_WINDOW matches for the first pages and the page's offset beyond that, whatever the size of
 * the index, and only the shown rows' text.
 */
export async function search(db: Db, opts: { q: string; type?: string | null; page?: number; perPage?: number; now?: number; after?: number | null }): Promise<SearchResult> {
  const terms = queryTerms(opts.q ?? '');
  const type = opts.type && opts.type in SEARCH_TYPES ? opts.type : null;
  const perPage = opts.perPage ?? 10;
  const empty = { q: opts.q, terms, type, items: [], total: 0, exact: true, byType: {}, page: 1, pages: 1, perPage, nextAfter: null, clamped: false };
  if (!terms.length) return empty;
  // The words only in title and body; the kind column narrows by type (db/sql/search.sql).
  const words = `{title body} : (${ftsQuery(terms)})`;
  const ofKind = (t: string) => `${words} AND kind : k${t}`;
  const capped = (m: string) => sql`SELECT count(*) FROM (SELECT 1 FROM search_index WHERE search_index MATCH ${m} LIMIT ${COUNT_CAP + 1})`;
  // Per type, then (with several terms) per term: bm25's IDF walks each phrase's every match.
  const countRows = await db.all<Row>(
    sql.join(
      [
        ...Object.keys(SEARCH_TYPES).map((t) => sql`SELECT ${t} AS k, (${capped(ofKind(t))}) AS n`),
        ...(terms.length > 1 ? terms.map((t, i) => sql`SELECT ${`term${i}`} AS k, (${capped(`{title body} : (${ftsQuery([t])})`)}) AS n`) : []),
      ],
      sql` UNION ALL `,
    ),
  );
  const byType: Record<string, number> = {};
  let widest = 0;
  for (const r of countRows) {
    const n = Number(r.n);
    if (String(r.k) in SEARCH_TYPES) {
      if (n) byType[String(r.k)] = n;
    } else widest = Math.max(widest, n);
  }
  const counts = type ? [byType[type] ?? 0] : Object.values(byType);
  const exact = counts.every((n) => n <= COUNT_CAP);
  // Past the cap, `total` is what was counted and there are more: "超过 total 条" holds.
  const total = counts.reduce((a, b) => a + Math.min(b, COUNT_CAP), 0);
  if (!total) return { ...empty, byType };
  const allTotal = Object.values(byType).reduce((a, b) => a + b, 0);
  const known = Math.max(1, Math.ceil(total / perPage));
  const wanted = Math.max(1, Math.floor(Number(opts.page) || 1));
  let page = exact ? Math.min(wanted, known) : wanted;
  // Few matches of every phrase: bm25 over them all, as before issue 22 (the window holds every match).
  const ranked = allTotal <= COUNT_CAP && widest <= COUNT_CAP;
  const match = type && !ranked ? ofKind(type) : words;
  // A cursor counts only among the older matches, which follow in rowid order. It is bound through
  // CAST: FTS5 seeks to a rowid bound only when it is an INTEGER, and a JavaScript number binds as REAL.
  const after = !exact && Number.isSafeInteger(opts.after) && opts.after! > 0 && (page - 1) * perPage >= RANK_WINDOW ? opts.after! : null;
  const clamped = after === null && (page - 1) * perPage > DEEPEST_OFFSET;
  if (clamped) page = Math.floor(DEEPEST_OFFSET / perPage) + 1;
  const offset = (page - 1) * perPage;
  let ids: number[];
  // Whether the page's last rows are older matches (rowid order), so the next page can start after the last.
  let tailOlder = true;
  if (after !== null) {
    ids = (await db.all<Row>(sql`SELECT rowid AS id FROM search_index WHERE search_index MATCH ${match} AND rowid < CAST(${after} AS INTEGER) ORDER BY rowid DESC LIMIT ${perPage}`)).map((r) =>
      Number(r.id),
    );
  } else if (offset < RANK_WINDOW) {
    const titleHit = sql.join(
      terms.map((t) => sql`instr(lower(d.title), ${t}) > 0`),
      sql` AND `,
    );
    // The FTS cursor walks newest first and stops after the window; the ordering reads a covering
    // index (no document text), and only the page's rows are read in full below.
    const window = ranked
      ? sql`SELECT rowid AS id, bm25(search_index, 10.0, 1.0, 0.0) AS score FROM search_index WHERE search_index MATCH ${match} LIMIT ${RANK_WINDOW}`
      : sql`SELECT rowid AS id, 0 AS score FROM search_index WHERE search_index MATCH ${match} ORDER BY rowid DESC LIMIT ${RANK_WINDOW}`;
    const rows = await db.all<Row>(sql`SELECT w.id FROM (${window}) w
      JOIN search_docs d INDEXED BY search_docs_rank ON d.id = w.id ${type && ranked ? sql`AND d.type = ${type}` : sql``}
      ORDER BY (${titleHit}) DESC, (d.type = 'event' AND d.sort_at <= ${opts.now ?? Date.now()}), w.score, d.sort_at DESC, d.id DESC LIMIT ${perPage} OFFSET ${offset}`);
    ids = rows.map((r) => Number(r.id));
    tailOlder = false;
    // A page that straddles the window's end continues with the older matches.
    if (!ranked && ids.length < perPage && offset + ids.length >= RANK_WINDOW) {
      const older = await olderMatches(db, match, RANK_WINDOW, perPage - ids.length);
      ids = [...ids, ...older];
      tailOlder = older.length > 0;
    }
  } else {
    ids = await olderMatches(db, match, offset, perPage);
  }
  // Whether a next page exists when the count stopped at the cap: one more match past this page.
  let pages = known;
  const last = ids.at(-1);
  const nextAfter = !exact && tailOlder && ids.length === perPage && last !== undefined ? last : null;
  if (!exact) {
    const past = offset + perPage;
    const probe =
      nextAfter !== null
        ? sql`SELECT rowid FROM search_index WHERE search_index MATCH ${match} AND rowid < CAST(${nextAfter} AS INTEGER) ORDER BY rowid DESC LIMIT 1`
        : sql`SELECT rowid FROM search_index WHERE search_index MATCH ${match} ORDER BY rowid DESC LIMIT 1 OFFSET ${past}`;
    const more = (after === null && past < total) || (ids.length === perPage && (await db.all<Row>(probe)).length > 0);
    pages = Math.max(after === null ? known : 1, more ? page + 1 : page);
  }
  const docs = ids.length
    ? await db.all<Row>(
        sql`SELECT id, type, ref_id, title, body, url, sort_at FROM search_docs WHERE id IN (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})`,
      )
    : [];
  const byId = new Map(docs.map((r) => [Number(r.id), r]));
  const items = ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [
      {
        type: String(r.type),
        refId: Number(r.ref_id),
        url: String(r.url),
        sortAt: Number(r.sort_at),
        title: highlight(String(r.title), terms),
        snippet: makeSnippet(String(r.body), terms),
      },
    ];
  });
  return { q: opts.q, terms, type, items, total, exact, byType, page, pages, perPage, nextAfter: pages > page ? nextAfter : null, clamped };
}

/** Ids of the matches past the ranked window, newest first, from the `offset`-th match on. */
async function olderMatches(db: Db, match: string, offset: number, limit: number): Promise<number[]> {
  const rows = await db.all<Row>(sql`SELECT rowid AS id FROM search_index WHERE search_index MATCH ${match} ORDER BY rowid DESC LIMIT ${limit} OFFSET ${offset}`);
  return rows.map((r) => Number(r.id));
}

/** Rebuilds search_docs and the FTS index from the source tables (seed, bench, after bulk loads). */
export async function rebuildSearchIndex(db: Db): Promise<void> {
  const views = ['honoree', 'team', 'event', 'article', 'lesson'].map(
    (t) => sql`INSERT INTO search_docs (type, ref_id, title, body, url, sort_at) SELECT type, ref_id, title, substr(body, 1, 4000), url, coalesce(sort_at, 0) FROM ${sql.raw(`search_src_${t}`)}`,
  );
  await writeBatch(db, [sql`DELETE FROM search_docs`, sql`INSERT INTO search_index (search_index) VALUES ('delete-all')`, ...views]);
}
