// Certificates (志愿服务记录证明), their PDF, and the 台账 export (issue 5).
import { beforeEach, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readXlsxFile from 'read-excel-file/node';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { fromShanghai } from '../../src/lib/time.ts';
import { setSetting } from '../../src/domain/settings/index.ts';
import { HoursError } from '../../src/domain/hours/errors.ts';
import { claimHours } from '../../src/domain/hours/claims.ts';
import { confirmRecords } from '../../src/domain/hours/review.ts';
import { certificateByCode, certificateRegister, declineCertificate, getCertificate, issueCertificate, requestCertificate, revokeCertificate } from '../../src/domain/hours/certificates.ts';
import { renderCertificatePdf } from '../../src/domain/hours/certificate-pdf.ts';
import { fontFor } from '../../src/lib/pdf-text.ts';
import { exportLedger } from '../../src/domain/hours/ledger.ts';
import { addMember, count, makeTeam, makeUser } from './hours-fixtures.ts';

const NOW = fromShanghai('2026-06-15', '20:00');
let db: Db;
let team: number;
let leader: number;

beforeEach(async () => {
  db = await freshDb();
  team = await makeTeam(db, '城关镇红马甲志愿服务队');
  leader = await makeUser(db, '李建华');
  await addMember(db, team, leader, 'leader');
});

async function volunteerWithHours(name: string, day = '2026-06-10', start = '09:00', end = '11:30', content = '社区敬老院陪护'): Promise<number> {
  const v = await makeUser(db, name);
  await addMember(db, team, v);
  const id = await claimHours(db, v, { teamId: team, day, start, end, content }, NOW);
  await confirmRecords(db, leader, [id], NOW);
  return v;
}

describe('certificates', () => {
  test('request → issue: number, code, snapshot with the four field groups; verify; revoke', async () => {
    const v = await volunteerWithHours('何思远');
    const id = await requestCertificate(db, v, { teamId: team, from: '2026-06-01', to: '2026-06-15', note: '用于学校社会实践' }, NOW);
    const other = await makeUser(db, '别的队长');
    await expect(issueCertificate(db, other, id, NOW)).rejects.toThrow(HoursError);
    const { number, code } = await issueCertificate(db, leader, id, NOW);
    expect(number).toBe('SX-2026-000001');
    const c = (await getCertificate(db, id))!;
    expect(c.status).toBe('issued');
    expect(c.snapshot).toMatchObject({
      volunteer: { name: '何思远', idType: '居民身份证', idMasked: '5101**********123X' },
      service: { totalMinutes: 150, items: [{ date: '2026-06-10', content: '社区敬老院陪护', minutes: 150 }] },
      issuer: { org: '城关镇红马甲志愿服务队', leader: '队长甲', handler: '李建华', contact: '0838-7654321' },
      notes: '用于学校社会实践',
    });
    expect((await certificateByCode(db, code.toLowerCase()))?.id).toBe(id);
    expect(await certificateByCode(db, 'NOSUCHCODE')).toBeNull();
    await expect(revokeCertificate(db, { id: other, mayManage: false }, id, '信息有误', NOW)).rejects.toThrow('队长');
    await expect(revokeCertificate(db, { id: leader, mayManage: false }, id, '', NOW)).rejects.toThrow('理由');
    await revokeCertificate(db, { id: other, mayManage: true }, id, '时长记录有误', NOW);
    expect(await certificateByCode(db, code)).toMatchObject({ status: 'revoked', revokeReason: '时长记录有误' });
    expect(await count(db, `audit_log WHERE target_type = 'certificate'`)).toBe(3);
    expect((await certificateRegister(db, { q: '何思远' })).map((r) => r.id)).toEqual([id]);
  });

  test('no confirmed hours in range → refused; one open request per team; decline needs reason', async () => {
    const v = await volunteerWithHours('张三');
    await expect(requestCertificate(db, v, { teamId: team, from: '2026-01-01', to: '2026-01-31' }, NOW)).rejects.toThrow('没有已确认的服务时长');
    await expect(requestCertificate(db, v, { teamId: team, from: '2026-06-15', to: '2026-06-01' }, NOW)).rejects.toThrow('结束日期不能早于开始日期');
    const id = await requestCertificate(db, v, { teamId: team, from: '2026-06-01', to: '2026-06-15' }, NOW);
    await expect(requestCertificate(db, v, { teamId: team, from: '2026-06-01', to: '2026-06-15' }, NOW)).rejects.toThrow('待出具');
    await expect(declineCertificate(db, leader, id, '', NOW)).rejects.toThrow('理由');
    await declineCertificate(db, leader, id, '请先补充活动照片', NOW);
    expect((await getCertificate(db, id))?.status).toBe('declined');
  });

  test('auto-issue when settings allow', async () => {
    await setSetting(db, 'autoIssueCertificates', true);
    const v = await volunteerWithHours('王五');
    const id = await requestCertificate(db, v, { teamId: team, from: '2026-06-01', to: '2026-06-15' }, NOW);
    const c = (await getCertificate(db, id))!;
    expect(c.status).toBe('issued');
    expect(c.snapshot?.issuer.handler).toBe('系统自动出具');
  });

  test('100 certificates issued in parallel get 100 distinct numbers', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 100; i++) {
      const v = await makeUser(db, `志愿者${i}`);
      await addMember(db, team, v);
      await db.$client.execute({
        sql: `INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, status, created_at) VALUES (?, ?, 'leader', ?, ?, 60, 'confirmed', 0)`,
        args: [v, team, fromShanghai('2026-06-10', '09:00'), fromShanghai('2026-06-10', '10:00')],
      });
      ids.push(await requestCertificate(db, v, { teamId: team, from: '2026-06-10', to: '2026-06-10' }, NOW));
    }
    // each certificate issued twice at once: only one issue wins, and numbers never repeat or skip
    const results = await Promise.allSettled([...ids, ...ids].map((id) => issueCertificate(db, leader, id, NOW)));
    const numbers = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ number: string }>).value.number);
    expect(numbers).toHaveLength(100);
    expect(new Set(numbers).size).toBe(100);
    expect(numbers.sort()).toEqual(Array.from({ length: 100 }, (_, i) => `SX-2026-${String(i + 1).padStart(6, '0')}`));
    expect(await count(db, `certificates WHERE status = 'issued' AND number IS NOT NULL`)).toBe(100);
  });
});

