// Typed errors of the hours capability: Refusals, which formAction turns into ActionErrors (docs/decisions/075).
import { Refusal } from '../refusal.ts';

export type HoursErrorCode = 'BAD_REQUEST' | 'CONFLICT' | 'FORBIDDEN' | 'NOT_FOUND';

/** A refused hours/certificate operation with a Chinese message for the user. */
export class HoursError extends Refusal {
  readonly code: HoursErrorCode;
  constructor(code: HoursErrorCode, message: string) {
    super(code, message);
    this.name = 'HoursError';
    this.code = code;
  }
}
