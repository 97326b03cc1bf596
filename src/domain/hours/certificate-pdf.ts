// The 志愿服务记录证明 as an A4 PDF: pdfkit with Noto Sans SC from @fontsource/noto-sans-sc.
// The 'chinese-simplified' subset lacks rare characters (虒, 絨), so every character it lacks
// is drawn with the numbered unicode-range file that covers it (unicode.json); see
// docs/decisions/032-certificate-pdf-fonts.md.
import PDFDocument from 'pdfkit';
import * as fontkit from 'fontkit';
import QRCode from 'qrcode';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CertificateSnapshot } from './certificates.ts';
import { woffToSfnt } from './woff.ts';
import { formatHoursValue } from './certificates.ts';

const require = createRequire(import.meta.url);

interface FontFile {
  name: string;
  path: string;
  ranges: [number, number][];
}

let fontsCache: { dir: string; main: FontFile; fallbacks: FontFile[] } | undefined;

/** Locates the font package and parses its unicode.json ranges (once per process). */
function fonts() {
  if (fontsCache) return fontsCache;
  const dir = dirname(require.resolve('@fontsource/noto-sans-sc/unicode.json'));
  const map = JSON.parse(readFileSync(join(dir, 'unicode.json'), 'utf8')) as Record<string, string>;
  const parse = (s: string): [number, number][] =>
    s.split(',').map((part) => {
      const [a, b] = part.trim().replace(/^U\+/i, '').split('-');
      return [parseInt(a, 16), parseInt(b ?? a, 16)];
    });
  const fallbacks: FontFile[] = Object.entries(map).map(([key, ranges]) => {
    const id = key.replace(/^\[(\d+)\]$/, '$1');
    return { name: `noto-${id}`, path: join(dir, 'files', `noto-sans-sc-${id}-400-normal.woff`), ranges: parse(ranges) };
  });
  fontsCache = { dir, main: { name: 'noto-sc', path: join(dir, 'files', 'noto-sans-sc-chinese-simplified-400-normal.woff'), ranges: [] }, fallbacks };
  return fontsCache;
}

const sfntCache = new Map<string, Buffer>();
/** The font file decompressed to SFNT once per process (see woff.ts for why). */
function fontBytes(path: string): Buffer {
  let b = sfntCache.get(path);
  if (!b) {
    b = woffToSfnt(readFileSync(path));
    sfntCache.set(path, b);
  }
  return b;
}

const glyphCache = new Map<string, { hasGlyphForCodePoint(cp: number): boolean }>();
function openFont(path: string) {
  let f = glyphCache.get(path);
  if (!f) {
    f = fontkit.create(fontBytes(path));
    glyphCache.set(path, f);
  }
  return f;
}

/** The font file to draw one code point with: the simplified subset when it has the glyph, else the numbered file covering it. */
export function fontFor(cp: number): FontFile {
  const { main, fallbacks } = fonts();
  if (cp < 0x80 || openFont(main.path).hasGlyphForCodePoint(cp)) return main;
  for (const f of fallbacks) {
    if (f.ranges.some(([a, b]) => cp >= a && cp <= b) && openFont(f.path).hasGlyphForCodePoint(cp)) return f;
  }
  return main;
}

/** Splits text into runs that share a font. */
export function fontRuns(text: string): { font: FontFile; text: string }[] {
  const runs: { font: FontFile; text: string }[] = [];
  for (const ch of text) {
    const f = fontFor(ch.codePointAt(0)!);
    const last = runs[runs.length - 1];
    if (last && last.font.name === f.name) last.text += ch;
    else runs.push({ font: f, text: ch });
  }
  return runs;
}

type Doc = PDFKit.PDFDocument;

