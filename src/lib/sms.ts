// Sending one verification SMS through the configured provider (SMS_PROVIDER, decision 092):
// 阿里云短信服务 (Dysmsapi SendSms, RPC signature v1, HMAC-SHA1) or 腾讯云短信 (SendSms 2021-01-11,
// TC3-HMAC-SHA256), each with plain fetch and node:crypto; or, with no provider configured, the
// server log (a demo: the page says so). No SDK: two signed HTTP requests do not need one.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { SmsConfig } from './config.ts';
import { maskPhone } from './pii.ts';

/** One verification code to one mainland phone. */
export interface SmsMessage {
  phone: string;
  code: string;
  /** How long the code is valid, for templates that say so. */
  minutes: number;
  /** What the code is for, for the demo log line (register | reset | phone | rate). */
  purpose: string;
  /** Not a code but a service order's rating link (SMS_RATE_TEMPLATE_ID, variables no and link). */
  rate?: { trackingNo: string; link: string; text: string };
}

/** The provider refused or could not be reached; `code` is the provider's error code when it gave one. */
export class SmsSendError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'SmsSendError';
    this.code = code;
  }
}

/** Aliyun's POP percent-encoding: RFC 3986 unreserved characters stay, everything else is %XX (space as %20). */
export function aliyunEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** Aliyun RPC signature v1: base64 HMAC-SHA1 over METHOD&%2F&<encoded sorted query>, keyed with secret + "&". */
export function aliyunSignature(secret: string, method: 'GET' | 'POST', params: Record<string, string>): string {
  const query = Object.keys(params)
    .sort()
    .map((k) => `${aliyunEncode(k)}=${aliyunEncode(params[k])}`)
    .join('&');
  const toSign = `${method}&${aliyunEncode('/')}&${aliyunEncode(query)}`;
  return createHmac('sha1', secret + '&')
    .update(toSign)
    .digest('base64');
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** Tencent Cloud API 3.0 TC3-HMAC-SHA256: the Authorization header for a JSON POST to `host`. */
export function tc3Authorization(o: { secretId: string; secretKey: string; service: string; host: string; timestamp: number; payload: string; contentType?: string }): string {
  const contentType = o.contentType ?? 'application/json; charset=utf-8';
  const date = new Date(o.timestamp * 1000).toISOString().slice(0, 10); // UTC, as the scope requires
  const canonicalRequest = ['POST', '/', '', `content-type:${contentType}\nhost:${o.host}\n`, 'content-type;host', sha256Hex(o.payload)].join('\n');
  const scope = `${date}/${o.service}/tc3_request`;
  const toSign = ['TC3-HMAC-SHA256', String(o.timestamp), scope, sha256Hex(canonicalRequest)].join('\n');
  const signing = hmac(hmac(hmac('TC3' + o.secretKey, date), o.service), 'tc3_request');
  const signature = createHmac('sha256', signing).update(toSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${o.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

function templateValues(cfg: SmsConfig, msg: SmsMessage): { name: string; value: string }[] {
  if (msg.rate)
    return [
      { name: 'no', value: msg.rate.trackingNo },
      { name: 'link', value: msg.rate.link },
    ];
  return cfg.templateParams.map((p) => ({ name: p, value: p === 'code' ? msg.code : String(msg.minutes) }));
}

/** The provider template for a message: the code template, or the rating-link one. */
function templateOf(cfg: SmsConfig, msg: SmsMessage): string {
  if (!msg.rate) return cfg.templateId!;
  if (!cfg.rateTemplateId) throw new SmsSendError('NoRateTemplate', 'SMS_RATE_TEMPLATE_ID 未设置，评价链接短信未发送');
  return cfg.rateTemplateId;
}

async function readJson(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SmsSendError(`HTTP${res.status}`, text.slice(0, 200) || res.statusText);
  }
}

async function sendAliyun(cfg: SmsConfig, msg: SmsMessage, now: Date, signal: AbortSignal): Promise<void> {
  const params: Record<string, string> = {
    AccessKeyId: cfg.keyId!,
    Action: 'SendSms',
    Format: 'JSON',
    RegionId: cfg.region,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: randomUUID(),
    SignatureVersion: '1.0',
    Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2017-05-25',
    PhoneNumbers: msg.phone,
    SignName: cfg.signName!,
    TemplateCode: templateOf(cfg, msg),
    TemplateParam: JSON.stringify(Object.fromEntries(templateValues(cfg, msg).map((v) => [v.name, v.value]))),
  };
  params.Signature = aliyunSignature(cfg.keySecret!, 'POST', params);
  // POST, so the phone number stays out of URLs that proxies log.
  const body = Object.entries(params)
    .map(([k, v]) => `${aliyunEncode(k)}=${aliyunEncode(v)}`)
    .join('&');
  const res = await fetch(cfg.endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body, signal });
  const json = await readJson(res);
  if (json.Code !== 'OK') throw new SmsSendError(String(json.Code ?? `HTTP${res.status}`), String(json.Message ?? ''));
}

async function sendTencent(cfg: SmsConfig, msg: SmsMessage, now: Date, signal: AbortSignal): Promise<void> {
  const host = new URL(cfg.endpoint).host;
  const payload = JSON.stringify({
    PhoneNumberSet: [`+86${msg.phone}`],
    SmsSdkAppId: cfg.appId,
    SignName: cfg.signName,
    TemplateId: templateOf(cfg, msg),
    TemplateParamSet: templateValues(cfg, msg).map((v) => v.value),
  });
  const timestamp = Math.floor(now.getTime() / 1000);
  const res = await fetch(cfg.endpoint, {
    method: 'POST',
    headers: {
      Authorization: tc3Authorization({ secretId: cfg.keyId!, secretKey: cfg.keySecret!, service: 'sms', host, timestamp, payload }),
      'Content-Type': 'application/json; charset=utf-8',
      Host: host,
      'X-TC-Action': 'SendSms',
      'X-TC-Version': '2021-01-11',
      'X-TC-Timestamp': String(timestamp),
      'X-TC-Region': cfg.region,
    },
    body: payload,
    signal,
  });
  const json = await readJson(res);
  const response = (json.Response ?? {}) as { Error?: { Code?: string; Message?: string }; SendStatusSet?: { Code?: string; Message?: string }[] };
  if (response.Error) throw new SmsSendError(String(response.Error.Code), String(response.Error.Message ?? ''));
  const status = response.SendStatusSet?.[0];
  // The request can succeed while this one number was refused (daily limit, invalid number…).
  if (!status || status.Code !== 'Ok') throw new SmsSendError(String(status?.Code ?? 'NoStatus'), String(status?.Message ?? ''));
}

/** The demo provider's line: the code in the server log, the phone masked (decision 092). */
export function demoLogLine(msg: SmsMessage): string {
  return JSON.stringify({
    t: new Date().toISOString(),
    level: 'warn',
    msg: 'sms.demo',
    note: '演示环境：未配置短信服务，验证码写入日志',
    phone: maskPhone(msg.phone),
    purpose: msg.purpose,
    ...(msg.rate ? { text: msg.rate.text } : { code: msg.code }),
  });
}

/**
 * Sends one code; resolves when the provider accepted it, rejects with SmsSendError (or a timeout)
 * otherwise. The log provider writes its line whatever LOG_LEVEL says: it is how a demo gets its codes.
 */
export async function sendSms(cfg: SmsConfig, msg: SmsMessage, opts: { timeoutMs?: number; now?: Date } = {}): Promise<void> {
  if (cfg.provider === 'log') {
    process.stdout.write(demoLogLine(msg) + '\n');
    return;
  }
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  const now = opts.now ?? new Date();
  if (cfg.provider === 'aliyun') await sendAliyun(cfg, msg, now, signal);
  else await sendTencent(cfg, msg, now, signal);
}
