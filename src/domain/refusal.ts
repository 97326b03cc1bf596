// The one base of every refusal a user reads (docs/architecture.md "Refusals and forms": bad
// input → a Chinese message and a 4xx): the status an Action answers with and, when the refusal belongs to one form
// field, that field. Capabilities subclass it with their own codes (SignupError 'full', …);
// src/lib/action-guards.ts turns any Refusal into the matching ActionError.
export type RefusalStatus = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS';

/** Builds a value with stack-trace capture off: refusals are answers, not faults (950 refused sign-ups in a storm are a hot path). */
export function withoutStackTrace<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** A refusal with a Chinese message, built without a stack trace. */
export class Refusal extends Error {
  readonly status: RefusalStatus;
  readonly field?: string;
  /** When a refusal concerns several fields: the message for each (the form shows each next to its field). */
  fieldMessages?: Record<string, string>;
  constructor(status: RefusalStatus, message: string, field?: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'Refusal';
    this.status = status;
    this.field = field;
  }
}
