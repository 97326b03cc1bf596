// Roster export (XLSX and CSV) with Chinese headers. In CSV, cells that a spreadsheet would run
// as a formula (= + - @, tab, CR) are prefixed with ' (OWASP CSV injection); XLSX stores text as
// text, so its cells are written as typed, with check-in times as date cells (docs/decisions/088).
import ExcelJS from 'exceljs';
import { formatDateTime } from '../../lib/time.ts';
import { beijingCellDate, DATE_TIME_FORMAT } from '../../lib/xlsx-report.ts';
import { maskPhone } from '../../lib/pii.ts';
import { signupStatusLabel } from './signups.ts';

export const ROSTER_HEADERS = ['序号', '姓名', '志愿者编号', '手机号', '报名状态', '临时取消', '签到时间', '签退时间', '拟认定时长（分钟）', '移出原因'];

export interface RosterLine {
  seq: number;
  realName: string;
  volunteerNo: string | null;
  phone: string | null;
  status: string;
  lateCancel: boolean;
  checkinAt: number | null;
  checkoutAt: number | null;
  proposedMinutes: number | null;
  removedReason: string | null;
}

/** Neutralises a cell a spreadsheet would treat as a formula. */
export function neutralise(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** Roster lines as rows: `text` guards free text, `time` writes an instant (CSV: guarded strings; XLSX: text as typed, dates). */
export function rosterRows<T>(lines: RosterLine[], text: (s: string) => string = neutralise, time: (ms: number) => T | string = formatDateTime): (string | number | T)[][] {
  return lines.map((l) => [
    l.seq,
    text(l.realName),
    text(l.volunteerNo ?? ''),
    maskPhone(l.phone),
    signupStatusLabel(l.status),
    l.lateCancel ? '是' : '',
    l.checkinAt ? time(l.checkinAt) : '',
    l.checkoutAt ? time(l.checkoutAt) : '',
    l.proposedMinutes ?? '',
    text(l.removedReason ?? ''),
  ]);
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a UTF-8 BOM (Excel opens Chinese correctly) and CRLF rows. */
export function rosterCsv(lines: RosterLine[]): string {
  return '\uFEFF' + [ROSTER_HEADERS, ...rosterRows<string>(lines)].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** XLSX workbook bytes with one sheet 报名名单. */
export async function rosterXlsx(lines: RosterLine[], title: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '善行';
  const ws = wb.addWorksheet('报名名单');
  ws.addRow(ROSTER_HEADERS);
  ws.getRow(1).font = { bold: true };
  for (const r of rosterRows(lines, (v) => v, beijingCellDate)) {
    const row = ws.addRow(r);
    for (const c of [7, 8]) if (row.getCell(c).value instanceof Date) row.getCell(c).numFmt = DATE_TIME_FORMAT;
  }
  ws.columns.forEach((c) => {
    c.width = 16;
  });
  wb.title = title;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
