// Shared by the two 台账 endpoints: parse the query, export, audit, answer with the file.
import { positiveInt } from '../../lib/ids.ts';
import type { Db } from '../../../db/client.ts';
import { audit } from '../audit/index.ts';
import { shanghaiDay } from '../../lib/time.ts';
import { exportLedger, type LedgerFilter } from './ledger.ts';

const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);

/** The XLSX response for a filter; the export is logged in the audit log. */
export async function ledgerResponse(db: Db, actor: { id: number; realName: string }, query: URLSearchParams, scope: { teamIds?: number[] }, ip?: string): Promise<Response> {
  const f: LedgerFilter = {
    teamIds: scope.teamIds,
    // Only well-formed values reach the query (hostile URLs answered 500; issue 9).
    teamId: positiveInt(query.get('team')),
    from: day(query.get('from')),
    to: day(query.get('to')),
    status: query.get('status') || undefined,
  };
  const { buffer, rows } = await exportLedger(db, f, { exportedBy: actor.realName });
  await audit(db, { actorId: actor.id, action: 'hours.ledger.export', targetType: 'hour_records', after: { ...f, rows }, ip });
  const name = `志愿服务记录台账-${shanghaiDay(Date.now())}.xlsx`;
  return new Response(new Uint8Array(buffer), {
    headers: {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="ledger.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'private, no-store',
    },
  });
}
