// 台账: hour records as XLSX (streamed, src/lib/xlsx-stream.ts), filtered by team, date range and status — the team's (leaders) and
// the county's (staff) from this one builder. The columns are what 民政部《志愿服务记录办法》(民函〔2012〕340号)
// asks a service record to hold; dates are real date cells in Beijing time; A4 landscape with the header
// repeated (docs/decisions/088). XLSX keeps text as text, so cells carry no formula guard (CSV does, 033).
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { formatDateTime, fromShanghai } from '../../lib/time.ts';
import { DATE_FORMAT, DATE_TIME_FORMAT, type ReportColumn } from '../../lib/xlsx-report.ts';
import { beijingSerial, XlsxStreamWriter } from '../../lib/xlsx-stream.ts';
import { getSettings } from '../settings/index.ts';
import { HoursError } from './errors.ts';
import { num, str, type Row } from './sql.ts';
import { statusLabel } from './queries.ts';

export interface LedgerFilter {
  /** Restrict to these teams (leaders); undefined = all teams (staff). */
  teamIds?: number[];
  teamId?: number;
  /** YYYY-MM-DD, Shanghai, inclusive */
  from?: string;
  to?: string;
  status?: string;
}

/** Who exported and when, for the title row. */
export interface LedgerExport {
  exportedBy?: string;
  now?: number;
}

const SOURCE_LABEL: Record<string, string> = { attendance: '签到签退', leader: '队长录入', claim: '个人申报' };
const STATUS_FILTER_LABEL: Record<string, string> = { pending: '待确认', confirmed: '已确认', declined: '未通过' };
/** What a record without an event is called in the 名称 column. */
const NO_EVENT_PROJECT = '队伍日常志愿服务';

const COLUMNS: ReportColumn[] = [
  { header: '记录号', key: 'id', width: 7 },
  { header: '志愿者', key: 'name', width: 8, wrap: true },
  { header: '志愿者编号', key: 'no', width: 14 },
  { header: '队伍', key: 'team', width: 20, wrap: true },
  { header: '服务项目名称', key: 'project', width: 18, wrap: true },
  { header: '服务日期', key: 'day', width: 11, numFmt: DATE_FORMAT },
  { header: '开始', key: 'start', width: 6, numFmt: 'hh:mm' },
  { header: '结束', key: 'end', width: 6, numFmt: 'hh:mm' },
  { header: '服务时长（小时）', key: 'hours', width: 7, numFmt: '0.0#' },
  { header: '服务地点', key: 'place', width: 14, wrap: true },
  { header: '服务对象', key: 'target', width: 10, wrap: true },
  { header: '服务内容', key: 'content', width: 16, wrap: true },
  { header: '服务质量评价', key: 'quality', width: 7, wrap: true },
  { header: '负责人', key: 'leader', width: 8, wrap: true },
  { header: '记录人', key: 'recorder', width: 8, wrap: true },
  { header: '记录方式', key: 'source', width: 8 },
  { header: '状态', key: 'status', width: 7 },
  { header: '审核人', key: 'reviewer', width: 8, wrap: true },
  { header: '审核时间', key: 'reviewedAt', width: 15, numFmt: DATE_TIME_FORMAT },
  { header: '说明', key: 'reason', width: 12, wrap: true },
];

/** The ledger's title-row line: the scope, the period, the status, who exported it and when. */
async function describe(db: Db, f: LedgerFilter, e: LedgerExport): Promise<string> {
  const ids = f.teamId ? [f.teamId] : f.teamIds;
  let team = '全县各志愿服务队伍';
  if (ids?.length) {
    const rows = await db.all<Row>(sql`SELECT name FROM teams WHERE id IN ${ids} ORDER BY id`);
    team = rows.map((r) => String(r.name)).join('、') || team;
  }
  const period = f.from || f.to ? `${f.from ?? '最早'} 至 ${f.to ?? '今'}` : '全部';
  const status = f.status ? (STATUS_FILTER_LABEL[f.status] ?? '全部') : '全部';
  const by = e.exportedBy ? `；导出人：${e.exportedBy}` : '';
  return `队伍：${team}；服务期间：${period}；记录状态：${status}；导出时间：${formatDateTime(e.now ?? Date.now())}（北京时间）${by}。依据《志愿服务记录办法》（民函〔2012〕340号）。`;
}

