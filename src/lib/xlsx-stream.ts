// A report spreadsheet written row by row into a streaming ZIP (src/lib/zip-stream.ts): the sheet XML is
// built as rows come and compressed at once, so memory does not grow with the rows (issue 22,
// docs/decisions/108).
// The same shape as xlsx-report.ts gives exceljs workbooks: title rows, frozen header with filters,
// A4 landscape with the header repeated and page numbers, real date cells. Past one sheet's row limit
// the rows continue on the next sheet, which repeats the title and header.
import { ZipStreamWriter } from './zip-stream.ts';
import { HEADER_ROW, rowHeight, type ReportColumn } from './xlsx-report.ts';

/** Rows in an XLSX sheet (Excel's limit, LibreOffice's too). */
export const XLSX_MAX_ROWS = 1_048_576;

/** A cell: text, a number (a date is its serial, `beijingSerial`), or empty. */
export type StreamCell = string | number | null | undefined;

const TZ_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
/** Serial of 1970-01-01 in the 1900 date system. */
const EPOCH_SERIAL = 25_569;

/** A date cell's value: the instant's Beijing wall clock as a spreadsheet serial. */
export function beijingSerial(ms: number): number {
  return (ms + TZ_OFFSET_MS) / DAY_MS + EPOCH_SERIAL;
}

// Characters XML 1.0 does not allow (a control character pasted into a note would make the file unreadable).
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const XML_SPECIAL = /[&<>"]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function xml(s: string): string {
  return s.replace(INVALID_XML, '').replace(XML_SPECIAL, (c) => ENTITY[c]);
}

function columnLetters(n: number): string {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
}

/** A sheet's XML is closed past this size (what is written before the next flush stays under 4 GB). */
const SHEET_BYTES = 3.5 * 2 ** 30;

const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

export interface XlsxStreamOptions {
  /** Receives the file's bytes as they are made. */
  write: (chunk: Uint8Array) => void;
  creator: string;
  /** The first sheet's name; later sheets add （2）, （3）… */
  sheetName: string;
  title: string;
  description: string;
  columns: ReportColumn[];
  /** Data rows per sheet; at most (and by default) what the format allows below the head rows. */
  rowsPerSheet?: number;
  /** Deflate level (zlib's 0–9). */
  level?: number;
}

interface SheetDone {
  name: string;
  lastRow: number;
}

/** A piece of output: text for one sheet (its index), in order. */
interface Segment {
  sheet: number;
  parts: string[];
}

/**
 * Writes a report spreadsheet row by row: `addRow` as rows come (kept as text), `flush` after a batch
 * (compresses it, resolving when the compressor can take more), `end` once.
 */
export class XlsxStreamWriter {
  readonly #o: XlsxStreamOptions;
  readonly #zip: ZipStreamWriter;
  readonly #encoder = new TextEncoder();
  readonly #perSheet: number;
  readonly #cols: string[];
  /** Cell style per column (cellXfs index), and the styles' XML. */
  readonly #styleOf: number[];
  readonly #stylesXml: string;
  /** The sheet whose ZIP entry is open (0: none yet). */
  #openEntry = 0;
  #segments: Segment[] = [];
  #sheetRows = 0;
  /** Bytes of the current sheet's XML handed to the compressor (a flush's worth more may be pending). */
  #sheetBytes = 0;
  #rows = 0;
  #sheets: SheetDone[] = [];
  #ended = false;

  constructor(o: XlsxStreamOptions) {
    this.#o = o;
    this.#perSheet = Math.max(1, Math.min(o.rowsPerSheet ?? Infinity, XLSX_MAX_ROWS - HEADER_ROW));
    this.#cols = o.columns.map((_, i) => columnLetters(i + 1));
    const styles = buildStyles(o.columns);
    this.#styleOf = styles.styleOf;
    this.#stylesXml = styles.xml;
    this.#zip = new ZipStreamWriter(o.write, { level: o.level });
    this.#openSheet();
  }

  /** Data rows written so far (all sheets). */
  get rows(): number {
    return this.#rows;
  }

