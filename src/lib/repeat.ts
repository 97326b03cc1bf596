// The one way a process runs recurring work (scheduled publishing, order escalation and expiry, the
// annual reset, housekeeping, the mail outbox): every `everyMs`, never two runs of one job at once,
// a failure logged and tried again next time, the timer not keeping the process alive.

export interface RepeatOptions {
  /** Run once at once as well (default true). */
  immediately?: boolean;
  /** Where a failure goes (default: stderr, in the job's Chinese and English names). */
  onError?: (e: Error) => void;
}

/** Runs `work` every `everyMs`; `name` is [中文, English] for the failure line. Returns a stop function. */
export function repeatEvery(name: readonly [string, string], everyMs: number, work: () => Promise<unknown>, opts: RepeatOptions = {}): () => void {
  const onError = opts.onError ?? ((e: Error) => console.error(`${name[0]}失败 / ${name[1]} failed: ${e.message}`));
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await work();
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  if (opts.immediately ?? true) void tick();
  return () => clearInterval(timer);
}
