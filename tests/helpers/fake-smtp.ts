// A tiny SMTP server on loopback that records every message (for mail tests). It checks what a real
// relay checks — AUTH (PLAIN and LOGIN) with the right credentials before MAIL FROM — and never
// offers STARTTLS, so a client that needs TLS has to give up.
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeSmtpMessage {
  from: string;
  rcpt: string[];
  data: string;
}
export interface FakeSmtp {
  url: string;
  port: number;
  messages: FakeSmtpMessage[];
  /** Every command line the client sent, AUTH continuation lines included. */
  commands: string[];
  /** Successful logins, decoded from whichever mechanism the client chose. */
  logins: { mechanism: string; user: string; pass: string }[];
  /** How many connections the client opened. */
  connections: number;
  close: () => Promise<void>;
}

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/**
 * Starts the fake server (on loopback unless `host` says otherwise); `url` is an smtp:// URL with its
 * credentials. `auth` is the list of SASL mechanisms advertised in EHLO.
 */
export async function startFakeSmtp({
  host = '127.0.0.1',
  user = 'mailer@yunxi.gov.cn',
  pass = 'pw',
  auth = 'PLAIN LOGIN',
}: { host?: string; user?: string; pass?: string; auth?: string } = {}): Promise<FakeSmtp> {
  const messages: FakeSmtpMessage[] = [];
  const commands: string[] = [];
  const logins: FakeSmtp['logins'] = [];
  const offered = auth.toUpperCase().split(/\s+/);
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((sock) => {
    connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.setEncoding('utf8');
    let inData = false;
    let buf = '';
    let authed = false;
    // A multi-step AUTH in progress: the mechanism and what the client has sent so far.
    let pending: { mechanism: string; user?: string } | null = null;
    let current: FakeSmtpMessage = { from: '', rcpt: [], data: '' };
    const login = (mechanism: string, u: string, p: string) => {
      pending = null;
      if (u !== user || p !== pass) return sock.write('535 5.7.8 authentication failed\r\n');
      authed = true;
      logins.push({ mechanism, user: u, pass: p });
      sock.write('235 2.7.0 ok\r\n');
    };
    const plain = (token: string) => {
      const [, u = '', p = ''] = b64(token).split('\0');
      login('PLAIN', u, p);
    };
    sock.write('220 fake ESMTP\r\n');
    sock.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(current);
            current = { from: '', rcpt: [], data: '' };
            sock.write('250 queued\r\n');
          } else current.data += (line.startsWith('.') ? line.slice(1) : line) + '\n'; // RFC 5321 4.5.2 dot-stuffing
          continue;
        }
        commands.push(line);
        if (pending) {
          if (pending.mechanism === 'PLAIN') plain(line);
          else if (pending.user === undefined) {
            pending.user = b64(line);
            sock.write('334 UGFzc3dvcmQ6\r\n');
          } else login('LOGIN', pending.user, b64(line));
          continue;
        }
        const [verb = '', arg = '', token] = line.split(' ');
        switch (verb.toUpperCase()) {
          case 'EHLO':
            sock.write(`250-fake\r\n250 AUTH ${auth}\r\n`);
            break;
          case 'STARTTLS':
            sock.write('502 5.5.1 STARTTLS not available\r\n');
            break;
          case 'AUTH': {
            const mechanism = arg.toUpperCase();
            if (!offered.includes(mechanism)) {
              sock.write('504 5.5.4 mechanism not supported\r\n');
              break;
            }
            if (mechanism === 'PLAIN') {
              if (token) plain(token);
              else {
                pending = { mechanism };
                sock.write('334 \r\n');
              }
            } else if (token) {
              pending = { mechanism, user: b64(token) };
              sock.write('334 UGFzc3dvcmQ6\r\n');
            } else {
              pending = { mechanism };
              sock.write('334 VXNlcm5hbWU6\r\n');
            }
            break;
          }
          case 'MAIL':
            if (!authed) {
              sock.write('530 5.7.0 authentication required\r\n');
              break;
            }
            current = { from: /<([^>]*)>/.exec(line)?.[1] ?? '', rcpt: [], data: '' };
            sock.write('250 ok\r\n');
            break;
          case 'RCPT':
            current.rcpt.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
            sock.write('250 ok\r\n');
            break;
          case 'DATA':
            inData = true;
            sock.write('354 go\r\n');
            break;
          case 'RSET':
            current = { from: '', rcpt: [], data: '' };
            sock.write('250 ok\r\n');
            break;
          case 'QUIT':
            sock.write('221 bye\r\n');
            sock.end();
            break;
          default:
            sock.write('250 ok\r\n');
        }
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`,
    port,
    messages,
    commands,
    logins,
    get connections() {
      return connections;
    },
    // A pooling client keeps its connection open between messages; a server shutting down drops it.
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A received message decoded as a mail client would show it: headers (RFC 2047 words decoded) and the text body. */
export function readMessage(data: string): { headers: Map<string, string>; subject: string; text: string } {
  const split = data.indexOf('\n\n');
  const head = data.slice(0, split).replace(/\n[ \t]+/g, ' '); // unfold
  const headers = new Map<string, string>();
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  let body: Buffer;
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const raw = data.slice(split + 2).replace(/\n$/, '');
  if (cte === 'base64') body = Buffer.from(raw.replace(/\s+/g, ''), 'base64');
  else if (cte === 'quoted-printable') body = qp(raw.replace(/=\n/g, ''));
  else body = Buffer.from(raw, 'utf8');
  const charset = /charset="?([^";\s]+)/i.exec(headers.get('content-type') ?? '')?.[1] ?? 'us-ascii';
  const text = new TextDecoder(charset).decode(body).replace(/\r\n/g, '\n');
  return { headers, subject: headers.get('subject') ?? '', text };
}

function qp(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i], 'utf8'));
  }
  return Buffer.from(bytes);
}

// RFC 2047: adjacent encoded words are joined (whitespace between them is not text), and their bytes
// decoded together, so a character split across two words still comes out whole.
function decodeWords(value: string): string {
  return value.replace(/=\?[^?]+\?[BQ]\?[^?]*\?=(?:\s+=\?[^?]+\?[BQ]\?[^?]*\?=)*/gi, (run) => {
    const words = [...run.matchAll(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi)];
    const bytes = Buffer.concat(words.map(([, , enc, text]) => (enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qp(text.replace(/_/g, ' ')))));
    return new TextDecoder(words[0][1].replace(/\*.*$/, '')).decode(bytes);
  });
}
