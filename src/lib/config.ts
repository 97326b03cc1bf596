// Reads and validates the process configuration (docs/architecture.md "Configuration and start-up").
// Plain TypeScript so scripts, tests and the Astro server share one parser.
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';

/** Validated runtime configuration. */
export interface AppConfig {
  host: string;
  port: number;
  databaseUrl: string;
  databaseAuthToken?: string;
  databaseSyncUrl?: string;
  uploadsDir: string;
  /** The public address every absolute URL is built from (never from request headers). */
  siteUrl: string;
  /** False when SITE_URL was not set and siteUrl is the localhost default. */
  siteUrlSet: boolean;
  smtpUrl?: string;
  secretKey: Buffer;
  seedDemo: boolean;
  /** Trust the last X-Forwarded-For hop (set TRUST_PROXY=1 only behind your own reverse proxy). */
  trustProxy: boolean;
  /** The HTTP path's limits and timers (src/server/http-server.ts, docs/decisions/071). */
  http: {
    overloadLagMs: number;
    maxBodyBytes: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    connectionsCheckMs: number;
    keepAliveTimeoutMs: number;
    pageCache: boolean;
    /** BENCH_CACHE_BYPASS=1: the benchmark may ask for an uncached render with `x-bench-no-cache`. */
    benchCacheBypass: boolean;
    /** Admission control for renders (src/server/admission.ts, docs/decisions/096); 0 renders = off. */
    renderConcurrency: number;
    renderWaitMs: number;
    renderWriteWaitMs: number;
    renderQueueMax: number;
  };
  /** Where verification codes go (src/lib/sms.ts): a provider's HTTP API, or the server log in a demo. */
  sms: SmsConfig;
  /** Server processes sharing the port (src/server/workers.ts, docs/decisions/104); 1 = one process, no primary. */
  workers: number;
  /**
   * How requests reach the workers: `front` (the primary answers static files and cached pages itself
   * and hands renders to the workers, docs/decisions/110), or each worker serving the port — the
   * kernel spreading connections (SO_REUSEPORT, Linux) or node:cluster's primary handing each out.
   */
  workerBalance: 'front' | 'reuseport' | 'cluster';
  /** Niceness of the render workers behind a front (0–19): under a flood, cache hits win the CPU. */
  renderNice: number;
  /** How often the e-mail outbox runs. */
  outboxIntervalMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** SMS_* variables: the provider, its keys, sign name and template (docs/decisions/092). */
export interface SmsConfig {
  provider: 'log' | 'aliyun' | 'tencent';
  keyId?: string;
  keySecret?: string;
  signName?: string;
  templateId?: string;
  /** The template's variables in order, from `code` and `minutes` (Aliyun names them, Tencent numbers them). */
  templateParams: ('code' | 'minutes')[];
  /** The template of the rating-link SMS sent when a service order is done (variables `no` and `link`, in that order). */
  rateTemplateId?: string;
  /** Tencent's SmsSdkAppId. */
  appId?: string;
  region: string;
  /** The provider's API address (tests point it at a fake provider on loopback). */
  endpoint: string;
}

const SMS_ENDPOINTS = { aliyun: 'https://dysmsapi.aliyuncs.com/', tencent: 'https://sms.tencentcloudapi.com/', log: '' } as const;

/** Reads the SMS_* variables: a real provider needs its keys, sign name and template, or start-up stops. */
function readSms(env: NodeJS.ProcessEnv): SmsConfig {
  const provider = oneOf(env, 'SMS_PROVIDER', 'log', ['log', 'aliyun', 'tencent']);
  const text = (name: string) => env[name]?.trim() || undefined;
  const params = (text('SMS_TEMPLATE_PARAMS') ?? 'code').split(',').map((p) => p.trim());
  if (!params.every((p) => p === 'code' || p === 'minutes') || !params.includes('code')) {
    throw new ConfigError('SMS_TEMPLATE_PARAMS', '应为 code 或 code,minutes（模板变量的顺序）', 'must be code or code,minutes (the template variables in order)');
  }
  const cfg: SmsConfig = {
    provider,
    keyId: text('SMS_KEY_ID'),
    keySecret: text('SMS_KEY_SECRET'),
    signName: text('SMS_SIGN_NAME'),
    templateId: text('SMS_TEMPLATE_ID'),
    rateTemplateId: text('SMS_RATE_TEMPLATE_ID'),
    templateParams: params as SmsConfig['templateParams'],
    appId: text('SMS_SDK_APP_ID'),
    region: text('SMS_REGION') ?? (provider === 'tencent' ? 'ap-guangzhou' : 'cn-hangzhou'),
    endpoint: text('SMS_ENDPOINT') ?? SMS_ENDPOINTS[provider],
  };
  if (provider === 'log') return cfg;
  const needed = ['SMS_KEY_ID', 'SMS_KEY_SECRET', 'SMS_SIGN_NAME', 'SMS_TEMPLATE_ID', ...(provider === 'tencent' ? ['SMS_SDK_APP_ID'] : [])];
  for (const name of needed) {
    if (!text(name)) throw new ConfigError(name, `SMS_PROVIDER=${provider} 时必须设置`, `required with SMS_PROVIDER=${provider}`);
  }
  let url: URL;
  try {
    url = new URL(cfg.endpoint);
  } catch {
    throw new ConfigError('SMS_ENDPOINT', `“${cfg.endpoint}” 不是网址`, `"${cfg.endpoint}" is not a URL`);
  }
  // Phone numbers and codes must not cross a network in clear; a fake provider on this machine may be plain.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname.replace(/^\[|\]$/g, '')))) {
    throw new ConfigError('SMS_ENDPOINT', '必须使用 https:（本机地址除外）', 'must use https: (except on this machine)');
  }
  return cfg;
}

