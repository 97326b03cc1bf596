// 台账: hour records as XLSX (exceljs), filtered by team, date range and status — the team's (leaders) and
// the county's (staff) from this one builder. The columns are what 民政部《志愿服务记录办法》(民函〔2012〕340号)
// asks a service record to hold; dates are real date cells in Beijing time; A4 landscape with the header
// repeated (docs/decisions/088). XLSX keeps text as text, so cells carry no formula guard (CSV does, 033).
import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { formatDateTime, fromShanghai } from '../../lib/time.ts';
import { beijingCellDate, DATE_FORMAT, DATE_TIME_FORMAT, fitRowHeight, HEADER_ROW, reportSheetOptions, setReportFilter, writeReportHead, type ReportColumn } from '../../lib/xlsx-report.ts';
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
export const LEDGER_MAX_ROWS = 50_000;
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

/** Builds the ledger workbook; returns the XLSX bytes and the row count. */
export async function exportLedger(db: Db, f: LedgerFilter, e: LedgerExport = {}): Promise<{ buffer: Buffer; rows: number }> {
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
  // Streamed: rows are read 2,000 at a time (keyset on starts_at, id) and written as they come, so a
  // 50,000-row ledger needs a few MB instead of ~500 MB of heap (measured with the in-memory workbook).
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  const settings = await getSettings(db);
  const description = await describe(db, f, e);
  // One team's ledger names the team in its title row; the column would only repeat it on every line.
  const oneTeam = !!f.teamId || f.teamIds?.length === 1;
  const columns = oneTeam ? COLUMNS.filter((c) => c.key !== 'team') : COLUMNS;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  wb.creator = settings.siteName;
  const ws = wb.addWorksheet('志愿服务记录台账', reportSheetOptions());
  writeReportHead(ws, `${settings.countyName}志愿服务记录台账`, description, columns);
  const t = (v: unknown) => (v == null ? '' : String(v));
  const at = (v: unknown) => (v == null ? null : beijingCellDate(Number(v)));
  const PAGE = 2000;
  let rows = 0;
  let after: [number, number] | null = null;
  while (rows < LEDGER_MAX_ROWS) {
    const page = after ? [...where, sql`(h.starts_at, h.id) > (${after[0]}, ${after[1]})`] : where;
    const batch: Row[] = await db.all<Row>(sql`SELECT h.id, u.real_name, u.volunteer_no, t.name AS team, e.title AS event, h.content, h.starts_at, h.ends_at, h.minutes, h.source, h.status, h.reason,
        r.real_name AS reviewer, h.reviewed_at, c.real_name AS recorder,
        trim(coalesce(tn.name, '') || coalesce(vn.name, '') || ' ' || coalesce(e.address, '')) AS place,
        (SELECT coalesce(json_extract(so.lecture, '$.organisation'), (SELECT name FROM regions WHERE id = so.village_id) || '群众（点单 ' || so.tracking_no || '）')
          FROM service_orders so WHERE so.id = e.service_order_id) AS target,
        coalesce(ec.real_name,
          (SELECT lu.real_name FROM team_members m JOIN users lu ON lu.id = m.user_id WHERE m.team_id = h.team_id AND m.role = 'leader' AND m.status = 'active' ORDER BY m.id LIMIT 1),
          t.leader_name) AS leader
      FROM hour_records h JOIN users u ON u.id = h.user_id JOIN teams t ON t.id = h.team_id LEFT JOIN events e ON e.id = h.event_id
        LEFT JOIN users r ON r.id = h.reviewer_id LEFT JOIN users c ON c.id = h.created_by LEFT JOIN users ec ON ec.id = e.created_by
        LEFT JOIN regions tn ON tn.id = e.town_id LEFT JOIN regions vn ON vn.id = e.village_id
      WHERE ${sql.join(page, sql` AND `)} ORDER BY h.starts_at, h.id LIMIT ${sql.raw(String(Math.min(PAGE, LEDGER_MAX_ROWS - rows)))}`);
    for (const r of batch) {
      const status = String(r.status);
      const row = ws.addRow({
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
        leader: t(r.leader),
        recorder: t(r.recorder) || (r.source === 'attendance' ? '签到记录' : ''),
        source: SOURCE_LABEL[String(r.source)] ?? t(r.source),
        status: statusLabel(status),
        reviewer: t(r.reviewer),
        reviewedAt: at(r.reviewed_at),
        reason: t(str(r, 'reason')),
      });
      for (const c of columns) if (c.numFmt) row.getCell(c.key).numFmt = c.numFmt;
      fitRowHeight(row, columns);
      row.commit();
    }
    rows += batch.length;
    if (batch.length < PAGE) break;
    const last = batch[batch.length - 1];
    after = [num(last, 'starts_at'), num(last, 'id')];
  }
  setReportFilter(ws, columns.length, HEADER_ROW + rows);
  ws.commit();
  await wb.commit();
  await done;
  return { buffer: Buffer.concat(chunks), rows };
}
