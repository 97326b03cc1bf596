// Shared tools for the trust tests (issue 9): database checksums, the kinds of
// user the access matrix acts as, and posting Actions over HTTP like a browser.
import { createHash } from 'node:crypto';
import { createClient, type Client, type InValue } from '@libsql/client';
import { hash } from '@node-rs/argon2';
import { sessionCookieFor } from './session.ts';
import { startServer, type RunningServer } from './server.ts';
import type { Ctx } from '../fixtures/access-matrix.ts';

/** Tables that change on reads or refusals by design (session refresh, counters of attempts, the audit trail of refusals). */
export const BOOKKEEPING_TABLES = ['sessions', 'rate_limits', 'audit_log'];

/** Read-only helper the fixtures use to find sample ids in the server's database. */
export interface Q {
  /** First column of the first row, or throws with the SQL when there is none. */
  one(sql: string, args?: InValue[]): Promise<number>;
  /** First row, or null. */
  row(sql: string, args?: InValue[]): Promise<Record<string, unknown> | null>;
  /** Whether a table exists (capabilities merge at different times). */
  has(table: string): Promise<boolean>;
  client: Client;
}

/** Opens the server's database from the test process. */
export function openQ(dbUrl: string): Q {
  const client = createClient({ url: dbUrl });
  return {
    client,
    async one(sql, args = []) {
      const rs = await client.execute({ sql, args });
      if (!rs.rows.length) throw new Error(`fixture query found nothing: ${sql}`);
      return Number(rs.rows[0][0]);
    },
    async row(sql, args = []) {
      const rs = await client.execute({ sql, args });
      return rs.rows.length ? ({ ...rs.rows[0] } as Record<string, unknown>) : null;
    },
    async has(table) {
      const rs = await client.execute({ sql: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", args: [table] });
      return rs.rows.length > 0;
    },
  };
}

/** A digest per table of every row (bookkeeping and FTS shadow tables excluded); compare two to prove nothing changed. */
export async function tableDigests(client: Client, exclude = BOOKKEEPING_TABLES): Promise<Record<string, string>> {
  const tables = await client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\' ORDER BY name");
  const names = tables.rows.map((r) => String(r.name)).filter((n) => !exclude.includes(n));
  const virtual = new Set(tables.rows.filter((r) => /CREATE VIRTUAL TABLE/i.test(String(r.sql))).map((r) => String(r.name)));
  const out: Record<string, string> = {};
  for (const name of names) {
    if ([...virtual].some((v) => name !== v && name.startsWith(v + '_'))) continue; // FTS shadow tables follow their parent
    const rs = await client.execute(`SELECT * FROM "${name}"`);
    const h = createHash('sha256');
    for (const row of rs.rows) h.update(JSON.stringify(Object.values(row), (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof ArrayBuffer ? Buffer.from(v).toString('hex') : v)) + '\n');
    out[name] = `${rs.rows.length}:${h.digest('hex').slice(0, 16)}`;
  }
  return out;
}

/** Names of the tables whose digest differs. */
export function changedTables(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
}

export type Kind = 'anonymous' | 'volunteer' | 'owner' | 'leaderA' | 'leaderB' | 'editor' | 'reviewer' | 'admin' | 'disabled';

/** Every kind of user, in the order rows are executed (refusals first, staff last). */
export const KINDS: Kind[] = ['anonymous', 'disabled', 'volunteer', 'leaderA', 'owner', 'reviewer', 'leaderB', 'editor', 'admin'];

/** What each kind is, in words (test titles). */
export const KIND_LABELS: Record<Kind, string> = {
  anonymous: '未登录访客',
  disabled: '已停用账号（曾为管理员、编辑、审核员、B 队队长）',
  volunteer: '普通志愿者（非 B 队成员）',
  owner: '记录所有者（B 队志愿者 13900000006）',
  leaderA: 'A 队队长（对 B 队操作）',
  leaderB: 'B 队队长 13900000005',
  editor: '宣传编辑',
  reviewer: '审核员',
  admin: '系统管理员',
};

export interface Actors {
  cookies: Record<Kind, string>;
  ids: Record<Exclude<Kind, 'anonymous'>, number>;
  teamA: number;
  teamB: number;
}

/**
 * Creates the users the matrix needs in the server's database — a leader of
 * another team (A), a disabled user who held every role and led team B — and
 * a real session for every kind. Team B is the demo team chengguan-red-vest.
 */
export async function setUpActors(server: RunningServer, q: Q): Promise<Actors> {
  const byPhone = (p: string) => q.one('SELECT id FROM users WHERE phone = ?', [p]);
  const teamB = await q.one("SELECT id FROM teams WHERE slug = 'chengguan-red-vest'");
  const teamA = await q.one('SELECT id FROM teams WHERE id <> ? ORDER BY id LIMIT 1', [teamB]);
  const now = Date.now();
  const pwHash = await hash('not-used-' + now, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const mk = async (phone: string, name: string) => {
    const existing = await q.row('SELECT id FROM users WHERE phone = ?', [phone]);
    if (existing) return Number(existing.id);
    const rs = await q.client.execute({
      sql: "INSERT INTO users (phone, password_hash, real_name, status, volunteer_no, created_at) VALUES (?, ?, ?, 'active', ?, ?) RETURNING id",
      args: [phone, pwHash, name, 'YXT' + phone.slice(-6), now],
    });
    return Number(rs.rows[0].id);
  };
  const leaderA = await mk('13600000101', '甲队长');
  const disabled = await mk('13600000102', '停用者');
  for (const [uid, roles] of [
    [leaderA, ['volunteer']],
    [disabled, ['volunteer', 'admin', 'editor', 'reviewer']],
  ] as const) {
    for (const role of roles) await q.client.execute({ sql: 'INSERT OR IGNORE INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?)', args: [uid, role, now] });
  }
  await q.client.execute({
    sql: "INSERT OR IGNORE INTO team_members (team_id, user_id, role, status, created_at, decided_at) VALUES (?, ?, 'leader', 'active', ?, ?)",
    args: [teamA, leaderA, now, now],
  });
  await q.client.execute({
    sql: "INSERT OR IGNORE INTO team_members (team_id, user_id, role, status, created_at, decided_at) VALUES (?, ?, 'leader', 'active', ?, ?)",
    args: [teamB, disabled, now, now],
  });
  const bMembers = await q.client.execute({ sql: 'SELECT user_id FROM team_members WHERE team_id = ?', args: [teamB] });
  const inB = new Set(bMembers.rows.map((r) => Number(r.user_id)));
  const outsider = await q.one(`SELECT id FROM users WHERE phone LIKE '137%' AND id NOT IN (${[...inB].join(',') || 0}) ORDER BY id LIMIT 1`);
  const ids = {
    volunteer: outsider,
    owner: await byPhone('13900000006'),
    leaderA,
    leaderB: await byPhone('13900000005'),
    editor: await byPhone('13900000002'),
    reviewer: await byPhone('13900000003'),
    admin: await byPhone('13900000001'),
    disabled,
  };
  const cookies = { anonymous: '' } as Record<Kind, string>;
  for (const [kind, id] of Object.entries(ids)) cookies[kind as Kind] = (await sessionCookieFor(server.dbUrl, id)).cookie;
  // Disabled after the session exists: the session row stays, the portal must refuse it.
  await q.client.execute({ sql: "UPDATE users SET status = 'disabled' WHERE id = ?", args: [disabled] });
  return { cookies, ids, teamA, teamB };
}

export type Fields = Record<string, string | number | boolean | string[] | Blob | undefined | null>;

/** Encodes fields the way an HTML form would (booleans as checkbox "on", arrays as repeated names). */
export function toFormData(fields: Fields): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null || v === false) continue;
    if (v === true) fd.append(k, 'on');
    else if (Array.isArray(v)) for (const x of v) fd.append(k, x);
    else if (v instanceof Blob) fd.append(k, v, 'upload.bin');
    else fd.append(k, String(v));
  }
  return fd;
}

