// A tiny SMTP server on loopback that records every message (for mail tests).
import { createServer, type Server } from 'node:net';

export interface FakeSmtp {
  url: string;
  port: number;
  messages: { rcpt: string[]; data: string }[];
  commands: string[];
  close: () => Promise<void>;
}

/** Starts the fake server (on loopback unless `host` says otherwise); `url` is an smtp:// URL with credentials. */
export async function startFakeSmtp({ host = '127.0.0.1' }: { host?: string } = {}): Promise<FakeSmtp> {
  const messages: { rcpt: string[]; data: string }[] = [];
  const commands: string[] = [];
  const server: Server = createServer((sock) => {
    let inData = false;
    let buf = '';
    let current = { rcpt: [] as string[], data: '' };
    sock.write('220 fake ESMTP\r\n');
    sock.on('data', (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(current);
            current = { rcpt: [], data: '' };
            sock.write('250 queued\r\n');
          } else current.data += line + '\n';
          continue;
        }
        commands.push(line);
        if (line.startsWith('EHLO')) sock.write('250-fake\r\n250 AUTH PLAIN\r\n');
        else if (line.startsWith('AUTH')) sock.write('235 ok\r\n');
        else if (line.startsWith('RCPT TO:')) {
          current.rcpt.push(line.slice(8).replace(/[<>]/g, ''));
          sock.write('250 ok\r\n');
        } else if (line === 'DATA') {
          inData = true;
          sock.write('354 go\r\n');
        } else if (line === 'QUIT') {
          sock.write('221 bye\r\n');
          sock.end();
        } else sock.write('250 ok\r\n');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `smtp://mailer%40yunxi.gov.cn:pw@127.0.0.1:${port}`, port, messages, commands, close: () => new Promise((r) => server.close(() => r())) };
}
