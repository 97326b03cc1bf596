// The SMTP client (nodemailer, decision 085) against a tiny fake relay, and `npm run user:create` as an operator would run it.
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendMail } from '../../src/lib/mail.ts';
import { readMessage, startFakeSmtp } from '../helpers/fake-smtp.ts';
import { openDb } from '../../db/client.ts';
import { emptyDatabase } from '../helpers/db.ts';
import { sharedDbEnv } from '../helpers/hrana.ts';

describe('sendMail', () => {
  const text = '王小明，您好：\n\n管理员为您生成了重置密码链接（仅可使用一次）：\nhttp://x/reset/abc\n\n如非本人申请，请忽略本邮件。';

  // A relay checks the credentials with whichever mechanism it offers; the hand-written client sent
  // AUTH PLAIN without looking, so a LOGIN-only relay (common hosted mail, Exchange) refused it.
  test.each(['PLAIN LOGIN', 'LOGIN', 'PLAIN'])('relay offering AUTH %s: logs in, envelope, UTF-8 subject and body arrive intact', async (auth) => {
    const smtp = await startFakeSmtp({ pass: 's3cret', auth });
    try {
      await sendMail(`smtp://mailer%40yunxi.gov.cn:s3cret@127.0.0.1:${smtp.port}`, { to: 'vol@example.cn', subject: '善行平台：重置密码链接', text });
    } finally {
      await smtp.close();
    }
    expect(smtp.logins.map((l) => [l.user, l.pass])).toEqual([['mailer@yunxi.gov.cn', 's3cret']]);
    expect(auth.split(' ')).toContain(smtp.logins[0].mechanism);
    expect(smtp.messages).toHaveLength(1);
    const [m] = smtp.messages;
    expect(m.from).toBe('mailer@yunxi.gov.cn');
    expect(m.rcpt).toEqual(['vol@example.cn']);
    const read = readMessage(m.data);
    expect(read.subject).toBe('善行平台：重置密码链接');
    expect(read.text.trimEnd()).toBe(text);
    expect(read.headers.get('to')).toContain('vol@example.cn');
  });

  test('?from= in SMTP_URL sets the sender', async () => {
    const smtp = await startFakeSmtp({ user: 'relay-user', pass: 's3cret' });
    try {
      await sendMail(`smtp://relay-user:s3cret@127.0.0.1:${smtp.port}?from=noreply%40yunxi.gov.cn`, { to: 'vol@example.cn', subject: '通知', text: '正文' });
    } finally {
      await smtp.close();
    }
    expect(smtp.messages.map((m) => m.from)).toEqual(['noreply@yunxi.gov.cn']);
    expect(readMessage(smtp.messages[0].data).headers.get('from')).toContain('noreply@yunxi.gov.cn');
  });

  // Issue 16, item 3: STARTTLS was used only "when offered", so a server (or whoever stripped the
  // offer on the way) that did not offer it got the password in clear, and the reset links after it.
  test('never sends the password in clear to a server on another host that offers no STARTTLS', async () => {
    const ip = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
    expect(ip, 'this test needs a non-loopback IPv4 address on the machine').toBeTruthy();
    const smtp = await startFakeSmtp({ host: '0.0.0.0', pass: 's3cret' });
    try {
      await expect(sendMail(`smtp://mailer%40yunxi.gov.cn:s3cret@${ip}:${smtp.port}`, { to: 'vol@example.cn', subject: '重置密码', text: 'http://x/reset/abc' })).rejects.toThrow(/STARTTLS/);
    } finally {
      await smtp.close();
    }
    expect(smtp.commands.filter((l) => l.startsWith('AUTH'))).toEqual([]);
    expect(smtp.messages).toEqual([]);
  });

  // The outbox and the admin's reset action wait on sendMail: a relay that accepts the connection and
  // then stalls must cost the caller its own deadline, not the transport's per-phase timeouts added up.
  test('gives up on a relay that never answers within the deadline', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const { port } = silent.address() as AddressInfo;
    try {
      await expect(sendMail(`smtp://u:p@127.0.0.1:${port}`, { to: 'vol@example.cn', subject: '通知', text: '正文' }, { timeoutMs: 300 })).rejects.toThrow();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  }, 5_000); // nodemailer's own greeting timeout alone would take 10 s
});

describe('npm run user:create', () => {
  const run = (args: string[], env: Record<string, string>) => spawnSync(process.execPath, ['scripts/user-create.mjs', ...args], { env: { ...process.env, ...env }, input: '', encoding: 'utf8' });

  test('creates an admin with the password from SHANXING_PASSWORD', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanxing-cli-'));
    // A database file, or under the remote run (decision 082) a libSQL server over HTTP.
    const env = { DATABASE_URL: (await emptyDatabase()).url, DATA_DIR: dir, SHANXING_PASSWORD: 'first admin password', ...sharedDbEnv() };
    const r = run(['--phone', '13811112222', '--name', '周管理', '--role', 'admin'], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('已创建账户');
    const db = await openDb({ url: env.DATABASE_URL });
    const roles = await db.$client.execute("SELECT role FROM user_roles JOIN users ON users.id = user_id WHERE phone = '13811112222' ORDER BY role");
    expect(roles.rows.map((x) => x.role)).toEqual(['admin', 'volunteer']);
    db.$client.close();
    const again = run(['--phone', '13811112222', '--name', '周管理', '--role', 'admin'], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('已有账户');
  });

  test('without a password and without a terminal it stops with a bilingual line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanxing-cli-'));
    const r = run(['--phone', '13811113333', '--name', '王五', '--role', 'admin'], { DATABASE_URL: `file:${join(dir, 'cli.db')}`, DATA_DIR: dir, SHANXING_PASSWORD: '' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('未提供密码：请设置环境变量 SHANXING_PASSWORD，或在终端中运行以输入密码 / No password: set SHANXING_PASSWORD or run in a terminal to be prompted');
  });

  test('refuses a common password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanxing-cli-'));
    const r = run(['--phone', '13811114444', '--name', '王五', '--role', 'admin'], { DATABASE_URL: `file:${join(dir, 'cli.db')}`, DATA_DIR: dir, SHANXING_PASSWORD: 'password123' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('过于常见');
  });
});
