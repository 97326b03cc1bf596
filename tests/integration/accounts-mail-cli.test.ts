// The SMTP client against a tiny fake server, and `npm run user:create` as an operator would run it.
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendMail } from '../../src/lib/mail.ts';
import { startFakeSmtp } from '../helpers/fake-smtp.ts';
import { openDb } from '../../db/client.ts';
import { emptyDatabase } from '../helpers/db.ts';
import { sharedDbEnv } from '../helpers/hrana.ts';

describe('sendMail', () => {
  test('speaks SMTP: AUTH PLAIN, envelope, UTF-8 subject and body', async () => {
    const smtp = await startFakeSmtp();
    await sendMail(`smtp://mailer%40yunxi.gov.cn:s3cret@127.0.0.1:${smtp.port}`, { to: 'vol@example.cn', subject: '重置密码', text: '您好，链接：http://x/reset/abc' });
    await smtp.close();
    const seen = smtp.commands;
    const data = smtp.messages[0].data;
    expect(seen).toContain('MAIL FROM:<mailer@yunxi.gov.cn>');
    expect(seen).toContain('RCPT TO:<vol@example.cn>');
    expect(seen.find((l) => l.startsWith('AUTH PLAIN'))).toBe(`AUTH PLAIN ${Buffer.from('\0mailer@yunxi.gov.cn\0s3cret').toString('base64')}`);
    expect(data).toContain(`Subject: =?UTF-8?B?${Buffer.from('重置密码').toString('base64')}?=`);
    const body = data.split('\n\n')[1].replace(/\n/g, '');
    expect(Buffer.from(body, 'base64').toString('utf8')).toContain('http://x/reset/abc');
  });

  // Issue 16, item 3: STARTTLS was used only "when offered", so a server (or whoever stripped the
  // offer on the way) that did not offer it got the password in clear, and the reset links after it.
  test('never sends the password in clear to a server on another host that offers no STARTTLS', async () => {
    const ip = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
    expect(ip, 'this test needs a non-loopback IPv4 address on the machine').toBeTruthy();
    const smtp = await startFakeSmtp({ host: '0.0.0.0' });
    try {
      await expect(sendMail(`smtp://mailer%40yunxi.gov.cn:s3cret@${ip}:${smtp.port}`, { to: 'vol@example.cn', subject: '重置密码', text: 'http://x/reset/abc' })).rejects.toThrow(/STARTTLS/);
    } finally {
      await smtp.close();
    }
    expect(smtp.commands.filter((l) => l.startsWith('AUTH'))).toEqual([]);
    expect(smtp.messages).toEqual([]);
  });
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
