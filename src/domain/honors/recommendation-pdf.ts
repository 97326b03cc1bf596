// The 推荐表 as an A4 PDF, made on the server with pdfkit from the same data as the DOCX (no office suite
// on the server; docs/decisions/093). Fonts and characters no font has: src/lib/pdf-text.ts.
import PDFDocument from 'pdfkit';
import type { RecommendationSheet } from './recommendation.ts';
import { charCount } from './schemas.ts';
import { pdfWriter, substitutionNote } from '../../lib/pdf-text.ts';

/** The 推荐表 of one honoree as PDF bytes. */
export async function renderRecommendationPdf(s: RecommendationSheet): Promise<Uint8Array> {
  const e = s.entry;
  const doc = new PDFDocument({ size: 'A4', margin: 56, bufferPages: true, info: { Title: `${s.levelLabel}推荐表 ${e.name}`, Author: s.organiser } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const { write, seen } = pdfWriter(doc);
  const left = 56;
  const width = doc.page.width - 112;
  const bottom = () => doc.page.height - 80;
  const labelW = 90;

  doc.fontSize(20).fillColor('#111');
  write(`${s.levelLabel}推荐表`, left, 60, { width, align: 'center', characterSpacing: 2 });
  let y = 104;
  doc.lineWidth(0.8).strokeColor('#000');

  /** One bordered row: a label cell and a value cell (value may wrap and run onto further pages). */
  const row = (label: string, value: string, opts: { minHeight?: number; valueWidth?: number } = {}) => {
    doc.fontSize(11.5);
    const vw = opts.valueWidth ?? width - labelW;
    const h = Math.max(opts.minHeight ?? 0, doc.heightOfString(value || '—', { width: vw - 12, lineGap: 3 }) + 14, 28);
    // A row that does not fit starts here anyway when there is room for a few lines; its text flows on.
    if (y + h > bottom() && bottom() - y < 120) {
      doc.addPage();
      y = 60;
    }
    const fits = y + h <= bottom();
    const drawn = fits ? h : bottom() - y;
    doc.rect(left, y, labelW, drawn).stroke();
    doc.rect(left + labelW, y, vw, drawn).stroke();
    write(label, left + 6, y + 7, { width: labelW - 12, align: 'center' });
    write(value || '—', left + labelW + 6, y + 7, { width: vw - 12, lineGap: 3 });
    // Long text (主要事迹) flows on: pdfkit continues it on new pages; the next row starts below it.
    y = fits ? y + h : doc.y + 10;
  };

  // Photo box on the right of the first four rows.
  const photoW = 96;
  const photoH = 128;
  const px = left + width - photoW - 8;
  const top = y;
  const pair = (a: string, av: string, b: string, bv: string) => {
    const colW = (width - photoW - 16 - labelW * 2) / 2;
    doc.fontSize(11.5);
    doc.rect(left, y, labelW, 32).stroke();
    doc.rect(left + labelW, y, colW, 32).stroke();
    doc.rect(left + labelW + colW, y, labelW, 32).stroke();
    doc.rect(left + labelW * 2 + colW, y, colW, 32).stroke();
    write(a, left + 6, y + 9, { width: labelW - 12, align: 'center' });
    write(av || '—', left + labelW + 6, y + 9, { width: colW - 12 });
    write(b, left + labelW + colW + 6, y + 9, { width: labelW - 12, align: 'center' });
    write(bv || '—', left + labelW * 2 + colW + 6, y + 9, { width: colW - 12 });
    y += 32;
  };
  pair('姓　　名', e.name, '性　　别', e.gender);
  pair('出生年月', e.birthMonth ? `${e.birthMonth.replace('-', '年')}月` : '', '民　　族', e.ethnicity);
  pair('政治面貌', e.politicalStatus, '推荐类别', e.category);
  doc.rect(left + width - photoW - 16, top, photoW + 16, y - top + 40).stroke();
  if (s.idPhoto) doc.image(Buffer.from(s.idPhoto), px, top + 6, { fit: [photoW, photoH], align: 'center', valign: 'center' });
  else {
    doc.fontSize(10).fillColor('#777');
    write(e.kind === 'person' ? '（证件照）' : '', px, top + 56, { width: photoW, align: 'center' });
    doc.fillColor('#111');
  }
  row('工作单位及职务', e.workplace, { valueWidth: width - labelW - photoW - 16, minHeight: 40 });
  row(`事迹简介（${charCount(e.summary)} 字）`, e.summary, { minHeight: 48 });
  row(`主要事迹（${charCount(e.mainDeeds.replace(/\s+/g, ''))} 字）`, e.mainDeeds.trim(), { minHeight: 220 });
  row('推荐单位意见', `${s.opinion}\n\n推荐单位（盖章）：${s.organiser}\n${s.date}`, { minHeight: 120 });
  const note = substitutionNote(seen);
  if (note) {
    doc.fontSize(9).fillColor('#555');
    write(note, left, y + 8, { width });
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fontSize(9).fillColor('#333');
    write(`${s.levelLabel}推荐表 · ${e.name}　　第 ${i - range.start + 1} 页 共 ${range.count} 页`, left, doc.page.height - 48, { width, align: 'center' });
    doc.page.margins.bottom = margin;
  }
  doc.end();
  return new Uint8Array(await done);
}
