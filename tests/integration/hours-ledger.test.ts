// Issue 19, item 1: the 台账 a county can file — the fields of 《志愿服务记录办法》, real date cells in
// Beijing time, a title row, frozen header and filters, A4 landscape with the header on every printed page,
// and the seeded records reviewed by someone who is not the volunteer, after the service.
import { beforeAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { freshDb } from '../helpers/db.ts';
import { printSpreadsheet } from '../helpers/spreadsheet-pdf.ts';
import { exportLedger } from '../../src/domain/hours/ledger.ts';
import { reviewSeededHours } from '../../db/seed-hours.ts';
import { seedOrderDelivery } from '../../db/seed-order-delivery.ts';
import { fromShanghai } from '../../src/lib/time.ts';

let db: Awaited<ReturnType<typeof freshDb>>;
let teamId: number;
const NOW = fromShanghai('2026-12-03', '10:00');

beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
  teamId = Number((await db.all<{ id: number }>(sql`SELECT id FROM teams WHERE slug = 'chengguan-red-vest'`))[0].id);
}, 120_000);

async function sheetOf(buffer: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  return wb.worksheets[0];
}

const HEADERS = [
  '记录号',
  '志愿者',
  '志愿者编号',
  '队伍',
  '服务项目名称',
  '服务日期',
  '开始',
  '结束',
  '服务时长（小时）',
  '服务地点',
  '服务对象',
  '服务内容',
  '服务质量评价',
  '负责人',
  '记录人',
  '记录方式',
  '状态',
  '审核人',
  '审核时间',
  '说明',
];
/** A team's ledger: its title row names the team, so there is no 队伍 column. */
const TEAM_HEADERS = HEADERS.filter((h) => h !== '队伍');

