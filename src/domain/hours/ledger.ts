// 台账: hour records as XLSX (exceljs), filtered by team, date range and status.
// Cells that a spreadsheet would treat as a formula are neutralised (docs/decisions/033).
import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { formatDateTime, fromShanghai } from '../../lib/time.ts';
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

/** Prefixes an apostrophe to text starting with = + - @ (or tab/CR) so spreadsheets never evaluate it. */
export function neutraliseCell(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

const SOURCE_LABEL: Record<string, string> = { attendance: '签到签退', leader: '队长录入', claim: '个人申报' };
export const LEDGER_MAX_ROWS = 50_000;

/** Builds the ledger workbook; returns the XLSX bytes and the row count. */
export async function exportLedger(db: Db, f: LedgerFilter): Promise<{ buffer: Buffer; rows: number }> {
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
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  wb.creator = '善行';
  const ws = wb.addWorksheet('志愿服务时长台账');
  ws.columns = [
    { header: '记录号', key: 'id', width: 9 },
    { header: '志愿者', key: 'name', width: 12 },
    { header: '志愿者编号', key: 'no', width: 16 },
    { header: '队伍', key: 'team', width: 24 },
    { header: '活动', key: 'event', width: 24 },
    { header: '服务内容', key: 'content', width: 30 },
    { header: '开始时间', key: 'start', width: 18 },
    { header: '结束时间', key: 'end', width: 18 },
    { header: '时长（小时）', key: 'hours', width: 12 },
    { header: '来源', key: 'source', width: 10 },
    { header: '状态', key: 'status', width: 9 },
    { header: '说明', key: 'reason', width: 24 },
    { header: '审核人', key: 'reviewer', width: 12 },
    { header: '审核时间', key: 'reviewedAt', width: 18 },
  ];
  ws.getRow(1).font = { bold: true };
  const t = (v: unknown) => neutraliseCell(v == null ? '' : String(v));
  const PAGE = 2000;
  let rows = 0;
  let after: [number, number] | null = null;
  while (rows < LEDGER_MAX_ROWS) {
    const page = after ? [...where, sql`(h.starts_at, h.id) > (${after[0]}, ${after[1]})`] : where;
    const batch: Row[] = await db.all<Row>(sql`SELECT h.id, u.real_name, u.volunteer_no, t.name AS team, e.title AS event, h.content, h.starts_at, h.ends_at, h.minutes, h.source, h.status, h.reason,
        r.real_name AS reviewer, h.reviewed_at
      FROM hour_records h JOIN users u ON u.id = h.user_id JOIN teams t ON t.id = h.team_id LEFT JOIN events e ON e.id = h.event_id LEFT JOIN users r ON r.id = h.reviewer_id
      WHERE ${sql.join(page, sql` AND `)} ORDER BY h.starts_at, h.id LIMIT ${sql.raw(String(Math.min(PAGE, LEDGER_MAX_ROWS - rows)))}`);
    for (const r of batch) {
      ws.addRow({
        id: num(r, 'id'),
        name: t(r.real_name),
        no: t(r.volunteer_no),
        team: t(r.team),
        event: t(r.event),
        content: t(r.content),
        start: formatDateTime(num(r, 'starts_at')),
        end: formatDateTime(num(r, 'ends_at')),
        hours: Math.round((num(r, 'minutes') / 60) * 100) / 100,
        source: SOURCE_LABEL[String(r.source)] ?? t(r.source),
        status: statusLabel(String(r.status)),
        reason: t(str(r, 'reason')),
        reviewer: t(r.reviewer),
        reviewedAt: r.reviewed_at == null ? '' : formatDateTime(num(r, 'reviewed_at')),
      }).commit();
    }
    rows += batch.length;
    if (batch.length < PAGE) break;
    const last = batch[batch.length - 1];
    after = [num(last, 'starts_at'), num(last, 'id')];
  }
  ws.commit();
  await wb.commit();
  await done;
  return { buffer: Buffer.concat(chunks), rows };
}