/** How a ledger is streamed: backpressure, a record of the end, and (for tests) a smaller sheet. */
export interface LedgerStreamOptions {
  /** Resolves when the reader can take more bytes (the HTTP response drained, or the client left). */
  ready?: () => Promise<void>;
  /** Called once at the end: the rows written, and whether the file was finished (false: the reader left). */
  onEnd?: (rows: number, complete: boolean) => void;
  /** Data rows per sheet (default: what one XLSX sheet holds); later rows continue on the next sheet. */
  rowsPerSheet?: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rows read per query: one page's read and writing stay a few tens of milliseconds of one process's loop. */
const PAGE = 1000;

/** The filter as SQL conditions; refuses a leader without teams before anything is written. */
function ledgerWhere(f: LedgerFilter): SQL[] {
  const where: SQL[] = [sql`1`];
  if (f.teamIds) {
    if (!f.teamIds.length) throw new HoursError('FORBIDDEN', '您没有可导出的队伍');
    where.push(sql`h.team_id IN ${f.teamIds}`);
  }
  if (f.teamId) where.push(sql`h.team_id = ${f.teamId}`);
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (f.from && day.test(f.from)) where.push(sql`h.starts_at >= ${fromShanghai(f.from)}`);
  if (f.to && day.test(f.to)) where.push(sql`h.starts_at < ${fromShanghai(f.to) + 86400_000}`);
  if (f.status && ['pending', 'confirmed', 'declined'].includes(f.status)) where.push(sql`h.status = ${f.status}`);
  return where;
}

/**
 * Each team's first active 队长 (for records without an event's organiser), read once: per row it was a
 * correlated subquery with a sort, a third of the export's database time.
 */
async function teamLeaders(db: Db, f: LedgerFilter): Promise<Map<number, string>> {
  const ids = f.teamId ? [f.teamId] : f.teamIds;
  const rows = await db.all<Row>(sql`SELECT m.team_id, lu.real_name FROM team_members m JOIN users lu ON lu.id = m.user_id
    WHERE m.role = 'leader' AND m.status = 'active' ${ids ? sql`AND m.team_id IN ${ids}` : sql``} ORDER BY m.team_id, m.id`);
  const leaders = new Map<number, string>();
  for (const r of rows) if (!leaders.has(num(r, 'team_id'))) leaders.set(num(r, 'team_id'), String(r.real_name ?? ''));
  return leaders;
}

/**
 * The ledger as an XLSX byte stream (docs/decisions/108). The filter is checked and the title line read
 * before this returns (a refusal is an answer, not a broken download); the rows are read 1,000 at a time
 * by keyset on (starts_at, id) — never OFFSET, never all at once — each page only when the reader asked
 * for more and `ready` says the client took the last one, and written straight into the compressed
 * file. A reader that cancels (the client went away) stops the reads. No cap: past one sheet's limit
 * the rows continue on the next sheet.
 */
export async function ledgerStream(db: Db, f: LedgerFilter, e: LedgerExport = {}, o: LedgerStreamOptions = {}): Promise<ReadableStream<Uint8Array>> {
  const where = ledgerWhere(f);
  const settings = await getSettings(db);
  const description = await describe(db, f, e);
  const leaders = await teamLeaders(db, f);
  // One team's ledger names the team in its title row; the column would only repeat it on every line.
  const oneTeam = !!f.teamId || f.teamIds?.length === 1;
  const columns = oneTeam ? COLUMNS.filter((c) => c.key !== 'team') : COLUMNS;
  const keys = columns.map((c) => c.key);
  let out!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        out = controller;
      },
      // Called only when the reader wants more (high-water mark 0): a slow client is not read ahead of.
      async pull(controller) {
        try {
          // A local database answers synchronously: without a turn of the event loop per page, a fast
          // client's download would hold the process for the whole file.
          await (o.ready ? o.ready() : nextTurn());
          if (cancelled) return;
          if (await nextPage()) return;
          await writer.end();
          end(true);
          controller.close();
        } catch (err) {
          end(false);
          throw err;
        }
      },
      cancel() {
        cancelled = true;
        writer.destroy();
        end(false);
      },
    },
    { highWaterMark: 0 },
  );
  const writer = new XlsxStreamWriter({
    write: (chunk) => {
      if (!cancelled) out.enqueue(chunk);
    },
    creator: settings.siteName,
    sheetName: '志愿服务记录台账',
    title: `${settings.countyName}志愿服务记录台账`,
    description,
    columns,
    rowsPerSheet: o.rowsPerSheet,
  });
  const t = (v: unknown) => (v == null ? '' : String(v));
  const at = (v: unknown) => (v == null ? null : beijingSerial(Number(v)));
  let after: [number, number] | null = null;
  let finished = false;
  const end = (complete: boolean) => {
    if (finished) return;
    finished = true;
    o.onEnd?.(writer.rows, complete);
  };
  /**
   * Reads the next page and writes it; false when there are no more rows. CROSS JOIN keeps hour_records
   * the outer loop, read in (starts_at, id) order through whichever index the filter allows: with
   * statistics the planner otherwise started from users or teams and sorted the whole period per page.
   */
  const nextPage = async (): Promise<boolean> => {
    const page = after ? [...where, sql`(h.starts_at, h.id) > (${after[0]}, ${after[1]})`] : where;
    const batch: Row[] =
      await db.all<Row>(sql`SELECT h.id, u.real_name, u.volunteer_no, h.team_id, t.name AS team, t.leader_name, e.title AS event, h.content, h.starts_at, h.ends_at, h.minutes, h.source, h.status, h.reason,
        r.real_name AS reviewer, h.reviewed_at, c.real_name AS recorder,
        trim(coalesce(tn.name, '') || coalesce(vn.name, '') || ' ' || coalesce(e.address, '')) AS place,
        (SELECT coalesce(json_extract(so.lecture, '$.organisation'), (SELECT name FROM regions WHERE id = so.village_id) || '群众（点单 ' || so.tracking_no || '）')
          FROM service_orders so WHERE so.id = e.service_order_id) AS target,
        ec.real_name AS organiser
      FROM hour_records h CROSS JOIN users u ON u.id = h.user_id CROSS JOIN teams t ON t.id = h.team_id LEFT JOIN events e ON e.id = h.event_id
        LEFT JOIN users r ON r.id = h.reviewer_id LEFT JOIN users c ON c.id = h.created_by LEFT JOIN users ec ON ec.id = e.created_by
        LEFT JOIN regions tn ON tn.id = e.town_id LEFT JOIN regions vn ON vn.id = e.village_id
      WHERE ${sql.join(page, sql` AND `)} ORDER BY h.starts_at, h.id LIMIT ${sql.raw(String(PAGE))}`);
    for (const r of batch) {
      const status = String(r.status);
      const cells: Record<string, string | number | null> = {
        id: num(r, 'id'),
        name: t(r.real_name),
        no: t(r.volunteer_no),
        team: t(r.team),
        project: t(r.event) || NO_EVENT_PROJECT,
        // Three cells of one instant: the day, and the start and end times, each a real date value.
        day: at(r.starts_at),
        start: at(r.starts_at),
        end: at(r.ends_at),
        hours: Math.round((num(r, 'minutes') / 60) * 100) / 100,
        place: t(r.place),
        target: t(r.target),
        content: t(r.content),
        // The portal's review is pass/fail: a record the reviewer confirmed met the service requirements.
        quality: status === 'confirmed' ? '合格' : '',
        // The event's organiser, else the team's first active 队长, else the leader named on the team.
        leader: t(r.organiser) || leaders.get(num(r, 'team_id')) || t(r.leader_name),
        recorder: t(r.recorder) || (r.source === 'attendance' ? '签到记录' : ''),
        source: SOURCE_LABEL[String(r.source)] ?? t(r.source),
        status: statusLabel(status),
        reviewer: t(r.reviewer),
        reviewedAt: at(r.reviewed_at),
        reason: t(str(r, 'reason')),
      };
      writer.addRow(keys.map((k) => cells[k]));
    }
    await writer.flush();
    if (batch.length < PAGE) return false;
    const last = batch[batch.length - 1];
    after = [num(last, 'starts_at'), num(last, 'id')];
    return true;
  };
  return stream;
}

/** The whole ledger in memory with its row count: for scripts and tests (a download streams, `ledgerStream`). */
export async function exportLedger(db: Db, f: LedgerFilter, e: LedgerExport = {}, o: Omit<LedgerStreamOptions, 'onEnd'> = {}): Promise<{ buffer: Buffer; rows: number }> {
  let rows = 0;
  const stream = await ledgerStream(db, f, e, { ...o, onEnd: (n) => (rows = n) });
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { buffer: Buffer.concat(chunks), rows };
}
