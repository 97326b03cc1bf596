// Refusals of household 文明积分 (register, scoring, entries, 公示): formAction turns them into ActionErrors (docs/decisions/075).
import { Refusal, type RefusalStatus } from '../refusal.ts';

/** A refused household-points operation with a Chinese message for the user. */
export class HouseholdError extends Refusal {
  constructor(status: RefusalStatus, message: string, field?: string) {
    super(status, message, field);
    this.name = 'HouseholdError';
  }
}

/** Throws unless `n` is a positive safe integer (an id from a form or URL). */
export function assertId(n: number, label: string, field?: string): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new HouseholdError('BAD_REQUEST', `请选择${label}`, field);
}
