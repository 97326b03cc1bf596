// Who may open a certificate's PDF or printable page: its owner, the issuing team's leaders, staff.
import type { Db } from '../../../db/client.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { can, isTeamLeader } from '../accounts/policy.ts';
import type { CertificateRow } from './certificates.ts';

/** Whether the user may view the certificate document. */
export async function mayViewCertificate(db: Db, user: SessionUser, cert: CertificateRow): Promise<boolean> {
  if (cert.userId === user.id) return true;
  if (can(user, 'certificates.manage')) return true;
  return isTeamLeader(db, user, cert.teamId);
}
