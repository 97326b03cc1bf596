// Helpers for pages that show an Action's form: refill values, list field errors.
import { isInputError, type SafeResult } from 'astro:actions';

/** The value the user submitted for a field (after a rejected form), or a fallback. */
export function submitted(locals: App.Locals, name: string, fallback = ''): string {
  const v = locals.formData?.get(name);
  return typeof v === 'string' ? v : fallback;
}

/** All submitted values of a multi-value field (checkboxes, multi-select). */
export function submittedAll(locals: App.Locals, name: string): string[] {
  return (locals.formData?.getAll(name) ?? []).filter((v): v is string => typeof v === 'string');
}

/** Field → first Chinese message, from an input error or an ActionError carrying `fields`. */
export function fieldErrors(result: SafeResult<any, any> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!result?.error) return out;
  if (isInputError(result.error)) {
    for (const [k, msgs] of Object.entries(result.error.fields)) if (msgs?.length) out[k] = msgs[0] as string;
  }
  return out;
}

/** A top-level error message for the form (non-field errors). */
export function formError(result: SafeResult<any, any> | undefined): string | undefined {
  if (!result?.error || isInputError(result.error)) return undefined;
  return result.error.message;
}
