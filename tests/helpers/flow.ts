// Long browser journeys as a describe of named, ordered steps (issue 16): a failure names the step
// that broke, and the steps after it, which build on its state, are reported skipped, not failed.
import { describe, test, type TestContext } from 'vitest';

/** One step of a flow: a test titled by what the user does. */
export type Step = (title: string, fn: (ctx: TestContext) => unknown, timeout?: number) => void;

/**
 * A `describe` whose steps run in order and share state through variables declared in `body`.
 * A step runs only when every step before it passed: after a failure (or when an earlier step
 * was filtered out, e.g. by `-t`), the rest are skipped with a note naming the step that did not pass.
 */
export function flow(name: string, body: (step: Step) => void): void {
  // Never concurrent, whatever a file or the config says: each step builds on the one before.
  describe(name, { concurrent: false }, () => {
    const titles: string[] = [];
    let passed = 0; // how many steps, from the first, have passed
    body((title, fn, timeout) => {
      const index = titles.push(title) - 1;
      test(
        title,
        async (ctx) => {
          if (passed < index) ctx.skip(`an earlier step of "${name}" did not pass: "${titles[passed]}"`);
          await fn(ctx);
          passed = index + 1;
        },
        timeout,
      );
    });
  });
}