/** Writes text with per-character font fallback; options as for doc.text. */
function write(doc: Doc, registered: Set<string>, text: string, x: number | undefined, y: number | undefined, opts: PDFKit.Mixins.TextOptions = {}) {
  const runs = fontRuns(text);
  runs.forEach((r, i) => {
    if (!registered.has(r.font.name)) {
      doc.registerFont(r.font.name, fontBytes(r.font.path));
      registered.add(r.font.name);
    }
    doc.font(r.font.name);
    const last = i === runs.length - 1;
    if (i === 0 && x !== undefined) doc.text(r.text, x, y, { ...opts, continued: !last });
    else doc.text(r.text, { ...opts, continued: !last });
  });
}

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
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `志愿服务记录证明 ${c.number}`, Author: c.snapshot.issuer.org } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const reg = new Set<string>();
  const s = c.snapshot;
  const left = 56;
  const width = doc.page.width - 112;

  doc.fillColor('#b3261e');
  doc.fontSize(26);
  write(doc, reg, '志愿服务记录证明', left, 70, { width, align: 'center', characterSpacing: 4 });
  doc.fillColor('#222').fontSize(10.5);
  write(doc, reg, `证明编号：${c.number}`, left, 118, { width, align: 'right' });
  doc
    .moveTo(left, 138)
    .lineTo(left + width, 138)
    .lineWidth(1)
    .strokeColor('#b3261e')
    .stroke();

  doc.fontSize(12.5).fillColor('#111');
  const period = s.service.periodFrom === s.service.periodTo ? s.service.periodFrom : `${s.service.periodFrom} 至 ${s.service.periodTo}`;
  write(
    doc,
    reg,
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
    write(doc, reg, '服务日期', cols[0] + 6, y, { width: 100 });
    write(doc, reg, '服务内容', cols[1] + 6, y, { width: cols[2] - cols[1] - 12 });
    write(doc, reg, '时长（小时）', cols[2] + 6, y, { width: 84 });
    y += 24;
  };
  header();
  for (const it of s.service.items) {
    if (y > doc.page.height - 250) {
      doc.addPage();
      y = 70;
      header();
    }
    const rowTop = y;
    write(doc, reg, it.date, cols[0] + 6, rowTop, { width: 100 });
    write(doc, reg, it.content, cols[1] + 6, rowTop, { width: cols[2] - cols[1] - 12 });
    const after = doc.y;
    write(doc, reg, formatHoursValue(it.minutes), cols[2] + 6, rowTop, { width: 84 });
    y = Math.max(after, rowTop + 16) + 6;
    doc
      .moveTo(left, y - 3)
      .lineTo(left + width, y - 3)
      .lineWidth(0.5)
      .strokeColor('#cccccc')
      .stroke();
  }
  doc.fontSize(11);
  write(doc, reg, `合计：${s.service.items.length} 次，${formatHoursValue(s.service.totalMinutes)} 小时`, left, y + 4, { width, align: 'right' });

  // Issuer block and QR code
  y = Math.max(doc.y + 24, doc.page.height - 260);
  if (y > doc.page.height - 230) {
    doc.addPage();
    y = 70;
  }
  doc.fontSize(12);
  const lines = [
    `出具单位：${s.issuer.org}`,
    `负责人：${s.issuer.leader || '—'}`,
    `经办人：${s.issuer.handler || '—'}`,
    `联系电话：${s.issuer.contact || '—'}`,
    `出具日期：${s.issueDate}`,
    `备注：${s.notes || '无'}`,
  ];
  let ly = y;
  for (const l of lines) {
    write(doc, reg, l, left, ly, { width: width - 150 });
    ly = doc.y + 6;
  }
  const qr = QRCode.create(c.verifyUrl, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const box = 120;
  const cell = box / size;
  const qx = left + width - box;
  const qy = y;
  doc.fillColor('#000');
  for (let r = 0; r < size; r++) {
    for (let col = 0; col < size; col++) {
      if (qr.modules.get(r, col)) doc.rect(qx + col * cell, qy + r * cell, cell + 0.1, cell + 0.1).fill();
    }
  }
  doc.fontSize(9).fillColor('#333');
  write(doc, reg, `扫码查验 · 查验码 ${c.code}`, qx - 30, qy + box + 6, { width: box + 30, align: 'right' });
  doc.fontSize(8.5);
  write(doc, reg, c.verifyUrl, left, doc.page.height - 90, { width, align: 'center' });
  write(doc, reg, '本证明依据《志愿服务记录与证明出具办法》出具，免费、如实。真伪请扫码或登录网站“证明查验”核对。', left, doc.page.height - 76, { width, align: 'center' });

  if (c.status === 'revoked') {
    doc.save();
    doc.rotate(-20, { origin: [doc.page.width / 2, doc.page.height / 2] });
    doc.fontSize(60).fillColor('#d32f2f').fillOpacity(0.35);
    write(doc, reg, '已撤销', 0, doc.page.height / 2 - 40, { width: doc.page.width, align: 'center' });
    doc.restore();
  }
  doc.end();
  return done;
}
