// Shared by the two 台账 endpoints: parse the query, audit, answer with the file as it is written.
import { positiveInt } from '../../lib/ids.ts';
import type { Db } from '../../../db/client.ts';
import { audit } from '../audit/index.ts';
import { shanghaiDay } from '../../lib/time.ts';
import { ledgerStream, type LedgerFilter } from './ledger.ts';

const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);

/**
 * The XLSX response for a filter, streamed (docs/decisions/108). The export is logged in the audit log
 * before the first byte goes out — with the filter, not the row count, which is known only at the end:
 * what an audit must hold is that the data left, even when the download is cut short.
 * `ready` is the response's backpressure (`locals.clientReady`): without it a slow client would make
 * the server buffer the file.
 */
export async function ledgerResponse(
  db: Db,
  actor: { id: number; realName: string },
  query: URLSearchParams,
  scope: { teamIds?: number[] },
  ip?: string,
  ready?: () => Promise<void>,
): Promise<Response> {
  const f: LedgerFilter = {
    teamIds: scope.teamIds,
    // Only well-formed values reach the query (hostile URLs answered 500; issue 9).
    teamId: positiveInt(query.get('team')),
    from: day(query.get('from')),
    to: day(query.get('to')),
    status: query.get('status') || undefined,
  };
  const body = await ledgerStream(db, f, { exportedBy: actor.realName }, { ready });
  await audit(db, { actorId: actor.id, action: 'hours.ledger.export', targetType: 'hour_records', after: { ...f }, ip });
  const name = `志愿服务记录台账-${shanghaiDay(Date.now())}.xlsx`;
  return new Response(body, {
    headers: {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="ledger.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'private, no-store',
    },
  });
}
