// Issue 17.7 against a real libSQL file: numbers the county publishes on purpose, kept in settings,
// pass the personal-data check and its masker; every other number is still blocked and masked.
import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import { createArticle } from '../../src/domain/articles/editing.ts';
import { PersonalDataFound } from '../../src/domain/articles/errors.ts';
import { getArticle } from '../../src/domain/articles/queries.ts';
import { submitForReview } from '../../src/domain/articles/review.ts';
import { publicTextOptions } from '../../src/domain/public-text.ts';
import { maskPersonalData } from '../../src/lib/personal-data.ts';
import { getSettings } from '../../src/domain/settings/index.ts';
import { parsePublicPhones, savePublicPhones } from '../../src/domain/settings/public-phones.ts';
import { EDITOR, staff } from './publishing-helpers.ts';

let db: Db;
let editor: SessionUser;
let adminId: number;

const article = (body: string) => ({
  title: '冬季巡防通知',
  channel: 'notice',
  topic: null,
  honoreeId: null,
  summary: '',
  body,
  tags: [],
  author: '',
  source: '',
  coverMediaId: null,
  attachments: [],
});

beforeAll(async () => {
  db = await freshDb({ seed: 'demo' });
  editor = await staff(db, EDITOR);
  adminId = (await staff(db, '13900000001')).id;
});

describe('public phone numbers', () => {
  test('a hotline and a 队长 number block submission until staff list them; then only they pass', async () => {
    const body = '咨询请拨打县政务服务热线 0838-12345678，或联系巡防队队长 139 1234 5678。';
    const id = await createArticle(db, editor, article(body));
    const e = await submitForReview(db, editor, id).catch((x) => x);
    expect(e).toBeInstanceOf(PersonalDataFound);
    expect(e.hits.map((h: { kind: string }) => h.kind).sort()).toEqual(['landline', 'phone']);

    await savePublicPhones(db, adminId, '0838-12345678 县政务服务热线\n13912345678 巡防队队长（张队长）', '192.0.2.5');
    await submitForReview(db, editor, id);
    expect((await getArticle(db, id))!.status).toBe('submitted');
    const audit = await db.$client.execute("SELECT actor_id, after FROM audit_log WHERE action = 'settings.public_phones'");
    expect(Number(audit.rows[0].actor_id)).toBe(adminId);

    // Any other number is still personal data, refused and masked.
    const other = await createArticle(db, editor, article('队员李四的电话 13912345679，办公室 0838-12345679。'));
    const e2 = await submitForReview(db, editor, other).catch((x) => x);
    expect(e2).toBeInstanceOf(PersonalDataFound);
    expect(e2.hits).toHaveLength(2);
    const opts = await publicTextOptions(db);
    expect(maskPersonalData('热线 0838-12345678，队长 139-1234-5678，队员 13912345679', opts)).toBe('热线 0838-12345678，队长 139-1234-5678，队员 139****5679');
  });

  test("only listed numbers pass: the site's footer line is personal data in a text until it is listed too", async () => {
    const { contactPhone } = await getSettings(db);
    expect(maskPersonalData(`联系电话：${contactPhone}`, await publicTextOptions(db))).not.toContain(contactPhone);
    await savePublicPhones(db, adminId, `0838-12345678 县政务服务热线\n13912345678 巡防队队长\n${contactPhone} 县文明办`);
    expect(maskPersonalData(`联系电话：${contactPhone}`, await publicTextOptions(db))).toBe(`联系电话：${contactPhone}`);
  });

  test.each([
    ['12345 热线', /第 1 行.*不是有效的电话号码/],
    ['0838-12345678', /第 1 行.*号码 空格 说明/],
    ['0838-12345678 县政务服务热线\n0838 1234 5678 重复', /第 2 行.*重复/],
    ['13912345678 <b>队长</b>\u202e', /第 1 行.*请写明/],
  ])('a bad list is refused, naming the line: %s', (text, message) => {
    expect(() => parsePublicPhones(text)).toThrow(message);
  });
});