export interface Answer {
  status: number;
  location: string | null;
  body: string;
  json: Record<string, unknown> | null;
}

/** Posts an Action as the portal's JavaScript-free forms do (RPC endpoint, same-origin). */
export async function postAction(server: RunningServer, name: string, body: FormData | string, opts: { cookie?: string; contentType?: string; page?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { origin: server.url };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.contentType) headers['content-type'] = opts.contentType;
  const url = opts.page ? `${server.url}${opts.page}${opts.page.includes('?') ? '&' : '?'}_action=${encodeURIComponent(name)}` : `${server.url}/_actions/${name}`;
  const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* HTML page */
  }
  return { status: res.status, location: res.headers.get('location'), body: text, json };
}

/** Fetches a page as a user without following redirects. */
export async function getPage(server: RunningServer, path: string, cookie = ''): Promise<Answer> {
  const res = await fetch(server.url + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text(), json: null };
}

/** Whether a string holds Chinese characters. */
export const hasChinese = (s: string) => /\p{Script=Han}/u.test(s);

/** A started portal with its trust actors and the fixtures' context (which can post Actions as any kind of user). */
export async function startTrustPortal(): Promise<{ server: RunningServer; q: Q; actors: Actors; ctx: Ctx }> {
  const server = await startServer();
  const q = openQ(server.dbUrl);
  const actors = await setUpActors(server, q);
  let n = 0;
  const ctx: Ctx = {
    q,
    actors,
    accounts: server.accounts,
    seq: () => ++n,
    post: async (action, fields, as) => (await postAction(server, action, toFormData(fields), { cookie: actors.cookies[as] })).status,
  };
  return { server, q, actors, ctx };
}