  /** Appends one data row, its cells in column order. */
  addRow(cells: StreamCell[]): void {
    // A sheet also ends before its XML reaches the 4 GB a ZIP entry can hold (rows of long text).
    if (this.#sheetRows === this.#perSheet || (this.#sheetRows > 0 && this.#sheetBytes > SHEET_BYTES)) {
      this.#closeSheet();
      this.#openSheet();
    }
    const r = HEADER_ROW + this.#sheetRows + 1;
    let s = `<row r="${r}" ht="${rowHeight(cells, this.#o.columns)}" customHeight="1">`;
    for (let i = 0; i < this.#cols.length; i++) {
      const v = cells[i];
      if (v == null || v === '') continue;
      const ref = `${this.#cols[i]}${r}`;
      if (typeof v === 'number') {
        if (Number.isFinite(v)) s += `<c r="${ref}" s="${this.#styleOf[i]}"><v>${v}</v></c>`;
      } else s += `<c r="${ref}" s="${this.#styleOf[i]}" t="inlineStr"><is><t xml:space="preserve">${xml(v)}</t></is></c>`;
    }
    this.#text(s + '</row>');
    this.#sheetRows++;
    this.#rows++;
  }

  /** Compresses what was written so far (its bytes reach `write`); resolves when the compressor can take more. */
  async flush(): Promise<void> {
    const segments = this.#segments;
    this.#segments = [{ sheet: this.#sheets.length, parts: [] }];
    for (const seg of segments) {
      if (seg.sheet !== this.#openEntry) {
        await this.#zip.close();
        this.#zip.open(`xl/worksheets/sheet${seg.sheet}.xml`);
        this.#openEntry = seg.sheet;
      }
      if (!seg.parts.length) continue;
      const bytes = this.#encoder.encode(seg.parts.join(''));
      if (seg.sheet === this.#sheets.length) this.#sheetBytes += bytes.length;
      await this.#zip.write(bytes);
    }
  }

  /** Closes the last sheet and writes the workbook's other parts; the last bytes reach `write`. */
  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#closeSheet();
    await this.flush();
    await this.#zip.close();
    const sheets = this.#sheets;
    const last = columnLetters(this.#o.columns.length);
    const quoted = (name: string) => `'${xml(name).replace(/'/g, "''")}'`;
    const names = sheets
      .flatMap((sh, i) => [
        `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">${quoted(sh.name)}!$A$${HEADER_ROW}:$${last}$${sh.lastRow}</definedName>`,
        `<definedName name="_xlnm.Print_Titles" localSheetId="${i}">${quoted(sh.name)}!$1:$${HEADER_ROW}</definedName>`,
      ])
      .join('');
    await this.#small(
      'xl/workbook.xml',
      `${HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><bookViews><workbookView/></bookViews><sheets>${sheets
        .map((sh, i) => `<sheet name="${xml(sh.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join('')}</sheets><definedNames>${names}</definedNames><calcPr calcId="171027"/></workbook>`,
    );
    await this.#small(
      'xl/_rels/workbook.xml.rels',
      `${HEAD}<Relationships xmlns="${PKG_REL_NS}">${sheets
        .map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
        .join('')}<Relationship Id="rId${sheets.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`,
    );
    await this.#small('xl/styles.xml', this.#stylesXml);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await this.#small(
      'docProps/core.xml',
      `${HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>${xml(this.#o.creator)}</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${now}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${now}</dcterms:modified></cp:coreProperties>`,
    );
    await this.#small(
      'docProps/app.xml',
      `${HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Excel</Application></Properties>`,
    );
    await this.#small(
      '_rels/.rels',
      `${HEAD}<Relationships xmlns="${PKG_REL_NS}"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="${REL_NS}/extended-properties" Target="docProps/app.xml"/></Relationships>`,
    );
    const ct = 'application/vnd.openxmlformats-officedocument';
    await this.#small(
      '[Content_Types].xml',
      `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="${ct}.spreadsheetml.sheet.main+xml"/>${sheets
        .map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="${ct}.spreadsheetml.worksheet+xml"/>`)
        .join(
          '',
        )}<Override PartName="/xl/styles.xml" ContentType="${ct}.spreadsheetml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="${ct}.extended-properties+xml"/></Types>`,
    );
    await this.#zip.end();
  }

  /** Stops compressing (the reader went away). */
  destroy(): void {
    this.#segments = [];
    this.#zip.destroy();
  }

  #text(s: string) {
    this.#segments[this.#segments.length - 1].parts.push(s);
  }

  #small(path: string, text: string) {
    return this.#zip.add(path, this.#encoder.encode(text));
  }

  #openSheet() {
    const n = this.#sheets.length + 1;
    this.#segments.push({ sheet: n, parts: [] });
    this.#sheetRows = 0;
    this.#sheetBytes = 0;
    const cols = this.#o.columns;
    const c = this.#cols;
    let s = `${HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>`;
    s += `<sheetViews><sheetView workbookViewId="0"><pane ySplit="${HEADER_ROW}" topLeftCell="A${HEADER_ROW + 1}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A${HEADER_ROW + 1}" sqref="A${HEADER_ROW + 1}"/></sheetView></sheetViews>`;
    s += `<sheetFormatPr defaultRowHeight="15"/><cols>`;
    cols.forEach((col, i) => (s += `<col min="${i + 1}" max="${i + 1}" width="${col.width}" style="${this.#styleOf[i]}" customWidth="1"/>`));
    s += `</cols><sheetData>`;
    s += `<row r="1" ht="28" customHeight="1"><c r="A1" s="1" t="inlineStr"><is><t>${xml(this.#o.title)}</t></is></c></row>`;
    s += `<row r="2" ht="20" customHeight="1"><c r="A2" s="2" t="inlineStr"><is><t>${xml(this.#o.description)}</t></is></c></row>`;
    s += `<row r="${HEADER_ROW}" ht="30" customHeight="1">${cols.map((col, i) => `<c r="${c[i]}${HEADER_ROW}" s="3" t="inlineStr"><is><t>${xml(col.header)}</t></is></c>`).join('')}</row>`;
    this.#text(s);
    // Its last row is known when the sheet is closed.
    this.#sheets.push({ name: sheetName(this.#o.sheetName, n), lastRow: HEADER_ROW });
  }

  #closeSheet() {
    const lastCol = this.#cols[this.#cols.length - 1];
    const lastRow = HEADER_ROW + this.#sheetRows;
    this.#sheets[this.#sheets.length - 1].lastRow = lastRow;
    this.#text(
      `</sheetData><autoFilter ref="A${HEADER_ROW}:${lastCol}${lastRow}"/><mergeCells count="2"><mergeCell ref="A1:${lastCol}1"/><mergeCell ref="A2:${lastCol}2"/></mergeCells>` +
        `<printOptions horizontalCentered="1"/><pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.25" footer="0.3"/>` +
        `<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/><headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>`,
    );
  }
}

