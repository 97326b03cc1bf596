// The 志愿服务记录证明 as an A4 PDF: pdfkit with Noto Sans SC and per-character fallback
// (src/lib/pdf-text.ts, docs/decisions/032 and 093). Laid out as 民发〔2015〕149号 asks: the issuer
// with a 盖章 area and 负责人/经办人 signature lines; on several pages, the number and 第 n 页 共 m 页 on each.
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { CertificateSnapshot } from './certificates.ts';
import { certificateNotes, formatHoursValue } from './certificates.ts';
import { pdfWriter, substitutionNote } from '../../lib/pdf-text.ts';

export interface CertificatePdfInput {
  number: string;
  code: string;
  status: string;
  revokedAt?: number | null;
  revokeReason?: string | null;
  snapshot: CertificateSnapshot;
  verifyUrl: string;
}

/** Renders the certificate as an A4 PDF (text extractable, fonts embedded as subsets). */
export async function renderCertificatePdf(c: CertificatePdfInput): Promise<Buffer> {
  // bufferPages: the page count is known only at the end, when every page gets its footer.
  const doc = new PDFDocument({ size: 'A4', margin: 56, bufferPages: true, info: { Title: `志愿服务记录证明 ${c.number}`, Author: c.snapshot.issuer.org } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const { write, seen } = pdfWriter(doc);
  const s = c.snapshot;
  const left = 56;
  const width = doc.page.width - 112;
  // Lowest y body text may reach: the footer lines (verify URL, page numbers) live below it.
  const bodyBottom = () => doc.page.height - 100;

  doc.fillColor('#b3261e');
  doc.fontSize(26);
  write('志愿服务记录证明', left, 70, { width, align: 'center', characterSpacing: 4 });
  doc.fillColor('#222').fontSize(10.5);
  write(`证明编号：${c.number}`, left, 118, { width, align: 'right' });
  doc
    .moveTo(left, 138)
    .lineTo(left + width, 138)
    .lineWidth(1)
    .strokeColor('#b3261e')
    .stroke();

  doc.fontSize(12.5).fillColor('#111');
  const period = s.service.periodFrom === s.service.periodTo ? s.service.periodFrom : `${s.service.periodFrom} 至 ${s.service.periodTo}`;
  write(
    `兹证明 ${s.volunteer.name}（${s.volunteer.idType || '证件'}：${s.volunteer.idMasked || '—'}，志愿者编号：${s.volunteer.volunteerNo || '—'}）于 ${period} 期间在 ${s.issuer.org} 参加志愿服务，经核实，累计志愿服务时长 ${formatHoursValue(s.service.totalMinutes)} 小时。`,
    left,
    158,
    { width, lineGap: 6, indent: 25 },
  );

  // Service content table
  let y = doc.y + 18;
  doc.fontSize(11);
  const cols = [left, left + 110, left + width - 90];
  const header = () => {
    doc.rect(left, y - 4, width, 22).fill('#f5ebe0');
    doc.fillColor('#111');
    write('服务日期', cols[0] + 6, y, { width: 100 });
    write('服务内容', cols[1] + 6, y, { width: cols[2] - cols[1] - 12 });
    write('时长（小时）', cols[2] + 6, y, { width: 84 });
    y += 24;
  };
  const continuationPage = () => {
    doc.addPage();
    doc.fontSize(12).fillColor('#b3261e');
    write(`志愿服务记录证明（续） · ${s.volunteer.name}`, left, 56, { width });
    doc.fillColor('#111').fontSize(11);
    y = 84;
  };
  header();
  for (const it of s.service.items) {
    if (y > bodyBottom() - 40) {
      continuationPage();
      header();
    }
    const rowTop = y;
    write(it.date, cols[0] + 6, rowTop, { width: 100 });
    write(it.content, cols[1] + 6, rowTop, { width: cols[2] - cols[1] - 12 });
    const after = doc.y;
    write(formatHoursValue(it.minutes), cols[2] + 6, rowTop, { width: 84 });
    y = Math.max(after, rowTop + 16) + 6;
    doc
      .moveTo(left, y - 3)
      .lineTo(left + width, y - 3)
      .lineWidth(0.5)
      .strokeColor('#cccccc')
      .stroke();
  }
  doc.fontSize(11);
  write(`合计：${s.service.items.length} 次，${formatHoursValue(s.service.totalMinutes)} 小时`, left, y + 4, { width, align: 'right' });

  // Issuer block: who answers for the record (谁记录谁证明), with room for the seal and two signatures.
  const blockHeight = 250;
  y = doc.y + 24;
  if (y + blockHeight > bodyBottom()) {
    continuationPage();
    y = 96;
  }
  const colW = width * 0.58;
  doc.fontSize(12).fillColor('#111');
  const sign = (label: string, name: string, at: number) => {
    write(`${label}（签字）：${name}`, left, at, { width: colW });
    const lineY = doc.y + 2;
    doc
      .moveTo(left + 100, lineY)
      .lineTo(left + colW - 10, lineY)
      .lineWidth(0.6)
      .strokeColor('#555')
      .stroke();
    return lineY + 16;
  };
  write('出具单位（盖章）：', left, y, { width: colW });
  write(s.issuer.org, left + 16, doc.y + 4, { width: colW - 16 });
  let ly = doc.y + 18;
  ly = sign('负责人', s.issuer.leader || '', ly);
  ly = sign('经办人', s.issuer.handler || '', ly);
  write(`联系电话：${s.issuer.contact || '—'}`, left, ly, { width: colW });
  write(`出具日期：${s.issueDate}`, left, doc.y + 8, { width: colW });
  write(`备注：${certificateNotes(s.notes)}`, left, doc.y + 8, { width: colW });

  // The seal area: a dashed circle the size of a 公章 (42 mm), where the issuer stamps the printout.
  const sealR = 60;
  const sealX = left + colW + (width - colW) / 2;
  const sealY = y + sealR + 4;
  doc.save();
  doc.circle(sealX, sealY, sealR).dash(4, { space: 3 }).lineWidth(0.8).strokeColor('#d9a3a0').stroke();
  doc.restore();
  doc.fontSize(10).fillColor('#c77');
  write('（盖章处）', sealX - sealR, sealY - 6, { width: sealR * 2, align: 'center' });

  const qr = QRCode.create(c.verifyUrl, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const box = 84;
  const cell = box / size;
  const qx = sealX - box / 2;
  const qy = sealY + sealR + 14;
  doc.fillColor('#000');
  for (let r = 0; r < size; r++) {
    for (let col = 0; col < size; col++) {
      if (qr.modules.get(r, col)) doc.rect(qx + col * cell, qy + r * cell, cell + 0.1, cell + 0.1).fill();
    }
  }
  doc.fontSize(9).fillColor('#333');
  write(`扫码查验 · 查验码 ${c.code}`, sealX - 80, qy + box + 4, { width: 160, align: 'center' });
  const note = substitutionNote(seen);
  if (note) {
    doc.fontSize(9).fillColor('#555');
    write(note, left, Math.max(doc.y, ly) + 12, { width });
  }

  // Every page: the verify line, the certificate number and 第 n 页 共 m 页, so a loose page is still identifiable.
  const range = doc.bufferedPageRange();
  const total = range.count;
  for (let i = range.start; i < range.start + total; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    // Text below the bottom margin would make pdfkit start a new page; the footer is drawn inside it on purpose.
    doc.page.margins.bottom = 0;
    doc.fontSize(8.5).fillColor('#333');
    write(c.verifyUrl, left, doc.page.height - 88, { width, align: 'center' });
    write('本证明依据《志愿服务记录与证明出具办法》出具，免费、如实。真伪请扫码或登录网站“证明查验”核对。', left, doc.page.height - 75, { width, align: 'center' });
    doc.fontSize(9.5).fillColor('#111');
    write(`证明编号：${c.number}`, left, doc.page.height - 48, { width: width / 2 });
    write(`第 ${i - range.start + 1} 页 共 ${total} 页`, left + width / 2, doc.page.height - 48, { width: width / 2, align: 'right' });
    if (c.status === 'revoked') {
      doc.save();
      doc.rotate(-20, { origin: [doc.page.width / 2, doc.page.height / 2] });
      doc.fontSize(60).fillColor('#d32f2f').fillOpacity(0.35);
      write('已撤销', 0, doc.page.height / 2 - 40, { width: doc.page.width, align: 'center' });
      doc.restore();
    }
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
