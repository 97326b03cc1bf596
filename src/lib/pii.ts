// Personal data helpers: masking, ID-number encryption at rest, keyed hashes.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** 13812341234 → 138****1234 */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const p = phone.replace(/\s+/g, '');
  if (p.length < 7) return '*'.repeat(p.length);
  return `${p.slice(0, 3)}****${p.slice(-4)}`;
}

/**
 * 51010419900101123X → 5101************** : an 18-character 居民身份证 / 居住证 number keeps only its
 * first 4 characters (province + city, which the county's own area codes already tell); the birth
 * date, the sequence and the check character stay hidden, so masks plus everything else the portal
 * stores or shows leave ≥ 1,000 candidates (the arithmetic is in docs/decisions/077). Any other
 * document (passport …) keeps only its first character. Length is kept.
 */
export function maskIdNumber(id: string | null | undefined): string {
  if (!id) return '';
  const s = id.trim().toUpperCase();
  if (s.length <= 4) return '*'.repeat(s.length);
  const keep = /^\d{17}[\dX]$/.test(s) ? 4 : 1;
  return s.slice(0, keep) + '*'.repeat(Math.max(0, s.length - keep));
}

/**
 * Free-text contact data (an objection's 联系方式) with every phone and ID number in it masked:
 * "电话 13812345678" → "电话 138****5678". Full-width digits are folded first.
 */
export function maskContact(text: string | null | undefined): string {
  if (!text) return '';
  return text
    .normalize('NFKC')
    .replace(/\d{17}[\dXx]|\d{15}/g, (m) => maskIdNumber(m))
    .replace(/1[3-9]\d{9}/g, (m) => maskPhone(m))
    .replace(/\d{7,}/g, (m) => m.slice(0, 2) + '*'.repeat(m.length - 4) + m.slice(-2));
}

/** 张三华 → 张*华, 张三 → 张*, 欧阳小明 → 欧**明 (for names shown without consent). */
export function maskName(name: string | null | undefined): string {
  if (!name) return '';
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return chars[0] + '*';
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}

/** AES-256-GCM: base64(iv | tag | ciphertext). */
export function encryptText(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
}

/** Inverse of encryptText; throws when the key is wrong or the data was altered. */
export function decryptText(key: Buffer, sealed: string): string {
  const buf = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  decipher.setAuthTag(buf.subarray(12, 28));
  return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
}

/** Keyed hash (HMAC-SHA256, hex) for uniqueness checks and pseudonymous keys. */
export function keyedHash(key: Buffer, value: string, purpose = 'id'): string {
  return createHmac('sha256', key)
    .update(purpose + '\0' + value)
    .digest('hex');
}
