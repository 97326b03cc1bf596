// The audit log as XLSX for 纪检/审计 (issue 17, item 4): the filtered rows the console page lists,
// written exactly as the page shows them (the same action names, differences and masks).
import ExcelJS from 'exceljs';
import type { Db } from '../../../db/client.ts';
import { formatDateTime } from '../../lib/time.ts';
import { beijingCellDate, DATE_TIME_FORMAT, fitRowHeight, HEADER_ROW, reportSheetOptions, setReportFilter, writeReportHead, type ReportColumn } from '../../lib/xlsx-report.ts';
import { getSettings } from '../settings/index.ts';
import { auditActionName } from './actions.ts';
import { auditChanges, auditChangesText } from './present.ts';
import { AUDIT_TARGET_TYPES, searchAudit, type AuditFilter, type AuditRow } from './search.ts';

/** At most this many rows in one export; the title says when the filter matched more. */
export const AUDIT_EXPORT_MAX = 20_000;

const COLUMNS: ReportColumn[] = [
  { header: '序号', key: 'seq', width: 7 },
  { header: '时间（北京时间）', key: 'at', width: 17, numFmt: DATE_TIME_FORMAT },
  { header: '操作人', key: 'actor', width: 12 },
  { header: '操作人身份', key: 'role', width: 14, wrap: true },
  { header: '操作', key: 'action', width: 20, wrap: true },
  { header: '对象', key: 'target', width: 26, wrap: true },
  { header: '变更内容', key: 'changes', width: 46, wrap: true },
  { header: '说明', key: 'detail', width: 22, wrap: true },
  { header: 'IP 地址', key: 'ip', width: 15 },
  { header: '日志编号', key: 'id', width: 9 },
];

/** The 对象 text of a row: type, number and title (a person's name masked). */
export function auditTargetText(r: Pick<AuditRow, 'targetType' | 'targetId' | 'targetTitle'>): string {
  if (!r.targetType && !r.targetId) return '';
  const type = r.targetType ? (AUDIT_TARGET_TYPES[r.targetType] ?? r.targetType) : '';
  const id = r.targetId ? ` #${r.targetId}` : '';
  return `${type}${id}${r.targetTitle ? ` ${r.targetTitle}` : ''}`.trim();
}

/** The operator as shown: name, or 系统 for entries without one. */
export function auditActorText(r: Pick<AuditRow, 'actorId' | 'actorName'>): string {
  if (r.actorId == null) return '系统';
  return r.actorName ?? `已删除账户 #${r.actorId}`;
}

/** Builds the XLSX of the filtered audit rows; `description` is the filter in words for the title row. */
export async function exportAudit(db: Db, f: AuditFilter, description: string, exportedBy: string, now = Date.now()): Promise<{ buffer: Buffer; rows: number; total: number }> {
  const settings = await getSettings(db);
  const wb = new ExcelJS.Workbook();
  wb.creator = settings.siteName;
  wb.created = new Date(now);
  const ws = wb.addWorksheet('审计日志', reportSheetOptions());
  const rows: AuditRow[] = [];
  let total = 0;
  const PAGE = 2000;
  while (rows.length < AUDIT_EXPORT_MAX) {
    const page = await searchAudit(db, { ...f, limit: Math.min(PAGE, AUDIT_EXPORT_MAX - rows.length), offset: rows.length });
    total = page.total;
    rows.push(...page.rows);
    if (page.rows.length < PAGE) break;
  }
  const cut = total > rows.length ? `；共 ${total} 条，仅导出最新 ${rows.length} 条，请缩小筛选范围` : `；共 ${rows.length} 条`;
  writeReportHead(ws, `${settings.countyName}志愿服务平台审计日志`, `筛选条件：${description}${cut}。导出时间：${formatDateTime(now)}（北京时间）；导出人：${exportedBy}`, COLUMNS);
  rows.forEach((r, i) => {
    const row = ws.addRow({
      seq: i + 1,
      at: beijingCellDate(r.at),
      actor: auditActorText(r),
      role: r.actorRole,
      action: auditActionName(r.action),
      target: auditTargetText(r),
      changes: auditChangesText(auditChanges(r.before, r.after)),
      detail: r.detail ?? '',
      ip: r.ip ?? '',
      id: r.id,
    });
    row.getCell('at').numFmt = DATE_TIME_FORMAT;
    fitRowHeight(row, COLUMNS);
  });
  setReportFilter(ws, COLUMNS.length, HEADER_ROW + rows.length);
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return { buffer, rows: rows.length, total };
}
