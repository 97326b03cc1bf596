// The shape every filed spreadsheet shares (台账, 审计日志 export): title rows, a frozen header with
// filters, real date cells in Beijing time, A4 landscape with the header repeated and page numbers.
// XLSX cells hold text as text (never a formula), so no apostrophe guard is needed here; CSV keeps
// its guard (docs/decisions/033, 088).
import type ExcelJS from 'exceljs';

const TZ_OFFSET_MS = 8 * 3600_000;

/** A Date whose UTC fields are the Beijing wall clock: exceljs writes a Date's UTC value as the cell's serial. */
export function beijingCellDate(ms: number): Date {
  return new Date(ms + TZ_OFFSET_MS);
}

/** Number formats for date cells. */
export const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm';
export const DATE_FORMAT = 'yyyy-mm-dd';

/** A column of a report: its Chinese header, key, width in characters and optional number format. */
export interface ReportColumn {
  header: string;
  key: string;
  width: number;
  numFmt?: string;
  /** Long text that wraps instead of widening the page. */
  wrap?: boolean;
}

/** Rows above the header: the title and one line of what the sheet holds (filter, export time). */
export const TITLE_ROWS = 2;
/** The header row's number. */
export const HEADER_ROW = TITLE_ROWS + 1;

/** Worksheet options for a printable report: A4 landscape, one page wide, header rows repeated, 第 N 页 共 M 页, header frozen. */
export function reportSheetOptions(): Partial<ExcelJS.AddWorksheetOptions> {
  return {
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `1:${HEADER_ROW}`,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.25, footer: 0.3 },
      horizontalCentered: true,
    },
    headerFooter: { oddFooter: '&C第 &P 页，共 &N 页' },
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADER_ROW, topLeftCell: `A${HEADER_ROW + 1}`, activeCell: `A${HEADER_ROW + 1}` }],
  };
}

/** Writes the title, the description line and the header row, and sets the columns' widths and formats. */
export function writeReportHead(ws: ExcelJS.Worksheet, title: string, description: string, columns: ReportColumn[]): void {
  ws.columns = columns.map((c) => ({
    key: c.key,
    width: c.width,
    style: { ...(c.numFmt ? { numFmt: c.numFmt } : {}), alignment: { vertical: 'top', wrapText: !!c.wrap } },
  }));
  const last = columns.length;
  const titleRow = ws.getRow(1);
  titleRow.getCell(1).value = title;
  titleRow.getCell(1).font = { bold: true, size: 16 };
  titleRow.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
  titleRow.height = 28;
  ws.mergeCells(1, 1, 1, last);
  titleRow.commit?.();
  const descRow = ws.getRow(2);
  descRow.getCell(1).value = description;
  descRow.getCell(1).alignment = { horizontal: 'left', vertical: 'middle', wrapText: true };
  descRow.height = 20;
  ws.mergeCells(2, 1, 2, last);
  descRow.commit?.();
  const head = ws.getRow(HEADER_ROW);
  columns.forEach((c, i) => {
    const cell = head.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFEFEF' } };
    cell.border = { bottom: { style: 'thin' } };
  });
  head.height = 30;
  head.commit?.();
}

/** Filters on the header over the rows written (set before the sheet is committed). */
export function setReportFilter(ws: ExcelJS.Worksheet, columns: number, lastRow: number): void {
  ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: Math.max(HEADER_ROW, lastRow), column: columns } };
}

/** Display width of text in spreadsheet character units (a Chinese character is about 1.75, as LibreOffice prints it). */
function textWidth(s: string): number {
  // A loop over code points, not a regex per character: a million-row ledger measures every wrapped cell.
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    w += c >= 0x2e80 ? 1.75 : 1;
  }
  return w;
}

/**
 * Sets a row's height to fit its wrapped cells: LibreOffice keeps the height a file gives (or the default
 * one line), so without this a long cell is printed over the rows below it.
 */
export function fitRowHeight(row: ExcelJS.Row, columns: ReportColumn[]): void {
  row.height = rowHeight(
    columns.map((_, i) => row.getCell(i + 1).value),
    columns,
  );
}

/** The height (points) that fits a row's wrapped cells, given in column order: 15 per line, at most 409. */
export function rowHeight(values: readonly unknown[], columns: ReportColumn[]): number {
  let lines = 1;
  columns.forEach((c, i) => {
    if (!c.wrap) return;
    const v = values[i];
    if (v == null || v === '') return;
    const perLine = Math.max(1, c.width);
    const text = String(v);
    // Most cells are short: no character is wider than 1.75, so these fit on one line unmeasured.
    if (text.length * 1.75 <= perLine && !text.includes('\n')) return;
    const n = text.split('\n').reduce((sum, part) => sum + Math.max(1, Math.ceil(textWidth(part) / perLine)), 0);
    lines = Math.max(lines, n);
  });
  return Math.min(409, lines * 15 + 3);
}
