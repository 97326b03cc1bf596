// Typed errors of the accounts capability: Refusals, which formAction turns into ActionErrors (docs/decisions/075).
import { formatTime, shanghaiDay } from '../../lib/time.ts';
import { Refusal } from '../refusal.ts';

export type AccountErrorCode = 'BAD_REQUEST' | 'CONFLICT' | 'FORBIDDEN' | 'NOT_FOUND' | 'TOO_MANY_REQUESTS' | 'UNAUTHORIZED';

/** A refusal with a Chinese message; `field` names the form field it belongs to, when any. */
export class AccountError extends Refusal {
  readonly code: AccountErrorCode;
  constructor(code: AccountErrorCode, message: string, field?: string) {
    super(code, message, field);
    this.name = 'AccountError';
    this.code = code;
  }
}

/** Too many attempts; `retryAt` is when the window ends (epoch ms). */
export class RateLimitedError extends AccountError {
  readonly retryAt: number;
  constructor(what: string, retryAt: number, now = Date.now()) {
    const minutes = Math.max(1, Math.ceil((retryAt - now) / 60_000));
    const sameDay = shanghaiDay(retryAt) === shanghaiDay(now);
    super('TOO_MANY_REQUESTS', `${what}，请于 ${sameDay ? '' : '明天 '}${formatTime(retryAt)}（约 ${minutes} 分钟后）再试`);
    this.name = 'RateLimitedError';
    this.retryAt = retryAt;
  }
}

/** Whether an error is SQLite's unique-constraint failure (optionally on a column). */
export function isUniqueViolation(e: unknown, column?: string): boolean {
  const msg = String((e as { message?: string })?.message ?? '') + String((e as { cause?: { message?: string } })?.cause?.message ?? '');
  return msg.includes('UNIQUE constraint failed') && (!column || msg.includes(column));
}