describe('the 台账 XLSX', () => {
  test('title row, the fields of 《志愿服务记录办法》, frozen header, filters, A4 landscape with repeated header and page numbers', async () => {
    const { buffer, rows } = await exportLedger(db, { teamIds: [teamId], status: 'confirmed' }, { exportedBy: '李建华', now: NOW });
    expect(rows).toBeGreaterThan(50);
    const ws = await sheetOf(buffer);
    expect(ws.getCell('A1').value).toBe('云溪县志愿服务记录台账');
    const line = String(ws.getCell('A2').value);
    expect(line).toContain('队伍：城关镇红马甲志愿服务队');
    expect(line).toContain('记录状态：已确认');
    expect(line).toContain('导出时间：2026/12/03 10:00（北京时间）；导出人：李建华');
    expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual(TEAM_HEADERS);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(ws.autoFilter).toBeTruthy();
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToWidth: 1, fitToHeight: 0 });
    expect(ws.headerFooter.oddFooter).toContain('&P');
    expect(ws.rowCount).toBe(rows + 3);
  });

  test('dates and times are date cells holding Beijing wall-clock time; every confirmed row has 审核人, a later 审核时间 and a 负责人', async () => {
    const { buffer } = await exportLedger(db, { teamIds: [teamId], status: 'confirmed' });
    const ws = await sheetOf(buffer);
    const col = (h: string) => TEAM_HEADERS.indexOf(h) + 1;
    let checked = 0;
    for (let i = 4; i <= ws.rowCount; i++) {
      const row = ws.getRow(i);
      const id = Number(row.getCell(1).value);
      const [rec] = await db.all<{ starts_at: number; ends_at: number; reviewed_at: number; user_id: number; reviewer_id: number }>(
        sql`SELECT starts_at, ends_at, reviewed_at, user_id, reviewer_id FROM hour_records WHERE id = ${id}`,
      );
      const day = row.getCell(col('服务日期')).value;
      const start = row.getCell(col('开始')).value;
      const reviewedAt = row.getCell(col('审核时间')).value;
      expect(day).toBeInstanceOf(Date);
      expect(start).toBeInstanceOf(Date);
      expect(reviewedAt).toBeInstanceOf(Date);
      // The serial is the Beijing wall clock: read back as UTC it is the instant plus eight hours.
      expect((start as Date).getTime()).toBe(rec.starts_at + 8 * 3600_000);
      expect((reviewedAt as Date).getTime()).toBe(rec.reviewed_at + 8 * 3600_000);
      expect(rec.reviewed_at).toBeGreaterThan(rec.ends_at);
      expect(rec.reviewer_id).not.toBe(rec.user_id);
      expect(String(row.getCell(col('审核人')).value ?? '')).not.toBe('');
      expect(String(row.getCell(col('负责人')).value ?? '')).not.toBe('');
      expect(row.getCell(col('服务质量评价')).value).toBe('合格');
      expect(typeof row.getCell(col('服务时长（小时）')).value).toBe('number');
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  test('an event record names its place and project; the leader records and the reviewer confirm', async () => {
    const { buffer } = await exportLedger(db, { status: 'confirmed' });
    const ws = await sheetOf(buffer);
    expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual(HEADERS);
    const rows = ws.getRows(4, ws.rowCount - 3)!;
    const withEvent = rows.find((r) => r.getCell(16).value === '签到签退' && String(r.getCell(10).value ?? '') !== '');
    expect(withEvent).toBeTruthy();
    const entered = rows.find((r) => r.getCell(16).value === '队长录入')!;
    expect(entered.getCell(5).value).toBe('队伍日常志愿服务');
    expect(String(entered.getCell(15).value ?? '')).not.toBe('');
  });

  test('opens in LibreOffice: A4 landscape, the header on every page, page numbers, far fewer pages than 20', async () => {
    const { buffer, rows } = await exportLedger(db, { teamIds: [teamId] }, { exportedBy: '李建华', now: NOW });
    const printed = await printSpreadsheet(buffer, 'ledger');
    expect(printed.size).toEqual([842, 595]);
    expect(printed.pages).toBeGreaterThan(1);
    expect(printed.pages).toBeLessThan(20);
    const pages = printed.text.split('\f').filter((p) => p.trim());
    expect(pages).toHaveLength(printed.pages);
    for (const [i, p] of pages.entries()) {
      expect(p).toContain('服务项目名称');
      expect(p).toContain('审核人');
      expect(p).toContain(`第 ${i + 1} 页，共 ${printed.pages} 页`);
    }
    expect(pages[0]).toContain('云溪县志愿服务记录台账');
    expect(printed.text).not.toMatch(/'=/);
    expect(rows).toBeGreaterThan(100);
  }, 120_000);
});

describe('seeded records', () => {
  test('a database seeded before the fix gets plausible reviewers from the migration statements; real confirmations are untouched', async () => {
    const fresh = await freshDb({ seed: 'demo' });
    // The old seed: confirmed with no reviewer and the seed time as 审核时间.
    await fresh.run(sql`UPDATE hour_records SET reviewer_id = NULL, reviewed_at = created_at WHERE content IN ('参加志愿服务活动', '常态化志愿服务')`);
    // A real confirmation without a reviewer (say, imported) must not get one invented.
    await fresh.run(sql`UPDATE hour_records SET reviewer_id = NULL, reviewed_at = created_at, content = '导入的记录' WHERE id = (SELECT min(id) FROM hour_records WHERE status = 'confirmed')`);
    await reviewSeededHours(fresh);
    const [left] = await fresh.all<{ n: number }>(sql`SELECT count(*) AS n FROM hour_records WHERE status = 'confirmed' AND reviewer_id IS NULL`);
    expect(Number(left.n)).toBe(1);
    const [bad] = await fresh.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM hour_records WHERE status = 'confirmed' AND reviewer_id IS NOT NULL AND (reviewer_id = user_id OR reviewed_at <= ends_at OR reviewed_at > created_at)`,
    );
    expect(Number(bad.n)).toBe(0);
    // Reviewed in office hours (Beijing), unless the service ended so recently that the seed time caps it.
    const [night] = await fresh.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM hour_records WHERE status = 'confirmed' AND reviewer_id IS NOT NULL AND reviewed_at < created_at AND ((reviewed_at + 28800000) % 86400000) / 3600000 NOT BETWEEN 9 AND 17`,
    );
    expect(Number(night.n)).toBe(0);
  }, 120_000);

  test('at whatever hour the seed runs, the orders’ events lie between dispatch and done, and their hours are reviewed after the service', async () => {
    // The seed's times follow the clock it runs at: move the demo orders through every hour of a day and seed
    // the delivery again (a CI run at 06:08 Beijing once found hours reviewed before the service ended).
    const fresh = await freshDb({ seed: 'demo' });
    const clear = async () => {
      await fresh.run(sql`DELETE FROM hour_records WHERE content LIKE '点单服务：%'`);
      await fresh.run(sql`DELETE FROM service_order_steps WHERE kind IN ('progress', 'event') AND order_id IN (SELECT id FROM service_orders WHERE tracking_no LIKE 'DD-%-DEMO%')`);
      await fresh.run(sql`DELETE FROM service_order_notes`);
      await fresh.run(sql`DELETE FROM events WHERE service_order_id IN (SELECT id FROM service_orders WHERE tracking_no LIKE 'DD-%-DEMO%')`);
    };
    for (let hour = 0; hour < 24; hour++) {
      await clear();
      await fresh.run(sql`UPDATE service_orders SET dispatched_at = dispatched_at + 3600000, done_at = done_at + 3600000 WHERE tracking_no LIKE 'DD-%-DEMO%' AND done_at IS NOT NULL`);
      await seedOrderDelivery(fresh);
      const [events] = await fresh.all<{ n: number; outside: number }>(
        sql`SELECT count(*) AS n, sum(e.starts_at < o.dispatched_at OR e.ends_at > o.done_at) AS outside FROM events e JOIN service_orders o ON o.id = e.service_order_id WHERE o.tracking_no LIKE 'DD-%-DEMO%'`,
      );
      expect(Number(events.n), `hour ${hour}`).toBeGreaterThan(0);
      expect(Number(events.outside), `hour ${hour}`).toBe(0);
      const [hours] = await fresh.all<{ n: number; bad: number }>(
        sql`SELECT count(*) AS n, sum(reviewed_at <= ends_at OR reviewer_id = user_id) AS bad FROM hour_records WHERE content LIKE '点单服务：%'`,
      );
      expect(Number(hours.n), `hour ${hour}`).toBeGreaterThan(0);
      expect(Number(hours.bad), `hour ${hour}`).toBe(0);
    }
  }, 120_000);
});