/**
 * A whole number from the environment within [min, max], or the default when unset. Anything else
 * stops start-up: `OVERLOAD_LAG_MS=abc` used to turn the overload guard off, `MAX_BODY_BYTES=abc`
 * removed the body limit and `OUTBOX_INTERVAL_MS=abc` ran the outbox every millisecond (issue 16).
 */
function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `“${raw}” 不是 ${min}–${max} 之间的整数`, `"${raw}" is not a whole number between ${min} and ${max}`);
  }
  return Number(raw);
}

/** One of the allowed words, or the default when unset; anything else stops start-up. */
function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (!raw) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `应为 ${allowed.join('、')} 之一`, `must be one of ${allowed.join(', ')}`);
  return raw as T;
}

/** `auto` runs one worker per core, at most this many: two were measured on two cores (docs/decisions/104), more were not. */
export const MAX_AUTO_WORKERS = 4;

/** WORKERS: `auto` (the default) or a whole number of processes. */
function readWorkers(env: NodeJS.ProcessEnv): number {
  const raw = (env.WORKERS ?? '').trim();
  if (raw === '' || raw.toLowerCase() === 'auto') return Math.max(1, Math.min(availableParallelism(), MAX_AUTO_WORKERS));
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 64) {
    throw new ConfigError('WORKERS', `“${raw}” 应为 auto 或 1–64 之间的整数`, `"${raw}" must be auto or a whole number between 1 and 64`);
  }
  return Number(raw);
}

/**
 * WORKER_BALANCE: `reuseport` on Linux (`cluster` elsewhere) by default; `front` on request — it keeps
 * cached pages answering under a flood but costs every render and sign-up CPU (docs/decisions/110,
 * amendment). SO_REUSEPORT exists on Linux only.
 */
