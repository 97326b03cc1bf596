// Real-name volunteer registration (issue 3): one account per phone and per ID number,
// region pair checked, consent versions and guardian consent recorded.
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { users } from '../../../db/schema/index.ts';
import { keyedHash } from '../../lib/pii.ts';
import { validRegionPair } from '../regions/index.ts';
import { getSettings } from '../settings/index.ts';
import { auditStatement } from '../audit/index.ts';
import { hitRateLimit, rateKey, rateLimitState } from './rate-limit.ts';
import { checkIdDocument, minorStatus, type RegisterInput } from './schemas.ts';
import { createUser } from './users.ts';
import { AccountError, RateLimitedError, isUniqueViolation } from './errors.ts';
import { USED_CODE, checkSmsCode } from './sms-codes.ts';

export const REGISTRATIONS_PER_IP_PER_HOUR = 10;
/** Every registration attempt from one IP, valid or not (issue 15, item 7). */
export const REGISTER_ATTEMPTS_PER_IP_PER_HOUR = 20;
/** Answers saying a phone or ID number already has an account, per IP (decision 077). */
export const ACCOUNT_EXISTS_ANSWERS_PER_IP_PER_HOUR = 5;
const HOUR = 3600_000;
const TOO_MANY = '此网络的注册尝试过多';

/**
 * Refuses once an IP has been told "already registered" its 5 times this hour: from then on
 * every attempt gets the same 429, so the answer stops depending on the phone or ID tried.
 */
async function refuseWhenAnswersUsedUp(db: Db, secretKey: Buffer, ip: string, now: number): Promise<void> {
  const told = await rateLimitState(db, rateKey(secretKey, 'register-exists', ip), HOUR, now);
  if (told.count >= ACCOUNT_EXISTS_ANSWERS_PER_IP_PER_HOUR) throw new RateLimitedError(TOO_MANY, told.resetAt, now);
}

/**
 * Counts one registration attempt before the form is even validated (one statement, shared by all
 * processes): an invalid or probing form costs the same as a good one. Throws RateLimitedError.
 */
export async function countRegistrationAttempt(db: Db, secretKey: Buffer, ip: string, now = Date.now()): Promise<void> {
  const attempt = await hitRateLimit(db, rateKey(secretKey, 'register-attempt', ip), REGISTER_ATTEMPTS_PER_IP_PER_HOUR, HOUR, now);
  if (!attempt.allowed) throw new RateLimitedError(TOO_MANY, attempt.resetAt, now);
  await refuseWhenAnswersUsedUp(db, secretKey, ip, now);
}

/** Says "already registered" only while the IP has such answers left (counted atomically), else 429. */
async function revealExisting(db: Db, secretKey: Buffer, ip: string, now: number, field: string, message: string): Promise<never> {
  const told = await hitRateLimit(db, rateKey(secretKey, 'register-exists', ip), ACCOUNT_EXISTS_ANSWERS_PER_IP_PER_HOUR, HOUR, now);
  if (!told.allowed) throw new RateLimitedError(TOO_MANY, told.resetAt, now);
  throw new AccountError('CONFLICT', message, field);
}

/** The keyed hash that makes an ID document unique (type + normalised number). */
export function idNumberHash(secretKey: Buffer, idType: string, idNumber: string): string {
  return keyedHash(secretKey, `${idType}:${idNumber.replace(/\s+/g, '').toUpperCase()}`);
}

