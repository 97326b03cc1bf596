// The certificate as a PDF download (owner, the team's leaders, staff).
import type { APIRoute } from 'astro';
import { appDb } from '../../../../lib/db.ts';
import { config } from '../../../../lib/config.ts';
import { loginUrl } from '../../../../lib/guards.ts';
import { getCertificate } from '../../../../domain/hours/certificates.ts';
import { mayViewCertificate } from '../../../../domain/hours/access.ts';
import { renderCertificatePdf } from '../../../../domain/hours/certificate-pdf.ts';

export const GET: APIRoute = async (ctx) => {
  const user = ctx.locals.user;
  if (!user) return ctx.redirect(loginUrl(ctx.url), 303);
  const db = await appDb();
  const id = Number(ctx.params.id);
  const cert = Number.isInteger(id) && id > 0 ? await getCertificate(db, id) : null;
  if (!cert || !cert.snapshot || !cert.number || !cert.code || !(await mayViewCertificate(db, user, cert))) return ctx.rewrite('/404');
  const pdf = await renderCertificatePdf({
    number: cert.number,
    code: cert.code,
    status: cert.status,
    revokedAt: cert.revokedAt,
    revokeReason: cert.revokeReason,
    snapshot: cert.snapshot,
    verifyUrl: `${config().siteUrl}/verify/${cert.code}`,
  });
  return new Response(new Uint8Array(pdf), {
    headers: {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${cert.number}.pdf"; filename*=UTF-8''${encodeURIComponent(`志愿服务记录证明-${cert.number}.pdf`)}`,
      'Cache-Control': 'private, no-store',
    },
  });
};
