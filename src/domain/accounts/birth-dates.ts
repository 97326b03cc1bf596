// Birth dates are kept encrypted with SECRET_KEY, like ID numbers: in clear, a birth date plus the
// county's area code and the ID mask rebuilt whole ID numbers (issue 15, item 2; decision 077).
import { sql } from 'drizzle-orm';
import { truncateWal, type Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/write.ts';
import { decryptText, encryptText } from '../../lib/pii.ts';

/** The stored form of a YYYY-MM-DD birth date (AES-256-GCM, base64). */
export function sealBirthDate(secretKey: Buffer, birthDate: string): string {
  return encryptText(secretKey, birthDate);
}

/** The birth date back from its stored form; null when absent or unreadable (wrong key, altered data). */
export function openBirthDate(secretKey: Buffer | undefined, sealed: string | null | undefined): string | null {
  if (!sealed || !secretKey) return null;
  try {
    return decryptText(secretKey, sealed);
  } catch {
    return null;
  }
}

/**
 * Start-up data migration (db/migrate.ts migrateData): moves every clear `birth_date` left
 * from before migration 0008 into `birth_date_enc` and empties it. SQL migrations cannot do this as
 * they have no key. Each row is one guarded UPDATE, so two processes starting together agree.
 * Returns how many rows were sealed.
 */
export async function sealLegacyBirthDates(db: Db, secretKey: Buffer): Promise<number> {
  let sealed = 0;
  for (;;) {
    const rows = await db.all<{ id: number; birth_date: string }>(sql`SELECT id, birth_date FROM users WHERE birth_date IS NOT NULL LIMIT 500`);
    if (!rows.length) {
      // The clear values are zeroed in the file (secure_delete); their old WAL frames go too.
      if (sealed) await truncateWal(db);
      return sealed;
    }
    await writeBatch(
      db,
      rows.map(
        (r) => sql`UPDATE users SET birth_date_enc = coalesce(birth_date_enc, ${sealBirthDate(secretKey, String(r.birth_date))}), birth_date = NULL
      WHERE id = ${Number(r.id)} AND birth_date = ${String(r.birth_date)}`,
      ),
    );
    sealed += rows.length;
  }
}
