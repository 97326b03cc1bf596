// The insurer's list for an insured event (issue 18, item 11): name, ID document and phone in full, because an
// accident policy names the insured. Only for an event with a recorded policy (已投保), only on the leader's
// explicit POST, audited; every other export carries masks (export.ts).
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { isTeamLeader } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { audit } from '../audit/index.ts';
import { Refusal } from '../refusal.ts';
import { decryptText } from '../../lib/pii.ts';
import { formatDateTime } from '../../lib/time.ts';
import { neutralise } from './export.ts';

export const INSURANCE_HEADERS = ['序号', '姓名', '证件类型', '证件号码', '手机号', '报名状态'];

/** An insurance export refused. */
export class InsuranceExportRefused extends Refusal {
  constructor(status: 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT', message: string) {
    super(status, message);
    this.name = 'InsuranceExportRefused';
  }
}

/** Whether an event counts as insured: its organiser recorded the accident policy (条例 art. 17). */
export function isInsured(e: { insurancePolicy: string | null }): boolean {
  return !!e.insurancePolicy?.trim();
}

/**
 * The insurer's workbook for event `eventId` of team `teamId`: the people holding a seat (报名 or 出勤), ID numbers
 * decrypted with `secretKey`. Refused unless `user` leads the team and the event is insured; the audit row is
 * written before any byte is returned.
 */
export async function insuranceExport(db: Db, secretKey: Buffer, user: SessionUser, teamId: number, eventId: number, ip?: string): Promise<{ title: string; bytes: Buffer; rows: number }> {
  if (!(await isTeamLeader(db, user, teamId))) throw new InsuranceExportRefused('FORBIDDEN', '只有本队负责人可以导出投保名单');
  const [e] = await db.all<{ title: string; insurance_policy: string | null; starts_at: number }>(
    sql`SELECT title, insurance_policy, starts_at FROM events WHERE id = ${eventId} AND team_id = ${teamId}`,
  );
  if (!e) throw new InsuranceExportRefused('NOT_FOUND', '活动不存在');
  if (!isInsured({ insurancePolicy: e.insurance_policy }))
    throw new InsuranceExportRefused('CONFLICT', '该活动未登记保险单号（未投保），不能导出投保名单；普通名单请使用“导出 Excel”，其中手机号已脱敏');
  const people = await db.all<{ seq: number; real_name: string; id_type: string | null; id_number_enc: string | null; id_number_masked: string | null; phone: string | null; status: string }>(sql`
    SELECT s.seq, u.real_name, u.id_type, u.id_number_enc, u.id_number_masked, u.phone, s.status
      FROM signups s JOIN users u ON u.id = s.user_id
     WHERE s.event_id = ${eventId} AND s.status IN ('confirmed', 'attended') AND u.status = 'active'
     ORDER BY s.seq`);
  await audit(db, { actorId: user.id, action: 'event.insurance_export', targetType: 'event', targetId: eventId, detail: `${people.length} 人，保单 ${e.insurance_policy}`, ip });
  const wb = new ExcelJS.Workbook();
  wb.creator = '善行';
  const ws = wb.addWorksheet('投保名单');
  ws.addRow([`${e.title} · ${formatDateTime(Number(e.starts_at))} · 保单号 ${neutralise(String(e.insurance_policy))}`]);
  ws.addRow(INSURANCE_HEADERS);
  ws.getRow(2).font = { bold: true };
  people.forEach((p, i) => {
    let id = p.id_number_masked ?? '';
    try {
      if (p.id_number_enc) id = decryptText(secretKey, p.id_number_enc);
    } catch {
      // a wrong SECRET_KEY: the masked form, which the insurer will query, rather than a failed export
    }
    ws.addRow([i + 1, neutralise(p.real_name), p.id_type ?? '', id, p.phone ?? '', p.status === 'attended' ? '已出勤' : '已报名']);
  });
  ws.columns.forEach((c) => {
    c.width = 20;
  });
  return { title: e.title, bytes: Buffer.from(await wb.xlsx.writeBuffer()), rows: people.length };
}
