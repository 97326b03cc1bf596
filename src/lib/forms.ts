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
export function actionResult(astro: { locals: App.Locals }, action: { toString(): string }): SafeResult<any, any> | undefined {
  const r = astro.locals.formResult;
  return r && r.key === String(action) ? r.result : undefined;
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

/** A top-level error message for the form (non-field errors; field errors go next to their field). */
export function formError(result: SafeResult<any, any> | undefined): string | undefined {
  if (!result?.error || isInputError(result.error)) return undefined;
  return result.error.message;
}

/** The message to show for a form that has no place per field (a button, a hidden id): form or field error alike. */
export function errorMessage(result: SafeResult<any, any> | undefined): string | undefined {
  return formError(result) ?? Object.values(fieldErrors(result))[0];
}
