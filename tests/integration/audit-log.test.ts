// Issue 17, item 4: the audit log an inspector can read — Chinese action names, the operator by name and
// role, changes field by field in Beijing time, filters by person, object, action and dates, and an XLSX
// export that opens in LibreOffice with real date cells.
import { beforeAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { freshDb } from '../helpers/db.ts';
import { printSpreadsheet } from '../helpers/spreadsheet-pdf.ts';
import { audit } from '../../src/domain/audit/index.ts';
import { searchAudit } from '../../src/domain/audit/search.ts';
import { auditChanges } from '../../src/domain/audit/present.ts';
import { exportAudit } from '../../src/domain/audit/export.ts';
import { parseAuditQuery } from '../../src/domain/audit/filter.ts';
import { setTeamStatus } from '../../src/domain/teams/membership.ts';
import { fromShanghai } from '../../src/lib/time.ts';

let db: Awaited<ReturnType<typeof freshDb>>;
let adminId: number;
let teamId: number;
let seededByAdmin: number;
const when = fromShanghai('2026-11-20', '09:05');

beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
  adminId = Number((await db.all<{ id: number }>(sql`SELECT id FROM users WHERE phone = '13900000001'`))[0].id);
  teamId = Number((await db.all<{ id: number }>(sql`SELECT id FROM teams WHERE slug = 'chengguan-red-vest'`))[0].id);
  // What the demo seed itself audited under the administrator (grants it records as theirs).
  seededByAdmin = Number((await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM audit_log WHERE actor_id = ${adminId}`))[0].n);
  await setTeamStatus(db, adminId, teamId, 'suspended');
  await db.run(sql`UPDATE audit_log SET at = ${when} WHERE action = 'team.suspended'`);
  const batch = Number((await db.all<{ id: number }>(sql`SELECT id FROM honor_batches ORDER BY id LIMIT 1`))[0].id);
  await audit(db, { actorId: adminId, action: 'honors.batch.publish', targetType: 'honor_batch', targetId: batch, before: { status: 'review' }, after: { status: 'published' } });
  await audit(db, {
    actorId: adminId,
    action: 'hours.create.leader',
    targetType: 'hour_record',
    targetId: 1,
    after: { startsAt: fromShanghai('2026-11-18', '14:00'), endsAt: fromShanghai('2026-11-18', '16:30'), minutes: 150, status: 'pending' },
  });
}, 120_000);

describe('the audit log reads in Chinese', () => {
  test('an entry shows the operator by name and role, the object by title and the change field by field', async () => {
    const { rows } = await searchAudit(db, { action: 'team.suspended' });
    expect(rows).toHaveLength(1);
    const [r] = rows;
    expect(r.actorName).toBe('周文涛');
    expect(r.actorRole).toBe('系统管理员');
    expect(r.targetTitle).toBe('城关镇红马甲志愿服务队');
    expect(auditChanges(r.before, r.after)).toEqual([{ label: '状态', before: '正常', after: '已暂停' }]);
  });

  test('times in before/after are Beijing times, minutes read as hours, never epoch milliseconds', async () => {
    const [r] = (await searchAudit(db, { action: 'hours.create.leader' })).rows;
    const changes = auditChanges(r.before, r.after);
    expect(changes).toContainEqual({ label: '开始时间', before: '', after: '2026/11/18 14:00' });
    expect(changes).toContainEqual({ label: '时长', before: '', after: '150 分钟（2.5 小时）' });
    expect(JSON.stringify(changes)).not.toMatch(/\d{12,}/);
  });

  test.each([
    // The administrator's three entries above, plus what the seed audited under them.
    ['person by name', '?who=周文', -3],
    ['person by number (no match)', '?who=999999', 0],
    ['person by mobile number', '?who=13900000001', -3],
    ['object by title', '?target=红马甲', 1],
    ['object by type and number', '?type=honor_batch&target=1', 1],
    ['action group', '?action=honors.', 1],
    ['one day (Beijing)', '?from=2026-11-20&to=2026-11-20', 1],
  ])('filter: %s', async (_, qs, n) => {
    const { filter, errors } = parseAuditQuery(new URLSearchParams(qs));
    expect(errors).toEqual({});
    expect((await searchAudit(db, filter)).total).toBe(n < 0 ? -n + seededByAdmin : n);
  });

  test('a bad filter is named next to its field, not run', () => {
    const { errors } = parseAuditQuery(new URLSearchParams('action=constructor&type=__proto__&from=2026-02-31&to=2026-01-01'));
    expect(errors).toEqual({ action: '请从列表中选择操作', type: '请从列表中选择对象类型', from: '请输入有效日期，如 2026-12-01' });
    expect(parseAuditQuery(new URLSearchParams('from=2026-12-02&to=2026-12-01')).errors).toEqual({ to: '截止日期不能早于起始日期' });
  });
});

describe('the audit export', () => {
  test('is an XLSX with a title row, frozen header, filters, real date cells and Chinese action names', async () => {
    const parsed = parseAuditQuery(new URLSearchParams('who=周文涛'));
    const now = fromShanghai('2026-12-03', '10:00');
    const { buffer, rows } = await exportAudit(db, parsed.filter, parsed.description, '周文涛', now);
    expect(rows).toBeGreaterThanOrEqual(3);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('审计日志')!;
    expect(String(ws.getCell('A1').value)).toBe('云溪县志愿服务平台审计日志');
    expect(String(ws.getCell('A2').value)).toContain('操作人：姓名含“周文涛”');
    expect(String(ws.getCell('A2').value)).toContain('导出时间：2026/12/03 10:00（北京时间）');
    expect(ws.getRow(3).values).toEqual([undefined, '序号', '时间（北京时间）', '操作人', '操作人身份', '操作', '对象', '变更内容', '说明', 'IP 地址', '日志编号']);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(ws.autoFilter).toBeTruthy();
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9 });
    const body = ws.getRows(4, ws.rowCount - 3)!;
    const suspended = body.find((r) => r.getCell(5).value === '暂停队伍')!;
    expect(suspended).toBeTruthy();
    // A real date cell holding Beijing wall-clock time (exceljs reads the serial back as that UTC instant).
    expect(suspended.getCell(2).value).toBeInstanceOf(Date);
    expect((suspended.getCell(2).value as Date).toISOString()).toBe('2026-11-20T09:05:00.000Z');
    expect(suspended.getCell(3).value).toBe('周文涛');
    expect(suspended.getCell(4).value).toBe('系统管理员');
    expect(String(suspended.getCell(6).value)).toContain('队伍 #');
    expect(suspended.getCell(7).value).toBe('状态：正常 → 已暂停');
    for (const r of body) expect(String(r.getCell(5).value)).not.toMatch(/^[a-z_.]+$/);
  });

  test('opens in LibreOffice: Chinese action names and Beijing times on A4 landscape pages', async () => {
    const parsed = parseAuditQuery(new URLSearchParams(''));
    const { buffer } = await exportAudit(db, parsed.filter, parsed.description, '周文涛');
    const printed = await printSpreadsheet(buffer, 'audit');
    expect(printed.text).toContain('审计日志');
    expect(printed.text).toContain('发布评选结果');
    expect(printed.text).toContain('暂停队伍');
    expect(printed.text).toContain('2026-11-20 09:05');
    expect(printed.text).not.toContain('honors.batch.publish');
    expect(printed.text).toContain('第 1 页');
    expect(printed.size[0]).toBeGreaterThan(printed.size[1]);
    expect(printed.size).toEqual([842, 595]);
  }, 120_000);
});