function readWorkerBalance(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): AppConfig['workerBalance'] {
  const balance = oneOf(env, 'WORKER_BALANCE', platform === 'linux' ? 'reuseport' : 'cluster', ['front', 'reuseport', 'cluster']);
  if (balance === 'reuseport' && platform !== 'linux') {
    throw new ConfigError('WORKER_BALANCE', `reuseport 仅支持 Linux，本机请用 cluster`, `reuseport needs Linux; use cluster on ${platform}`);
  }
  return balance;
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

/**
 * A database token (and every row after it) must not cross a network unencrypted: `http:`/`ws:` or
 * `libsql:…?tls=0` to another host with DATABASE_AUTH_TOKEN set stops start-up, as the SMTP client
 * refuses to send a password in clear (decision 085).
 */
function refuseTokenInClear(name: string, url: string | undefined): void {
  if (!url || url.startsWith('file:')) return;
  const u = new URL(url);
  const plain = u.protocol === 'http:' || u.protocol === 'ws:' || (u.protocol === 'libsql:' && u.searchParams.get('tls') === '0');
  if (plain && !isLoopbackHost(u.hostname.replace(/^\[|\]$/g, ''))) {
    throw new ConfigError(
      name,
      `设置了 DATABASE_AUTH_TOKEN 时，连接其他主机必须加密（https:、wss: 或 libsql:），“${u.protocol}//${u.host}” 会明文传送令牌和数据`,
      `with DATABASE_AUTH_TOKEN set, a database on another host must be reached over TLS (https:, wss: or libsql:); ${u.protocol}//${u.host} would send the token and the data in clear`,
    );
  }
}

function checkDbUrl(name: string, value: string): string {
  let scheme: string;
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

/**
 * Loads SECRET_KEY from the environment or from data/secret.key, creating it on first start.
 * `shared`: the database is also reached by processes on other machines (a libSQL server, or an
 * embedded replica of one); a key generated here would be this machine's alone, so then none is
 * generated (docs/decisions/082).
 */
export function loadSecretKey(env: NodeJS.ProcessEnv, dataDir: string, shared = false): Buffer {
  const raw = env.SECRET_KEY;
  if (raw) {
    const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (key.length !== 32) {
      throw new ConfigError('SECRET_KEY', '应为 32 字节密钥（64 位十六进制或 base64）', 'must be 32 bytes (64 hex digits or base64)');
    }
    return key;
  }
  const file = resolve(dataDir, 'secret.key');
  const onDisk = readKeyFile(file);
  if (onDisk) return onDisk;
  if (shared) {
    throw new ConfigError(
      'SECRET_KEY',
      '使用远程数据库时须设置，且每个进程相同（否则各进程各自生成密钥，彼此解不开身份证号）',
      'required with a remote or replicated DATABASE_URL, the same in every process (each would otherwise generate its own key)',
    );
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  // Processes starting together (WORKERS, or two portals on a new data folder) each generated a key
  // and the last write won: the others went on encrypting with a key no longer on disk. The key is
  // written whole to a file of this process, then linked into place, which fails if another process
  // was first; its key, complete by then, is the one everyone uses.
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, key.toString('hex') + '\n', { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readKeyFile(file)!;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The key in data/secret.key, or undefined when there is no file; a damaged file stops start-up. */
function readKeyFile(file: string): Buffer | undefined {
  if (!existsSync(file)) return undefined;
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new ConfigError(
      'SECRET_KEY',
      `${file} 已损坏（应为 64 位十六进制），请从备份恢复该文件，或设置 SECRET_KEY`,
      `${file} is damaged (must be 64 hex digits); restore it from a backup or set SECRET_KEY`,
    );
  }
  return Buffer.from(hex, 'hex');
}

/** Parses the environment; throws ConfigError on the first bad value. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const portRaw = env.PORT ?? '4321';
  if (!/^\d{1,5}$/.test(portRaw) || Number(portRaw) < 1 || Number(portRaw) > 65535) {
    throw new ConfigError('PORT', `“${portRaw}” 不是 1–65535 之间的端口号`, `"${portRaw}" is not a port number between 1 and 65535`);
  }
  const databaseUrl = checkDbUrl('DATABASE_URL', env.DATABASE_URL || 'file:data/shanxing.db');
  const databaseSyncUrl = env.DATABASE_SYNC_URL ? checkDbUrl('DATABASE_SYNC_URL', env.DATABASE_SYNC_URL) : undefined;
  if (env.DATABASE_AUTH_TOKEN)
    for (const [name, url] of [
      ['DATABASE_URL', databaseUrl],
      ['DATABASE_SYNC_URL', databaseSyncUrl],
    ] as const)
      refuseTokenInClear(name, url);
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
      throw new ConfigError(
        'UPLOADS_DIR',
        `不能位于 ${served}/ 之内（其中的文件会作为静态文件公开，私密照片也不例外），请改用如 data/uploads 的目录`,
        `must not be inside ${served}/ (files there are served to anyone as static files, private photos included); use e.g. data/uploads`,
      );
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
    siteUrlSet: !!env.SITE_URL,
    smtpUrl: env.SMTP_URL || undefined,
    secretKey: loadSecretKey(env, resolve(env.DATA_DIR || 'data'), !databaseUrl.startsWith('file:') || !!databaseSyncUrl),
    seedDemo: ['true', '1', 'yes'].includes(seed),
    trustProxy: ['1', 'true', 'yes'].includes(oneOf(env, 'TRUST_PROXY', 'false', ['true', 'false', '1', '0', 'yes', 'no'])),
    http: {
      overloadLagMs: intVar(env, 'OVERLOAD_LAG_MS', 3000, 1, 600_000),
      maxBodyBytes: intVar(env, 'MAX_BODY_BYTES', 12 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
      headersTimeoutMs: intVar(env, 'HEADERS_TIMEOUT_MS', 20_000, 1000, 600_000),
      requestTimeoutMs: intVar(env, 'REQUEST_TIMEOUT_MS', 60_000, 1000, 3_600_000),
      connectionsCheckMs: intVar(env, 'CONNECTIONS_CHECK_MS', 5_000, 100, 600_000),
      keepAliveTimeoutMs: intVar(env, 'KEEPALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
      pageCache: oneOf(env, 'PAGE_CACHE', 'on', ['on', 'off']) === 'on',
      benchCacheBypass: oneOf(env, 'BENCH_CACHE_BYPASS', '0', ['0', '1']) === '1',
      // Admission control is on (docs/decisions/110): at most 4 renders at once per process that
      // renders (behind a front: per worker, the front holds the gate); 0 turns it off.
      renderConcurrency: intVar(env, 'RENDER_CONCURRENCY', 4, 0, 1000),
      renderWaitMs: intVar(env, 'RENDER_WAIT_MS', 500, 10, 60_000),
      renderWriteWaitMs: intVar(env, 'RENDER_WRITE_WAIT_MS', 10_000, 10, 600_000),
      renderQueueMax: intVar(env, 'RENDER_QUEUE_MAX', 2_000, 1, 100_000),
    },
    workers: readWorkers(env),
    workerBalance: readWorkerBalance(env, process.platform),
    // 10 measured best under the benchmark's flood (cached page 0.47× quiet; 5: 0.33–0.80×; 0: 0.17×).
    renderNice: intVar(env, 'RENDER_NICE', 10, 0, 19),
    outboxIntervalMs: intVar(env, 'OUTBOX_INTERVAL_MS', 15_000, 100, 86_400_000),
    sms: readSms(env),
    logLevel: readLogLevel(env),
  };
}

/** LOG_LEVEL, parsed here for readConfig and for src/lib/log.ts alike (`WARN` is `warn` in both). */
export function readLogLevel(env: NodeJS.ProcessEnv = process.env): AppConfig['logLevel'] {
  return oneOf(env, 'LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error']);
}

/** True for 127.0.0.0/8, ::1 and localhost: a server only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The loud start-up warning for a server others can reach without SITE_URL: every QR code,
 * certificate, poster, feed, e-mail and share link would point at localhost (issue 15, item 4).
 */
export function siteUrlWarning(cfg: Pick<AppConfig, 'host' | 'siteUrl' | 'siteUrlSet'>): string | undefined {
  if (cfg.siteUrlSet || isLoopbackHost(cfg.host)) return undefined;
  return [
    '警告：未设置 SITE_URL，而服务监听在 ' + cfg.host + '，其他设备可以访问。',
    `二维码、证明上的核验地址、海报、RSS、邮件与分享链接都会指向 ${cfg.siteUrl}，别人打不开。`,
    '请设置 SITE_URL 为公众访问的网址，例如 SITE_URL=https://shanxing.example.gov.cn',
    `WARNING: SITE_URL is not set while listening on ${cfg.host}: every QR code, certificate, poster, feed, e-mail and share link will point at ${cfg.siteUrl}. Set SITE_URL to the public address.`,
  ].join('\n');
}

let cached: AppConfig | undefined;
/** The process-wide configuration, parsed once. */
export function config(): AppConfig {
  cached ??= readConfig();
  return cached;
}