/** Field problems that need the database: taken phone or ID, village outside the town. Reads only; registerVolunteer rations the answers. */
export async function registrationConflicts(
  db: Db,
  secretKey: Buffer,
  v: { phone?: unknown; idType?: unknown; idNumber?: unknown; townId?: unknown; villageId?: unknown },
): Promise<{ field: string; message: string }[]> {
  const out: { field: string; message: string }[] = [];
  if (typeof v.phone === 'string' && /^1[3-9]\d{9}$/.test(v.phone)) {
    const [row] = await db.select({ id: users.id }).from(users).where(eq(users.phone, v.phone));
    if (row) out.push({ field: 'phone', message: '该手机号已注册，请直接登录；忘记密码可在登录页点“忘记密码”用短信验证码重设' });
  }
  if (typeof v.idType === 'string' && typeof v.idNumber === 'string') {
    const doc = checkIdDocument(v.idType, v.idNumber);
    if (doc.ok) {
      const [row] = await db
        .select({ id: users.id })
        .from(users)
        .where(eq(users.idNumberHash, idNumberHash(secretKey, v.idType, doc.idNumber)));
      if (row) out.push({ field: 'idNumber', message: '该证件号码已注册过账户（一人只能注册一个账户），如有疑问请联系管理员' });
    }
  }
  // Safe integers only: NaN or 1e308 from a hostile form reached SQLite and gave a 500 (issue 9).
  if (Number.isSafeInteger(v.townId) && Number.isSafeInteger(v.villageId) && !(await validRegionPair(db, v.townId as number, v.villageId as number))) {
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
  await refuseWhenAnswersUsedUp(db, secretKey, ctx.ip, now);
  const conflicts = await registrationConflicts(db, secretKey, input);
  const existing = conflicts.find((c) => c.field !== 'villageId');
  if (existing) await revealExisting(db, secretKey, ctx.ip, now, existing.field, existing.message);
  if (conflicts.length) throw new AccountError('BAD_REQUEST', conflicts[0].message, conflicts[0].field);

  const minor = minorStatus(birthDate, new Date(now));
  if (minor === 'child' && !(input.guardianName && input.guardianPhone && input.guardianConsent)) {
    throw new AccountError('BAD_REQUEST', '未满 14 周岁需填写监护人姓名、手机号码并经其同意', 'guardianConsent');
  }
  if (minor === 'minor' && !input.guardianConsent) throw new AccountError('BAD_REQUEST', '未满 18 周岁需法定代理人同意后方可注册', 'guardianConsent');

  // The phone is proven by the code sent to it (issue 18, item 13): checked (and counted) here, used
  // up by the same batch that creates the account.
  const code = await checkSmsCode(db, secretKey, { phone: input.phone, purpose: 'register', code: input.smsCode, now });

  // Counted only once the form is valid, so typos do not use up the allowance.
  const limit = await hitRateLimit(db, rateKey(secretKey, 'register-ip', ctx.ip), REGISTRATIONS_PER_IP_PER_HOUR, HOUR, now);
  if (!limit.allowed) throw new RateLimitedError('此网络的注册次数过多', limit.resetAt, now);

  const s = await getSettings(db);
  const skills = [...new Set(input.skills)].filter((k) => s.skills.includes(k));
  let userId: number | null;
  try {
    userId = await createUser(
      db,
      secretKey,
      {
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
      },
      (newUser) => [
        // Recorded with the account itself: no account without its registration entry.
        auditStatement({
          actorId: newUser,
          action: 'user.register',
          targetType: 'user',
          targetId: newUser,
          ip: ctx.ip,
          after: { termsVersion: s.termsVersion, privacyVersion: s.privacyVersion, minor: minor !== 'adult', guardianConsent: minor !== 'adult' },
        }),
      ],
      code.consume,
    );
  } catch (e) {
    // A concurrent registration won the race: the unique indexes decide.
    if (isUniqueViolation(e, 'phone')) await revealExisting(db, secretKey, ctx.ip, now, 'phone', '该手机号已注册，请直接登录');
    if (isUniqueViolation(e, 'id_number_hash')) await revealExisting(db, secretKey, ctx.ip, now, 'idNumber', '该证件号码已注册过账户（一人只能注册一个账户）');
    throw e;
  }
  if (userId === null) throw new AccountError('BAD_REQUEST', USED_CODE, 'smsCode');
  return userId;
}
