// Random identifiers and tokens.
import { randomBytes } from 'node:crypto';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/** A URL-safe random token with the given entropy in bytes (default 20 = 160 bit). */
export function randomToken(bytes = 20): string {
  return encodeBase32LowerCaseNoPadding(randomBytes(bytes));
}

/** A human-friendly uppercase code without look-alike characters. */
export function humanCode(length = 10): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/**
 * A positive safe integer from a URL parameter or form value, else undefined.
 * `Number('1e309')` is Infinity and `Number('9'.repeat(30))` a float: both reached
 * SQLite from hostile URLs and answered 500 (issue 9).
 */
export function positiveInt(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * The page number a list page was asked for: a positive integer up to `max`, else 1. `Number('2.5') || 1`
 * let 2.5 through to SQLite's OFFSET, and /articles?page=2.5 answered 500.
 */
export function pageParam(value: unknown, max = 10_000): number {
  return Math.min(positiveInt(value) ?? 1, max);
}
