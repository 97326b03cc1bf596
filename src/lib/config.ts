// Reads and validates the process configuration (DESIGN.md "Running").
// Plain TypeScript so scripts, tests and the Astro server share one parser.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Validated runtime configuration. */
export interface AppConfig {
  host: string;
  port: number;
  databaseUrl: string;
  databaseAuthToken?: string;
  databaseSyncUrl?: string;
  uploadsDir: string;
  siteUrl: string;
  smtpUrl?: string;
  secretKey: Buffer;
  seedDemo: boolean;
  /** Trust the last X-Forwarded-For hop (set TRUST_PROXY=1 only behind your own reverse proxy). */
  trustProxy: boolean;
}

/** A configuration problem, reported as one bilingual line naming the variable. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, zh: string, en: string) {
    super(`配置错误 ${variable}：${zh} / Invalid ${variable}: ${en}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

const DB_SCHEMES = ['file:', 'libsql:', 'http:', 'https:', 'ws:', 'wss:'];

function checkDbUrl(name: string, value: string): string {
  let scheme = '';
  try {
    scheme = new URL(value).protocol;
  } catch {
    throw new ConfigError(name, `“${value}” 不是有效的数据库地址，应以 file: 或 libsql: 开头`, `"${value}" is not a database URL (use file:… or libsql://…)`);
  }
  if (!DB_SCHEMES.includes(scheme)) {
    throw new ConfigError(name, `不支持的协议 ${scheme}，应为 file:、libsql:、http(s): 或 ws(s):`, `unsupported scheme ${scheme} (use file:, libsql:, http(s): or ws(s):)`);
  }
  return value;
}

/** Loads SECRET_KEY from the environment or from data/secret.key, creating it on first start. */
export function loadSecretKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const raw = env.SECRET_KEY;
  if (raw) {
    const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (key.length !== 32) {
      throw new ConfigError('SECRET_KEY', '应为 32 字节密钥（64 位十六进制或 base64）', 'must be 32 bytes (64 hex digits or base64)');
    }
    return key;
  }
  const file = resolve(dataDir, 'secret.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600 });
  return key;
}

/** Parses the environment; throws ConfigError on the first bad value. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const portRaw = env.PORT ?? '4321';
  if (!/^\d{1,5}$/.test(portRaw) || Number(portRaw) < 1 || Number(portRaw) > 65535) {
    throw new ConfigError('PORT', `“${portRaw}” 不是 1–65535 之间的端口号`, `"${portRaw}" is not a port number between 1 and 65535`);
  }
  const databaseUrl = checkDbUrl('DATABASE_URL', env.DATABASE_URL || 'file:data/shanxing.db');
  const databaseSyncUrl = env.DATABASE_SYNC_URL ? checkDbUrl('DATABASE_SYNC_URL', env.DATABASE_SYNC_URL) : undefined;
  const siteUrl = env.SITE_URL || `http://localhost:${portRaw}`;
  try {
    const u = new URL(siteUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new ConfigError('SITE_URL', `“${siteUrl}” 不是 http(s) 网址`, `"${siteUrl}" is not an http(s) URL`);
  }
  if (env.SMTP_URL && !/^smtps?:\/\//.test(env.SMTP_URL)) {
    throw new ConfigError('SMTP_URL', '应以 smtp:// 或 smtps:// 开头', 'must start with smtp:// or smtps://');
  }
  const seed = (env.SEED_DEMO ?? 'true').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(seed)) {
    throw new ConfigError('SEED_DEMO', '应为 true 或 false', 'must be true or false');
  }
  const uploadsDir = resolve(env.UPLOADS_DIR || 'data/uploads');
  // Whatever lies under public/ or dist/ ends up a static file for anyone, private photos included (docs/decisions/076).
  for (const served of ['public', 'dist']) {
    const dir = resolve(served);
    if (uploadsDir === dir || uploadsDir.startsWith(dir + sep)) {
      throw new ConfigError('UPLOADS_DIR', `不能位于 ${served}/ 之内（其中的文件会作为静态文件公开，私密照片也不例外），请改用如 data/uploads 的目录`, `must not be inside ${served}/ (files there are served to anyone as static files, private photos included); use e.g. data/uploads`);
    }
  }
  return {
    host: env.HOST || '0.0.0.0',
    port: Number(portRaw),
    databaseUrl,
    databaseAuthToken: env.DATABASE_AUTH_TOKEN || undefined,
    databaseSyncUrl,
    uploadsDir,
    siteUrl: siteUrl.replace(/\/$/, ''),
    smtpUrl: env.SMTP_URL || undefined,
    secretKey: loadSecretKey(env, resolve(env.DATA_DIR || 'data')),
    seedDemo: ['true', '1', 'yes'].includes(seed),
    trustProxy: ['1', 'true', 'yes'].includes((env.TRUST_PROXY ?? '').toLowerCase()),
  };
}

let cached: AppConfig | undefined;
/** The process-wide configuration, parsed once. */
export function config(): AppConfig {
  cached ??= readConfig();
  return cached;
}
