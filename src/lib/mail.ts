// Plain-text UTF-8 mail through SMTP_URL (smtp://user:pass@host:port?from=addr, or smtps:// for implicit
// TLS), sent by nodemailer (decision 085). The one rule of ours on top of it: a password never crosses
// the network in clear, so STARTTLS is required before AUTH to any host but this machine.
import nodemailer, { type Transporter } from 'nodemailer';
import { isLoopbackHost } from './config.ts';
import { log } from './log.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

interface Relay {
  transport: Transporter;
  from: string;
}

// One pooled transport per SMTP_URL: the outbox sends its messages over one open connection instead of
// a handshake (and a login) per message. Keyed by the whole URL, so a different password is a new pool.
const relays = new Map<string, Relay>();

function relayFor(smtpUrl: string): Relay {
  let relay = relays.get(smtpUrl);
  if (relay) return relay;
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literals come bracketed from URL
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 2,
    host,
    // Ports as before nodemailer (its default for smtp:// is 587): an SMTP_URL without a port keeps working.
    port: Number(url.port || (secure ? 465 : 25)),
    secure,
    auth: user ? { user, pass } : undefined,
    // nodemailer's default sends AUTH in clear when the server (or whoever strips the offer on the way)
    // does not offer STARTTLS; the password, and every reset link after it, would cross the network
    // readable (issue 16, item 3). A relay on this machine may stay plain.
    requireTLS: Boolean(user) && !secure && !isLoopbackHost(url.hostname),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // Outlives the outbox's 15 s tick, so a busy outbox keeps its connection; closes with QUIT before
    // the 30 s socket timeout would tear an idle connection down as an error.
    idleTimeout: 20_000,
  });
  // A pooled connection can fail while no message is waiting on it; log it instead of an unhandled 'error'.
  transport.on('error', (err) => log('warn', 'SMTP transport error', { error: String(err?.message ?? err) }));
  relay = { transport, from: url.searchParams.get('from') || (user.includes('@') ? user : `noreply@${host}`) };
  relays.set(smtpUrl, relay);
  return relay;
}

/**
 * Sends one message; rejects with nodemailer's error when the relay refuses it or `timeoutMs` (the
 * whole delivery, default 30 s) runs out — a relay trickling its replies trips no socket timeout.
 */
export async function sendMail(smtpUrl: string, mail: Mail, opts: { timeoutMs?: number } = {}): Promise<void> {
  // One plain address: no display name, list or group syntax that could add recipients.
  if (!/^[^\s<>@,;:"()[\]\\]+@[^\s<>@,;:"()[\]\\]+$/.test(mail.to)) throw new Error('bad recipient');
  const { transport, from } = relayFor(smtpUrl);
  await transport.sendMail({
    from: { name: '', address: from },
    to: { name: '', address: mail.to },
    subject: mail.subject,
    text: mail.text,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
  });
}
