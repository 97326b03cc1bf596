// The 推荐表 as a Word document (docx, a maintained library; docs/decisions/093): the grid form the
// next level asks for, with the ID photo in its corner, so the receiving office can edit and print it.
import { AlignmentType, Document, Footer, HeightRule, ImageRun, Packer, PageNumber, Paragraph, Table, TableCell, TableRow, TextRun, VerticalAlignTable, WidthType } from 'docx';
import type { RecommendationSheet } from './recommendation.ts';
import { charCount } from './schemas.ts';

const FONT = { ascii: 'SimSun', eastAsia: '宋体', hAnsi: 'SimSun' };
const run = (text: string, opts: { bold?: boolean; size?: number } = {}) => new TextRun({ text, font: FONT, size: opts.size ?? 24, bold: opts.bold });

/** A table cell with one paragraph per line of text. */
function cell(text: string, opts: { label?: boolean; span?: number; rowSpan?: number; width?: number; align?: (typeof AlignmentType)[keyof typeof AlignmentType] } = {}): TableCell {
  const lines = text.split(/\r?\n/);
  return new TableCell({
    columnSpan: opts.span,
    rowSpan: opts.rowSpan,
    width: opts.width ? { size: opts.width, type: WidthType.PERCENTAGE } : undefined,
    verticalAlign: VerticalAlignTable.CENTER,
    margins: { top: 60, bottom: 60, left: 100, right: 100 },
    children: lines.map((l) => new Paragraph({ alignment: opts.align ?? (opts.label ? AlignmentType.CENTER : AlignmentType.LEFT), children: [run(l, { bold: opts.label })] })),
  });
}

/** The 推荐表 of one honoree as DOCX bytes. */
export async function renderRecommendationDocx(s: RecommendationSheet): Promise<Uint8Array> {
  const e = s.entry;
  const photo = s.idPhoto
    ? new TableCell({
        rowSpan: 4,
        width: { size: 18, type: WidthType.PERCENTAGE },
        verticalAlign: VerticalAlignTable.CENTER,
        children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new ImageRun({ type: 'jpg', data: s.idPhoto, transformation: { width: 96, height: 128 } })] })],
      })
    : cell(e.kind === 'person' ? '（证件照）' : '', { rowSpan: 4, width: 18, align: AlignmentType.CENTER });
  const deeds = e.mainDeeds.trim() || '（未填写）';
  const rows = [
    new TableRow({ children: [cell('姓　　名', { label: true, width: 16 }), cell(e.name, { width: 25 }), cell('性　　别', { label: true, width: 16 }), cell(e.gender || '—', { width: 25 }), photo] }),
    new TableRow({ children: [cell('出生年月', { label: true }), cell(e.birthMonth ? e.birthMonth.replace('-', '年') + '月' : '—'), cell('民　　族', { label: true }), cell(e.ethnicity || '—')] }),
    new TableRow({ children: [cell('政治面貌', { label: true }), cell(e.politicalStatus || '—'), cell('推荐类别', { label: true }), cell(e.category)] }),
    new TableRow({ children: [cell('工作单位\n及职务', { label: true }), cell(e.workplace || '—', { span: 3 })] }),
    new TableRow({ children: [cell(`事迹简介\n（${charCount(e.summary)} 字）`, { label: true }), cell(e.summary, { span: 4 })] }),
    new TableRow({
      height: { value: 6000, rule: HeightRule.ATLEAST },
      children: [cell(`主要事迹\n（${charCount(e.mainDeeds.replace(/\s+/g, ''))} 字）`, { label: true }), cell(deeds, { span: 4 })],
    }),
    new TableRow({
      height: { value: 2200, rule: HeightRule.ATLEAST },
      children: [cell('推荐单位\n意　　见', { label: true }), cell(`${s.opinion}\n\n推荐单位（盖章）：${s.organiser}\n${s.date}`, { span: 4 })],
    }),
  ];
  const doc = new Document({
    creator: s.organiser,
    title: `${s.levelLabel}推荐表 ${e.name}`,
    styles: { default: { document: { run: { font: FONT, size: 24 } } } },
    sections: [
      {
        properties: { page: { size: { width: 11906, height: 16838 }, margin: { top: 1440, bottom: 1440, left: 1300, right: 1300 } } },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [run(`${s.levelLabel}推荐表 · ${e.name} · 第 `, { size: 18 }), new TextRun({ children: [PageNumber.CURRENT], size: 18 }), run(' 页', { size: 18 })],
              }),
            ],
          }),
        },
        children: [
          new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 300 }, children: [run(`${s.levelLabel}推荐表`, { bold: true, size: 40 })] }),
          new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows }),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}