describe('certificate PDF', () => {
  test('A4, embedded font, extractable text with name, hours and number; rare characters render', async () => {
    const v = await volunteerWithHours('张虒絨');
    const id = await requestCertificate(db, v, { teamId: team, from: '2026-06-01', to: '2026-06-15' }, NOW);
    const { number, code } = await issueCertificate(db, leader, id, NOW);
    const c = (await getCertificate(db, id))!;
    const pdf = await renderCertificatePdf({ number, code, status: c.status, snapshot: c.snapshot!, verifyUrl: `http://127.0.0.1:4321/verify/${code}` });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'hours-pdf-'));
    const file = join(dir, 'cert.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('志愿服务记录证明');
    expect(text.replace(/\s+/g, '')).toContain('张虒絨');
    expect(text).toContain('2.5');
    expect(text).toContain(number);
    expect(text).toContain('5101**********123X');
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
    const fontsList = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    expect(
      fontsList
        .split('\n')
        .slice(2)
        .filter(Boolean)
        .every((l) => /yes\s+yes\s+yes/.test(l)),
    ).toBe(true);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, join(dir, 'page')]);
    expect(existsSync(join(dir, 'page-1.png'))).toBe(true);
    if (process.env.HOURS_PDF_OUT) writeFileSync(process.env.HOURS_PDF_OUT, pdf);
  });

  test('issue 19.2: seal area, signature lines, number and 第 n 页 共 m 页 on every page, plain 备注, no character without a glyph', async () => {
    const v = await makeUser(db, '张𠮷䶮');
    await addMember(db, team, v);
    // Forty services make the list run over one page.
    const ids: number[] = [];
    for (let d = 1; d <= 40; d++)
      ids.push(
        await claimHours(
          db,
          v,
          {
            teamId: team,
            day: `2026-05-${String(((d - 1) % 31) + 1).padStart(2, '0')}`,
            start: d > 31 ? '14:00' : '09:00',
            end: d > 31 ? '15:00' : '10:30',
            content: d === 1 ? '<i>敬老院</i>陪护' : `社区服务第${d}次`,
          },
          NOW,
        ),
      );
    await confirmRecords(db, leader, ids, NOW, ids.length);
    const id = await requestCertificate(db, v, { teamId: team, from: '2026-05-01', to: '2026-06-15', note: '<b>用于升学</b>&amp;评优' }, NOW);
    const { number, code } = await issueCertificate(db, leader, id, NOW);
    const c = (await getCertificate(db, id))!;
    expect(c.note).toBe('用于升学&评优');
    const pdf = await renderCertificatePdf({ number, code, status: c.status, snapshot: c.snapshot!, verifyUrl: `http://127.0.0.1:4321/verify/${code}` });
    const dir = mkdtempSync(join(tmpdir(), 'hours-pdf-'));
    const file = join(dir, 'cert.pdf');
    writeFileSync(file, pdf);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
    expect(pages).toBeGreaterThan(1);
    for (let p = 1; p <= pages; p++) {
      const pageText = execFileSync('pdftotext', ['-layout', '-f', String(p), '-l', String(p), file, '-'], { encoding: 'utf8' });
      expect(pageText).toContain(`证明编号：${number}`);
      expect(pageText.replace(/\s+/g, '')).toContain(`第${p}页共${pages}页`);
    }
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const label of ['出具单位（盖章）', '负责人（签字）', '经办人（签字）', '联系电话', '出具日期', '盖章处']) expect(text).toContain(label);
    expect(text).toContain('备注：用于升学&评优');
    expect(text).not.toContain('<b>');
    expect(text).not.toContain('<i>');
    expect(text).toContain('敬老院陪护');
    // Every character in the PDF has a glyph in an embedded font: 𠮷 and 䶮 are printed as 吉 and 龑, with a note.
    for (const ch of text) if (ch.codePointAt(0)! > 0x7f) expect(fontFor(ch.codePointAt(0)!), `${ch} U+${ch.codePointAt(0)!.toString(16)}`).not.toBeNull();
    expect(text.replace(/\s+/g, '')).toContain('张吉龑');
    expect(text).toContain('U+20BB7');
    execFileSync('pdftoppm', ['-png', '-r', '50', file, join(dir, 'page')]);
    expect(existsSync(join(dir, 'page-1.png'))).toBe(true);
    if (process.env.HOURS_PDF_OUT) writeFileSync(process.env.HOURS_PDF_OUT.replace(/\.pdf$/, '-long.pdf'), pdf);
  });
});

