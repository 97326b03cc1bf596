export function newestMtime(paths: string[]): number;
export const BUILD_INPUTS: string[];
export function buildIsStale(root: string): boolean;
export function ensureProjectNode(root: string): void;
export function ensureProjectNodeForServer(root: string): Promise<void>;
