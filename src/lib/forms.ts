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

/**
 * The result of this request's form-posted Action, like Astro.getActionResult(action) but
 * without deserialising it again (that builds a new error with a stack trace on every refused
 * form). Every page reads results through this. The middleware sets formResult whenever a
 * form-posted Action is followed by a render, so there is nothing else to look at.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Astro types each Action's result; these helpers serve them all
export function actionResult(astro: { locals: App.Locals }, action: { toString(): string }): SafeResult<any, any> | undefined {
  const r = astro.locals.formResult;
  return r && r.key === String(action) ? r.result : undefined;
}

/** Field → first Chinese message, from an input error or an ActionError carrying `fields`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Astro types each Action's result; these helpers serve them all
export function fieldErrors(result: SafeResult<any, any> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!result?.error) return out;
  if (isInputError(result.error)) {
    for (const [k, msgs] of Object.entries(result.error.fields)) if (msgs?.length) out[k] = msgs[0] as string;
  }
  return out;
}

/** A top-level error message for the form (non-field errors; field errors go next to their field). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Astro types each Action's result; these helpers serve them all
export function formError(result: SafeResult<any, any> | undefined): string | undefined {
  if (!result?.error || isInputError(result.error)) return undefined;
  return result.error.message;
}

/** The message to show for a form that has no place per field (a button, a hidden id): form or field error alike. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Astro types each Action's result; these helpers serve them all
export function errorMessage(result: SafeResult<any, any> | undefined): string | undefined {
  return formError(result) ?? Object.values(fieldErrors(result))[0];
}

/** The ARIA attributes of a form control: marked invalid and pointing at its error when it has one. */
export interface InvalidAttrs {
  'aria-invalid'?: 'true';
  'aria-describedby'?: string;
}

/** `{ 'aria-invalid': 'true', 'aria-describedby': errorId }` when `errors[name]` is set, else nothing. */
export function invalidAttrs(errors: Record<string, string | undefined>, name: string, errorId = `${name}-error`): InvalidAttrs {
  return errors[name] ? { 'aria-invalid': 'true', 'aria-describedby': errorId } : {};
}
