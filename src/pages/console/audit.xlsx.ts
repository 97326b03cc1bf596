// 审计日志 as XLSX (admins): the rows /console/audit lists for the same filter; the export is itself audited.
import type { APIRoute } from 'astro';
import { appDb } from '../../lib/db.ts';
import { requireAbility } from '../../lib/guards.ts';
import { audit } from '../../domain/audit/index.ts';
import { exportAudit } from '../../domain/audit/export.ts';
import { parseAuditQuery } from '../../domain/audit/filter.ts';
import { shanghaiDay } from '../../lib/time.ts';

export const GET: APIRoute = async (ctx) => {
  const user = await requireAbility(ctx, 'audit.read');
  if (user instanceof Response) return user;
  const parsed = parseAuditQuery(ctx.url.searchParams);
  const problems = Object.values(parsed.errors);
  if (problems.length) {
    return new Response(`筛选条件有误：${problems.join('；')}。请返回审计日志页面修改后再导出。`, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  const db = await appDb();
  const { buffer, rows, total } = await exportAudit(db, parsed.filter, parsed.description, user.realName);
  await audit(db, { actorId: user.id, action: 'audit.export', targetType: 'audit_log', after: { filter: parsed.description, rows, total }, ip: ctx.clientAddress });
  const name = `审计日志-${shanghaiDay(Date.now())}.xlsx`;
  return new Response(new Uint8Array(buffer), {
    headers: {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="audit-log.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'private, no-store',
    },
  });
};