describe('ledger export', () => {
  test('XLSX filtered by team, date and status; injected content is inert', async () => {
    const v = await volunteerWithHours('赵六', '2026-06-10', '09:00', '10:00', '=cmd|"/c calc"!A1');
    const otherTeam = await makeTeam(db, '别的队');
    const otherLeader = await makeUser(db, '别的队长');
    await addMember(db, otherTeam, otherLeader, 'leader');
    await addMember(db, otherTeam, v);
    await claimHours(db, v, { teamId: otherTeam, day: '2026-06-11', start: '09:00', end: '10:00', content: '巡逻' }, NOW);
    const { buffer, rows } = await exportLedger(db, { teamIds: [team], from: '2026-06-01', to: '2026-06-15', status: 'confirmed' });
    expect(rows).toBe(1);
    // Title, description, header, then the rows (issue 19, item 1). The formula-looking content is a text
    // cell as typed: XLSX stores text as text, so no apostrophe shows (the guard stays in CSV).
    const [{ data: sheet }] = await readXlsxFile(buffer);
    expect(sheet[2]).toContain('志愿者');
    expect(sheet[3]).toContain('赵六');
    expect(sheet[3]).toContain(`=cmd|"/c calc"!A1`);
    expect(sheet[3]).not.toContain(`'=cmd|"/c calc"!A1`);
    expect((await exportLedger(db, {})).rows).toBe(2);
    expect((await exportLedger(db, { status: 'pending' })).rows).toBe(1);
    await expect(exportLedger(db, { teamIds: [] })).rejects.toThrow(HoursError);
  });

  test('a ledger longer than one page of reads comes out whole and in time order (streamed, keyset paging)', async () => {
    const bigTeam = await makeTeam(db, '台账分页测试队');
    const a = await makeUser(db, '分页甲');
    const b = await makeUser(db, '分页乙');
    const base = fromShanghai('2025-01-01', '08:00');
    // 4,501 one-hour records, two volunteers sharing each start time (ties broken by id), three hours apart.
    await db.$client.execute({
      sql: `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4500)
            INSERT INTO hour_records (user_id, team_id, source, starts_at, ends_at, minutes, content, status, created_at)
            SELECT CASE i % 2 WHEN 0 THEN ? ELSE ? END, ?, 'leader', ? + (i / 2) * 10800000, ? + (i / 2) * 10800000 + 3600000, 60, '第' || i || '条', 'confirmed', ? FROM n`,
      args: [a, b, bigTeam, base, base, NOW],
    });
    const { buffer, rows } = await exportLedger(db, { teamId: bigTeam });
    expect(rows).toBe(4501);
    const [{ data: sheet }] = await readXlsxFile(buffer);
    expect(sheet.length).toBe(4504);
    expect(sheet[3]).toContain('第0条');
    expect(sheet[4]).toContain('第1条');
    expect(sheet[4503]).toContain('第4500条');
    const ids = sheet.slice(3).map((r) => Number(r[0]));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
  });
});
