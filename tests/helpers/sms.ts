// Verification codes for tests: requested through the real domain path with a sender that keeps the
// message instead of texting it (the provider interface, not a weakened check), and read from the
// demo provider's log line when a real server runs.
import { clearRateLimit, rateKey } from '../../src/domain/accounts/rate-limit.ts';
import { requestSmsCode, type SmsPurpose } from '../../src/domain/accounts/sms-codes.ts';
import type { SmsMessage } from '../../src/lib/sms.ts';
import { maskPhone } from '../../src/lib/pii.ts';
import type { Db } from '../../db/client.ts';
import { TEST_KEY } from './db.ts';

let serial = 0;

/**
 * Issues a code for `phone` and returns it. The per-phone resend pause and daily count are cleared
 * afterwards, and each call comes from its own address, so a test can issue as many as it needs.
 */
export async function smsCodeFor(db: Db, phone: string, purpose: SmsPurpose = 'register', opts: { userId?: number; secretKey?: Buffer } = {}): Promise<string> {
  const sent: SmsMessage[] = [];
  const ip = `198.18.${(++serial >> 8) & 255}.${serial & 255}`;
  const key = opts.secretKey ?? TEST_KEY;
  const r = await requestSmsCode(db, key, { phone, purpose, ip, userId: opts.userId, send: async (m) => void sent.push(m) });
  await r.delivery;
  await clearRateLimit(db, rateKey(key, 'sms-resend', phone));
  await clearRateLimit(db, rateKey(key, 'sms-phone-day', phone));
  if (!sent.length) throw new Error(`no code was sent to ${phone} for ${purpose}`);
  return sent[0].code;
}

/**
 * The latest code the demo (log) provider wrote for `phone` in a server's output, waiting for it up
 * to `timeoutMs` (the code is sent after the page answered). `after`: ignore output before this offset.
 */
export async function codeFromLog(output: () => string, phone: string, opts: { after?: number; timeoutMs?: number } = {}): Promise<string> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  const masked = maskPhone(phone);
  for (;;) {
    const lines = output()
      .slice(opts.after ?? 0)
      .split('\n')
      .filter((l) => l.includes('"sms.demo"') && l.includes(`"phone":"${masked}"`));
    const last = lines.at(-1);
    if (last) return String((JSON.parse(last) as { code: string }).code);
    if (Date.now() > deadline) throw new Error(`no demo SMS for ${masked} in the server log`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
