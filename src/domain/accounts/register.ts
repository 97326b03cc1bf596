// Real-name volunteer registration (issue 3): one account per phone and per ID number,
// region pair checked, consent versions and guardian consent recorded.
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { users } from '../../../db/schema/index.ts';
import { keyedHash } from '../../lib/pii.ts';
import { validRegionPair } from '../regions/index.ts';
import { getSettings } from '../settings/index.ts';
import { audit } from '../audit/index.ts';
import { hitRateLimit } from './rate-limit.ts';
import { checkIdDocument, minorStatus, type RegisterInput } from './schemas.ts';
import { createUser } from './users.ts';
import { AccountError, RateLimitedError, isUniqueViolation } from './errors.ts';

export const REGISTRATIONS_PER_IP_PER_HOUR = 10;
const HOUR = 3600_000;

/** The keyed hash that makes an ID document unique (type + normalised number). */
export function idNumberHash(secretKey: Buffer, idType: string, idNumber: string): string {
  return keyedHash(secretKey, `${idType}:${idNumber.replace(/\s+/g, '').toUpperCase()}`);
}

/** Field problems that need the database: taken phone or ID, village outside the town. */
export async function registrationConflicts(
  db: Db,
  secretKey: Buffer,
  v: { phone?: unknown; idType?: unknown; idNumber?: unknown; townId?: unknown; villageId?: unknown },
): Promise<{ field: string; message: string }[]> {
  const out: { field: string; message: string }[] = [];
  if (typeof v.phone === 'string' && /^1[3-9]\d{9}$/.test(v.phone)) {
    const [row] = await db.select({ id: users.id }).from(users).where(eq(users.phone, v.phone));
    if (row) out.push({ field: 'phone', message: '该手机号已注册，请直接登录；忘记密码请联系管理员重置' });
  }
  if (typeof v.idType === 'string' && typeof v.idNumber === 'string') {
    const doc = checkIdDocument(v.idType, v.idNumber);
    if (doc.ok) {
      const [row] = await db.select({ id: users.id }).from(users).where(eq(users.idNumberHash, idNumberHash(secretKey, v.idType, doc.idNumber)));
      if (row) out.push({ field: 'idNumber', message: '该证件号码已注册过账户（一人只能注册一个账户），如有疑问请联系管理员' });
    }
  }
  if (typeof v.townId === 'number' && typeof v.villageId === 'number' && !(await validRegionPair(db, v.townId, v.villageId))) {
    out.push({ field: 'villageId', message: '所选村/社区不属于所选乡镇/街道，请重新选择' });
  }
  return out;
}

/** Creates a volunteer account from a validated form; throws AccountError (with `field`) or RateLimitedError. */
export async function registerVolunteer(db: Db, secretKey: Buffer, input: RegisterInput, ctx: { ip: string; now?: number }): Promise<number> {
  const now = ctx.now ?? Date.now();
  const doc = checkIdDocument(input.idType, input.idNumber, new Date(now));
  if (!doc.ok) throw new AccountError('BAD_REQUEST', doc.message, 'idNumber');
  const birthDate = doc.birthDate ?? input.birthDate;
  if (!birthDate) throw new AccountError('BAD_REQUEST', '请填写出生日期', 'birthDate');
  const conflicts = await registrationConflicts(db, secretKey, input);
  if (conflicts.length) throw new AccountError(conflicts[0].field === 'villageId' ? 'BAD_REQUEST' : 'CONFLICT', conflicts[0].message, conflicts[0].field);

  const minor = minorStatus(birthDate, new Date(now));
  if (minor === 'child' && !(input.guardianName && input.guardianPhone && input.guardianConsent)) {
    throw new AccountError('BAD_REQUEST', '未满 14 周岁需填写监护人姓名、手机号码并经其同意', 'guardianConsent');
  }
  if (minor === 'minor' && !input.guardianConsent) throw new AccountError('BAD_REQUEST', '未满 18 周岁需法定代理人同意后方可注册', 'guardianConsent');

  // Counted only once the form is valid, so typos do not use up the allowance.
  const limit = await hitRateLimit(db, `register-ip:${ctx.ip}`, REGISTRATIONS_PER_IP_PER_HOUR, HOUR, now);
  if (!limit.allowed) throw new RateLimitedError('此网络的注册次数过多', limit.resetAt, now);

  const s = await getSettings(db);
  const skills = [...new Set(input.skills)].filter((k) => s.skills.includes(k));
  let userId: number;
  try {
    userId = await createUser(db, secretKey, {
      phone: input.phone,
      password: input.password,
      realName: input.realName,
      idType: input.idType,
      idNumber: doc.idNumber,
      birthDate,
      gender: doc.gender,
      townId: input.townId,
      villageId: input.villageId,
      skills,
      email: input.email || undefined,
      publishConsent: input.publishConsent,
      termsVersion: s.termsVersion,
      privacyVersion: s.privacyVersion,
      guardianName: minor === 'adult' ? undefined : input.guardianName || undefined,
      guardianPhone: minor === 'adult' ? undefined : input.guardianPhone || undefined,
      guardianConsent: minor !== 'adult' && input.guardianConsent,
    });
  } catch (e) {
    // A concurrent registration won the race: the unique indexes decide.
    if (isUniqueViolation(e, 'phone')) throw new AccountError('CONFLICT', '该手机号已注册，请直接登录', 'phone');
    if (isUniqueViolation(e, 'id_number_hash')) throw new AccountError('CONFLICT', '该证件号码已注册过账户（一人只能注册一个账户）', 'idNumber');
    throw e;
  }
  await audit(db, {
    actorId: userId, action: 'user.register', targetType: 'user', targetId: userId, ip: ctx.ip,
    after: { termsVersion: s.termsVersion, privacyVersion: s.privacyVersion, minor: minor !== 'adult', guardianConsent: minor !== 'adult' },
  });
  return userId;
}