/** Sheet names: the first as given, then （2）, （3）…; at most 31 characters, none of []:*?/\ (the format's rules). */
function sheetName(base: string, n: number): string {
  const clean = base.replace(/[[\]:*?/\\]/g, ' ');
  const suffix = n === 1 ? '' : `（${n}）`;
  return clean.slice(0, 31 - suffix.length) + suffix;
}

/** styles.xml: title, description and header styles, then one style per data column (its number format, top-aligned, wrapped or not). */
function buildStyles(columns: ReportColumn[]): { xml: string; styleOf: number[] } {
  const formats = [...new Set(columns.map((c) => c.numFmt).filter((f): f is string => !!f))];
  const fmtId = (f?: string) => (f ? 164 + formats.indexOf(f) : 0);
  const keys: string[] = [];
  const styleOf = columns.map((c) => {
    const key = `${fmtId(c.numFmt)}|${c.wrap ? 1 : 0}`;
    if (!keys.includes(key)) keys.push(key);
    return 4 + keys.indexOf(key);
  });
  const dataXfs = keys
    .map((k) => {
      const [id, wrap] = k.split('|');
      return `<xf numFmtId="${id}" fontId="0" fillId="0" borderId="0" xfId="0"${id !== '0' ? ' applyNumberFormat="1"' : ''} applyAlignment="1"><alignment vertical="top"${wrap === '1' ? ' wrapText="1"' : ''}/></xf>`;
    })
    .join('');
  const xmlText =
    `${HEAD}<styleSheet xmlns="${MAIN_NS}">` +
    (formats.length ? `<numFmts count="${formats.length}">${formats.map((f, i) => `<numFmt numFmtId="${164 + i}" formatCode="${xml(f)}"/>`).join('')}</numFmts>` : '') +
    `<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="16"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
    `<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFEFEFEF"/><bgColor indexed="64"/></patternFill></fill></fills>` +
    `<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>` +
    `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
    `<cellXfs count="${4 + keys.length}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
    `<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>` +
    `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment horizontal="left" vertical="center" wrapText="1"/></xf>` +
    `<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>` +
    `${dataXfs}</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;
  return { xml: xmlText, styleOf };
}
