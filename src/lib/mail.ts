// A small SMTP client over node:net / node:tls for SMTP_URL (smtp://user:pass@host:port?from=addr,
// STARTTLS when offered — required before a password goes to any host but this machine; smtps:// for
// implicit TLS). Plain-text UTF-8 mail only. Why not nodemailer (yet): docs/decisions/085.
import net from 'node:net';
import tls from 'node:tls';
import { isLoopbackHost } from './config.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends one message; rejects with the server's reply when a command fails. */
export async function sendMail(smtpUrl: string, mail: Mail, opts: { timeoutMs?: number } = {}): Promise<void> {
  const url = new URL(smtpUrl);
  const implicitTls = url.protocol === 'smtps:';
  const host = url.hostname;
  const port = Number(url.port || (implicitTls ? 465 : 25));
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const from = url.searchParams.get('from') || (user.includes('@') ? user : `noreply@${host}`);
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(mail.to)) throw new Error('bad recipient');

  let socket: net.Socket = implicitTls ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
  socket.setTimeout(opts.timeoutMs ?? 15_000, () => socket.destroy(new Error('SMTP timeout')));
  let buffer = '';
  let waiting: ((reply: { code: number; text: string }) => void) | null = null;
  let failed: Error | null = null;
  const onData = (d: Buffer) => {
    buffer += d.toString('utf8');
    // A complete reply ends with a line "NNN text" (no dash after the code).
    const m = /(?:^|\r\n)(\d{3}) [^\r\n]*\r\n$/.exec(buffer);
    if (m && waiting) {
      const reply = { code: Number(m[1]), text: buffer };
      buffer = '';
      const w = waiting;
      waiting = null;
      w(reply);
    }
  };
  const attach = (s: net.Socket) => {
    s.on('data', onData);
    s.on('error', (e) => (failed = e));
  };
  attach(socket);
  const read = () =>
    new Promise<{ code: number; text: string }>((resolve, reject) => {
      if (failed) return reject(failed);
      waiting = resolve;
      socket.once('close', () => reject(failed ?? new Error('SMTP connection closed')));
    });
  const cmd = async (line: string | null, expect: number) => {
    if (line !== null) socket.write(line + '\r\n');
    const r = await read();
    if (Math.floor(r.code / 100) !== Math.floor(expect / 100)) throw new Error(`SMTP ${line?.split(' ')[0] ?? 'greeting'}: ${r.text.trim()}`);
    return r;
  };
  try {
    await cmd(null, 220);
    let ehlo = await cmd('EHLO shanxing.local', 250);
    if (!implicitTls && /STARTTLS/i.test(ehlo.text)) {
      await cmd('STARTTLS', 220);
      socket.removeListener('data', onData);
      socket = tls.connect({ socket, servername: host });
      attach(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', () => resolve());
        socket.once('error', reject);
      });
      ehlo = await cmd('EHLO shanxing.local', 250);
    } else if (!implicitTls && user && !isLoopbackHost(host)) {
      // Whoever sits between us and the server can strip STARTTLS from the EHLO answer; the password
      // (and every reset link after it) would then cross the network in clear (issue 16, item 3).
      throw new Error('SMTP: the server offers no STARTTLS; not sending the password in clear (use smtps:// or a server with STARTTLS)');
    }
    if (user) await cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`, 235);
    await cmd(`MAIL FROM:<${from}>`, 250);
    await cmd(`RCPT TO:<${mail.to}>`, 250);
    await cmd('DATA', 354);
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const body = b64(mail.text).replace(/.{1,76}/g, '$&\r\n');
    const message = [
      `From: <${from}>`,
      `To: <${mail.to}>`,
      `Subject: =?UTF-8?B?${b64(mail.subject)}?=`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: base64',
      '',
      body,
    ].join('\r\n');
    await cmd(message + '\r\n.', 250);
    socket.write('QUIT\r\n');
  } finally {
    socket.end();
  }
}
