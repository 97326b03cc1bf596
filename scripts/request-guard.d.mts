import type { IncomingMessage, ServerResponse } from 'node:http';
export interface RequestGuard {
  (req: IncomingMessage, res: ServerResponse): boolean;
  state(): { lagging: boolean; lastLagMs: number };
  stop(): void;
}
export function createRequestGuard(opts?: { lagThresholdMs?: number; maxBodyBytes?: number; sampleMs?: number; holdMs?: number }): RequestGuard;
