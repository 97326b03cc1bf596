import { describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { readMessage, startFakeSmtp } from '../helpers/fake-smtp.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { notify } from '../../src/domain/notices/index.ts';
import { runNoticeOutbox } from '../../src/domain/notices/outbox.ts';
import { openDb } from '../../db/client.ts';

describe('notice e-mail outbox', () => {
  test('mails each notice once to users with an address, even with two processes claiming at once', async () => {
    const db = await freshDb({ seed: 'base' });
    const smtp = await startFakeSmtp();
    const withMail = await createUser(db, TEST_KEY, { phone: '13800000001', password: 'x-long-password-1', realName: '王小明', email: 'wang@example.cn' });
    const noMail = await createUser(db, TEST_KEY, { phone: '13800000002', password: 'x-long-password-2', realName: '李小红' });
    for (let i = 0; i < 30; i++) await notify(db, { userId: withMail, kind: 'test', title: `候补成功 ${i}`, body: '您已由候补转为正式报名。', link: '/events/1' });
    await notify(db, { userId: noMail, kind: 'test', title: '无邮箱', body: '' });
    const other = await openDb({ url: db.url });
    const [a, b] = await Promise.all([
      runNoticeOutbox(db, { smtpUrl: smtp.url, siteUrl: 'https://shanxing.example', limit: 20 }),
      runNoticeOutbox(other, { smtpUrl: smtp.url, siteUrl: 'https://shanxing.example', limit: 20 }),
    ]);
    while ((await runNoticeOutbox(db, { smtpUrl: smtp.url, siteUrl: 'https://shanxing.example' })) > 0) {
      /* drain */
    }
    expect(a + b).toBeGreaterThan(0);
    expect(smtp.messages).toHaveLength(30);
    expect(smtp.messages.every((m) => m.rcpt[0] === 'wang@example.cn')).toBe(true);
    const mails = smtp.messages.map((m) => readMessage(m.data));
    const subjects = new Set(mails.map((m) => m.subject));
    expect(subjects.size).toBe(30); // no duplicates
    expect(subjects).toContain('候补成功 0');
    expect(mails[0].text).toBe('您已由候补转为正式报名。\n\nhttps://shanxing.example/events/1');
    // One pooled transport per SMTP_URL: 30 messages do not open 30 connections to the relay.
    expect(smtp.connections).toBeLessThanOrEqual(2);
    const left = await db.$client.execute('SELECT count(*) AS n FROM notices WHERE emailed_at IS NULL');
    expect(Number(left.rows[0].n)).toBe(0);
    other.$client.close();
    await smtp.close();
  });

  test('old notices are marked handled without mail when SMTP is first configured', async () => {
    const db = await freshDb({ seed: 'base' });
    const smtp = await startFakeSmtp();
    const uid = await createUser(db, TEST_KEY, { phone: '13800000003', password: 'x-long-password-3', realName: '赵大海', email: 'zhao@example.cn' });
    await db.$client.execute({ sql: "INSERT INTO notices (user_id, kind, title, body, created_at) VALUES (?, 'old', '旧通知', '', ?)", args: [uid, Date.now() - 3 * 86400_000] });
    expect(await runNoticeOutbox(db, { smtpUrl: smtp.url, siteUrl: 'http://x' })).toBe(0);
    expect(smtp.messages).toHaveLength(0);
    await smtp.close();
  });
});
