// The primary of `npm start` with WORKERS > 1 (docs/decisions/104): it forks the workers, each a
// whole portal serving the one port, restarts a worker that died (with backoff) and hands SIGTERM on
// for a graceful drain. It serves nothing and holds no database: migrations and the seed ran before.
import cluster, { type Worker } from 'node:cluster';

/** The wait before a worker that died is started again: 0.5 s, doubling per crash in a row, at most 30 s. */
export function restartDelayMs(crashesInARow: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, crashesInARow - 1));
}

/** A worker that served this long before it died starts again at the shortest wait. */
const STABLE_AFTER_MS = 60_000;
/** Workers that die this often in a row without ever serving mean the portal cannot start: give up. */
const MAX_FAILED_STARTS = 5;
/** The message a worker sends its primary once it serves (scripts/start.mjs). */
export const SERVING = 'shanxing:serving';
/** How long a worker may drain its connections after SIGTERM before it is killed. */
const DRAIN_MS = 15_000;

export interface SupervisorOptions {
  workers: number;
  /** Called once, when every worker serves, with their process ids. */
  onServing: (pids: number[]) => void;
  /** Extra environment of worker `index` (behind a front: the socket it serves on). */
  workerEnv?: (index: number) => Record<string, string>;
  /** Worker `index` serves (after each start); behind a front, it can take renders from now on. */
  onWorkerServing?: (index: number, pid: number) => void;
  /** Worker `index` exited (before it is started again). */
  onWorkerExit?: (index: number) => void;
  /** On SIGTERM, besides the workers' drain: the front's own (stop accepting, finish what it has). */
  drain?: () => Promise<void>;
  log?: (line: string) => void;
}

interface Slot {
  worker: Worker;
  startedAt: number;
  listening: boolean;
  crashes: number;
}

/** Forks `workers` copies of this script as cluster workers and keeps them running until SIGTERM/SIGINT. */
export function superviseWorkers({ workers, onServing, workerEnv, onWorkerServing, onWorkerExit, drain, log = console.error }: SupervisorOptions): void {
  const slots: Slot[] = [];
  let stopping = false;
  let served = false;
  let failedStarts = 0;

  function fork(index: number, crashes: number): void {
    // WORKER_INDEX tells a worker its slot (the primary's log names it); everything else comes from the same environment.
    const worker = cluster.fork({ ...workerEnv?.(index), WORKER_INDEX: String(index) });
    const slot: Slot = { worker, startedAt: Date.now(), listening: false, crashes };
    slots[index] = slot;
    // The worker says so itself: a worker that binds its own socket (reuseport) emits no cluster 'listening'.
    worker.on('message', (m: unknown) => {
      if ((m as { type?: string } | null)?.type !== SERVING || slot.listening) return;
      slot.listening = true;
      failedStarts = 0;
      onWorkerServing?.(index, worker.process.pid!);
      if (served) log(`工作进程 ${index + 1} 已重新启动（pid ${worker.process.pid}） / worker ${index + 1} restarted (pid ${worker.process.pid})`);
      else if (slots.length === workers && slots.every((s) => s?.listening)) {
        served = true;
        onServing(slots.map((s) => s.worker.process.pid!));
      }
    });
    worker.once('exit', (code, signal) => {
      onWorkerExit?.(index);
      if (stopping) return;
      if (!slot.listening && ++failedStarts >= MAX_FAILED_STARTS) {
        log(`工作进程连续 ${failedStarts} 次未能启动，善行停止运行（原因见上方输出） / workers failed to start ${failedStarts} times in a row; stopping (see the output above)`);
        void stop(1);
        return;
      }
      const inARow = slot.listening && Date.now() - slot.startedAt >= STABLE_AFTER_MS ? 1 : slot.crashes + 1;
      const wait = restartDelayMs(inARow);
      log(
        `工作进程 ${index + 1}（pid ${worker.process.pid}）意外退出（${signal ?? `退出码 ${code}`}），${(wait / 1000).toFixed(1)} 秒后重启 / worker ${index + 1} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); restarting in ${(wait / 1000).toFixed(1)} s`,
      );
      setTimeout(() => {
        if (!stopping) fork(index, inARow);
      }, wait);
    });
  }

  /** Asks every worker to drain (SIGTERM: it stops accepting and finishes what it has), then exits. */
  async function stop(exitCode: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    const running = slots.filter((s) => s && !s.worker.isDead());
    const exited: Promise<void>[] = running.map((s) => new Promise<void>((resolve) => s.worker.once('exit', () => resolve())));
    if (drain) exited.push(drain());
    for (const s of running) s.worker.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const s of running) if (!s.worker.isDead()) s.worker.process.kill('SIGKILL');
    }, DRAIN_MS);
    await Promise.all(exited);
    clearTimeout(killer);
    process.exit(exitCode);
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log(`收到 ${signal}，正在关闭 ${slots.length} 个工作进程… / Shutting down ${slots.length} workers…`);
      void stop(0);
    });
  }
  for (let i = 0; i < workers; i++) fork(i, 0);
}
