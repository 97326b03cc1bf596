// Creating users and granting roles; registration validation lives in register.ts.
import { eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, writeBatch, type Statement } from '../../../db/write.ts';
import { userRoles, users } from '../../../db/schema/index.ts';
import { encryptText, keyedHash, maskIdNumber } from '../../lib/pii.ts';
import { hashPassword } from './passwords.ts';
import { sealBirthDate } from './birth-dates.ts';
import type { Role } from './policy.ts';

export interface NewUser {
  phone: string;
  password: string;
  realName: string;
  roles?: Role[];
  idType?: string;
  idNumber?: string;
  birthDate?: string;
  gender?: string;
  townId?: number | null;
  villageId?: number | null;
  skills?: string[];
  publishConsent?: boolean;
  termsVersion?: string;
  privacyVersion?: string;
  guardianName?: string;
  guardianPhone?: string;
  /** Guardian / legal representative consent given (minors). */
  guardianConsent?: boolean;
  email?: string;
}

/** Next volunteer number: YX + year + 6 digits, from a counter row (single statement). */
export async function nextVolunteerNo(db: Db): Promise<string> {
  const year = new Date().getUTCFullYear();
  const name = `volunteer-no-${year}`;
  const [r] = await db.all<{ value: number }>(sql`INSERT INTO counters (name, value) VALUES (${name}, 1)
    ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`);
  return `YX${year}${String(r.value).padStart(6, '0')}`;
}

/**
 * Inserts a user with roles, in one batch with what `also` adds (given SQL naming the new account:
 * a registration's audit row); the ID number and birth date are stored encrypted, plus a keyed hash of the number.
 * With `guard` (a registration's SMS code being used up) the account is created only when the guard
 * changes a row, in the same batch; otherwise this returns null and nothing is written.
 */
export async function createUser(db: Db, secretKey: Buffer, u: NewUser, also?: (newUser: SQL) => Statement[]): Promise<number>;
export async function createUser(db: Db, secretKey: Buffer, u: NewUser, also: (newUser: SQL) => Statement[], guard: Statement): Promise<number | null>;
export async function createUser(db: Db, secretKey: Buffer, u: NewUser, also: (newUser: SQL) => Statement[] = () => [], guard?: Statement): Promise<number | null> {
  const passwordHash = await hashPassword(u.password);
  const idNo = u.idNumber?.trim().toUpperCase();
  const volunteerNo = await nextVolunteerNo(db);
  const now = Date.now();
  // The phone is unique: it names the new row for the statements that follow it in the batch.
  const newUser = sql`SELECT id FROM users WHERE phone = ${u.phone}`;
  const roles = new Set<Role>(['volunteer', ...(u.roles ?? [])]);
  const statements: Statement[] = [
    db
      .insert(users)
      .values({
        phone: u.phone,
        passwordHash,
        realName: u.realName,
        idType: u.idType ?? (idNo ? '居民身份证' : null),
        idNumberEnc: idNo ? encryptText(secretKey, idNo) : null,
        idNumberHash: idNo ? keyedHash(secretKey, `${u.idType ?? '居民身份证'}:${idNo}`) : null,
        idNumberMasked: idNo ? maskIdNumber(idNo) : null,
        // Encrypted only: a clear birth date plus the mask rebuilt the ID number (decision 077).
        birthDateEnc: u.birthDate ? sealBirthDate(secretKey, u.birthDate) : null,
        gender: u.gender ?? null,
        townId: u.townId ?? null,
        villageId: u.villageId ?? null,
        skills: JSON.stringify(u.skills ?? []),
        volunteerNo,
        publishConsent: u.publishConsent ?? false,
        termsVersion: u.termsVersion ?? null,
        privacyVersion: u.privacyVersion ?? null,
        consentAt: u.termsVersion ? now : null,
        guardianName: u.guardianName ?? null,
        guardianPhone: u.guardianPhone ?? null,
        guardianConsentAt: u.guardianConsent || u.guardianName ? now : null,
        email: u.email ?? null,
        createdAt: now,
      })
      .returning({ id: users.id }),
    ...[...roles].map((role) => sql`INSERT INTO user_roles (user_id, role, granted_at) VALUES ((${newUser}), ${role}, ${now})`),
    ...also(newUser),
  ];
  if (guard) {
    const written = await guardedWrite(db, guard, statements);
    return written ? Number(written[1].rows[0].id) : null;
  }
  const [inserted] = await writeBatch(db, statements);
  return Number(inserted.rows[0].id);
}

/** Grants a role (idempotent). */
export async function grantRole(db: Db, userId: number, role: Role, by?: number): Promise<void> {
  await db
    .insert(userRoles)
    .values({ userId, role, grantedBy: by ?? null, grantedAt: Date.now() })
    .onConflictDoNothing();
}

/** Finds a user id by phone. */
export async function userIdByPhone(db: Db, phone: string): Promise<number | undefined> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.phone, phone));
  return row?.id;
}
