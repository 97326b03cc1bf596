// Issue 20 评单 by SMS link: closing an order issues a one-time link (random token, only its hash
// stored, 30 days) texted to the resident without their name, phone or address; the link rates the order
// once through the same write as /track, an expired one is refused with the way to /track, a wrong one
// is not found.
import { beforeEach, describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import type { SmsMessage } from '../../src/lib/sms.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { acceptOrder, assignOrder, createServiceOrder, finishOrder, getServiceOrder, listMenu, rateOrder, ServiceOrderSchema } from '../../src/domain/orders/index.ts';
import { RATING_LINK_TTL_MS, rateOrderByLink, ratingLinkView, sendRatingLink } from '../../src/domain/orders/rating-links.ts';
import { addMember, count, makeTeam, makeUser } from './hours-fixtures.ts';

let db: Db;
let token: string;
let orderId: number;
let doneAt: number;
let sent: SmsMessage[];

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

beforeEach(async () => {
  db = await freshDb({ seed: 'base' });
  const tree = await regionTree(db);
  const itemId = (await listMenu(db)).find((i) => i.slug === 'elder-care')!.id;
  const staffId = await createUser(db, TEST_KEY, { phone: '13900005001', password: 'x-long-password', realName: '中心员', roles: ['editor'] });
  const staff: SessionUser = { id: staffId, realName: '中心员', phone: null, roles: ['editor'], status: 'active' };
  const team = await makeTeam(db, '评价队');
  const leaderId = await makeUser(db, '评价队长');
  await addMember(db, team, leaderId, 'leader');
  const leader: SessionUser = { id: leaderId, realName: '评价队长', phone: null, roles: ['volunteer'], status: 'active' };
  const o = await createServiceOrder(
    db,
    ServiceOrderSchema.parse({
      itemId,
      townId: tree[0].id,
      villageId: tree[0].villages[0].id,
      address: '3组12号',
      need: '家中老人想请志愿者帮忙打扫卫生。',
      requesterName: '张桂芳',
      requesterPhone: '13812347788',
    }),
  );
  orderId = o.id;
  await acceptOrder(db, staff, o.id);
  await assignOrder(db, staff, o.id, team);
  doneAt = Date.now();
  ({ rateToken: token } = await finishOrder(
    db,
    leader,
    o.id,
    team,
    { note: '两名志愿者上门打扫卫生一次。', servedVolunteers: 2, beneficiaries: 1, hoursRecorded: false, noEventReason: '上门一次即完成' },
    doneAt,
  ));
  sent = [];
  expect(await sendRatingLink(db, { token, siteUrl: 'https://sx.example.cn/', send: async (m) => void sent.push(m) })).toBe(true);
});

describe('the SMS', () => {
  test('goes to the resident’s phone with the link and the number only; the database keeps only a hash', async () => {
    expect(sent).toHaveLength(1);
    expect(sent[0].phone).toBe('13812347788');
    expect(sent[0].rate?.link).toBe(`https://sx.example.cn/services/rate/${token}`);
    expect(sent[0].rate?.text).toContain(sent[0].rate!.link);
    for (const secret of ['张桂芳', '13812347788', '3组12号', '打扫卫生']) expect(sent[0].rate?.text).not.toContain(secret);
    const rows = await db.$client.execute('SELECT * FROM order_rating_links');
    expect(rows.rows).toHaveLength(1);
    expect(JSON.stringify(rows.rows)).not.toContain(token);
    expect(Number(rows.rows[0].expires_at)).toBe(doneAt + RATING_LINK_TTL_MS);
  });
});

describe('the link', () => {
  test('rates once: the order is rated, a 2-star rating asks for a 回访, the second try is refused', async () => {
    const view = await ratingLinkView(db, token);
    expect(view).toMatchObject({ state: 'open', status: 'done', item: '助老助残上门服务', team: '评价队' });
    expect(JSON.stringify(view)).not.toMatch(/13812347788|张桂芳|3组12号/);
    await rateOrderByLink(db, token, { rating: 2, comment: '来晚了' });
    expect(await getServiceOrder(db, orderId)).toMatchObject({ status: 'rated', rating: 2, ratingComment: '来晚了', revisitDue: 1 });
    expect(await count(db, "service_order_steps WHERE order_id = ? AND kind = 'rated'", [orderId])).toBe(1);
    expect(await count(db, 'order_rating_links WHERE used_at IS NOT NULL')).toBe(1);
    expect(await refusal(rateOrderByLink(db, token, { rating: 5, comment: '' }))).toBe('您已评价过这个点单，谢谢！');
    expect((await getServiceOrder(db, orderId))?.rating).toBe(2);
    expect((await ratingLinkView(db, token))?.state).toBe('used');
  });

  test('ten presses at once: one rating, nine refusals, no error', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => rateOrderByLink(db, token, { rating: (i % 5) + 1, comment: '' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(new Set(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : [])))).toEqual(new Set(['您已评价过这个点单，谢谢！']));
    expect(await count(db, "service_order_steps WHERE order_id = ? AND kind = 'rated'", [orderId])).toBe(1);
  });

  test('expired after 30 days: refused with the way to /track, nothing written', async () => {
    const later = doneAt + RATING_LINK_TTL_MS + 1000;
    expect((await ratingLinkView(db, token, later))?.state).toBe('expired');
    expect(await refusal(rateOrderByLink(db, token, { rating: 5, comment: '' }, later))).toContain('评价链接已过期');
    expect((await getServiceOrder(db, orderId))?.status).toBe('done');
    // The number and four digits still work.
    const no = String((await getServiceOrder(db, orderId))?.trackingNo);
    await rateOrder(db, { secretKey: TEST_KEY, number: no, digits: '7788', rating: 4, comment: '' }, later);
    expect((await getServiceOrder(db, orderId))?.rating).toBe(4);
  });

  test('a wrong or malformed token is not found; rating on /track first uses the link up', async () => {
    expect(await ratingLinkView(db, 'a'.repeat(32))).toBeUndefined();
    expect(await ratingLinkView(db, '../../etc')).toBeUndefined();
    await expect(rateOrderByLink(db, 'a'.repeat(32), { rating: 5, comment: '' })).rejects.toMatchObject({ status: 'NOT_FOUND' });
    const no = String((await getServiceOrder(db, orderId))?.trackingNo);
    await rateOrder(db, { secretKey: TEST_KEY, number: no, digits: '7788', rating: 5, comment: '' });
    expect((await ratingLinkView(db, token))?.state).toBe('used');
    expect(await refusal(rateOrderByLink(db, token, { rating: 1, comment: '' }))).toBe('您已评价过这个点单，谢谢！');
  });
});
