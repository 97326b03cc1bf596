// Opens a spreadsheet in the real reader: LibreOffice converts it to PDF (as printing would), poppler reads
// the PDF's text, page count and page size back (issue 19: documents are checked in the program that opens them).
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrintedSpreadsheet {
  pdf: string;
  text: string;
  pages: number;
  /** Page size in points, e.g. [842, 595] for A4 landscape. */
  size: [number, number];
}

/** Converts XLSX bytes to PDF with LibreOffice (its own profile folder, so parallel runs do not collide) and reads it back. */
export async function printSpreadsheet(bytes: Uint8Array, name = 'sheet'): Promise<PrintedSpreadsheet> {
  const dir = await mkdtemp(join(tmpdir(), 'sx-xlsx-'));
  const xlsx = join(dir, `${name}.xlsx`);
  await writeFile(xlsx, bytes);
  await run('soffice', [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, xlsx], { timeout: 120_000 });
  const pdf = join(dir, `${name}.pdf`);
  const { stdout: text } = await run('pdftotext', ['-layout', pdf, '-']);
  const { stdout: info } = await run('pdfinfo', [pdf]);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  const m = /^Page size:\s+([\d.]+) x ([\d.]+)/m.exec(info);
  return { pdf, text, pages, size: [Math.round(Number(m?.[1])), Math.round(Number(m?.[2]))] };
}

/** Renders one page of the PDF to a PNG (to look at), returns its path. */
export async function pagePng(pdf: string, page = 1): Promise<string> {
  const out = pdf.replace(/\.pdf$/, `-p${page}`);
  await run('pdftoppm', ['-png', '-r', '60', '-f', String(page), '-l', String(page), '-singlefile', pdf, out]);
  return `${out}.png`;
}
