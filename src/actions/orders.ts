// Actions for 四单 service orders (issue 20): the public order form and rating, staff triage and
// dispatch, orders entered on a resident's behalf, and team leaders' claims and closing notes.
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { actionAbility, actionLeader, actionUser, actionVolunteer, formAction } from '../lib/action-guards.ts';
import { hitRateLimit, rateKey } from '../domain/accounts/rate-limit.ts';
import { clientIp } from '../lib/client-ip.ts';
import { isPlainLine, plainLineError } from '../lib/plain-text.ts';
import { normaliseNumber } from '../domain/tracking/index.ts';
import {
  ORDER_SOURCES,
  acceptOrder,
  assignOrder,
  claimOrder,
  claimWish,
  createServiceOrder,
  finishOrder,
  finishWish,
  openOrder,
  closeRevisit,
  rateOrder,
  rejectOrder,
  revealOrderPhone,
} from '../domain/orders/index.ts';
import { linkEventToOrder } from '../domain/orders/delivery.ts';
import { addProgressNote } from '../domain/orders/notes.ts';
import { removeWorkDay, saveWorkDay } from '../domain/orders/work-calendar.ts';
import { rateOrderByLink, sendRatingLink } from '../domain/orders/rating-links.ts';
import { sendSms } from '../lib/sms.ts';

const id = z.coerce.number().int().positive();
const pick = (msg: string) => z.preprocess((v) => v || undefined, z.coerce.number({ error: msg }).int(msg).positive(msg));
const line = (label: string, min: number, max: number, msg: string) =>
  z.preprocess((v) => v ?? '', z.string().trim().refine(isPlainLine, plainLineError(label)).min(min, msg).max(max, `${label}不超过 ${max} 个字`));
const count = (msg: string, max: number) => z.preprocess((v) => v || undefined, z.coerce.number({ error: msg }).int('人数应为整数').min(1, msg).max(max, `人数不超过 ${max}`));
const text = (min: number, max: number, msg: string, long: string) => z.preprocess((v) => v ?? '', z.string().trim().min(min, msg).max(max, long));

/** The order form's fields, public and on behalf alike (the domain checks them again). */
const orderFields = {
  itemId: pick('请选择服务项目'),
  townId: pick('请选择乡镇（街道）'),
  villageId: pick('请选择村（社区）'),
  address: line('详细地址', 2, 100, '请填写详细地址，例如“3组12号”'),
  need: text(5, 500, '请用一两句话说明需要什么帮助（至少 5 个字）', '需求说明不超过 500 字'),
  preferredTime: line('希望时间', 0, 60, '希望时间不超过 60 字').default(''),
  requesterName: line('联系人姓名', 2, 30, '请填写联系人姓名'),
  requesterPhone: z.preprocess((v) => String(v ?? '').replace(/[\s-]/g, ''), z.string().regex(/^1[3-9]\d{9}$/, '请填写 11 位手机号码')),
  publicConsent: z.boolean().default(false),
  /** Up to two private photos (checked in the domain: count, JPEG/PNG, size). */
  photos: z.array(z.instanceof(File)).default([]),
  estimatedValue: z.preprocess(
    (v) => (v === '' || v == null ? undefined : String(v).trim().replace(/元$/, '')),
    z.coerce.number({ error: '请填写估计价值（元），例如 80' }).int('请填写整数元，例如 80').min(1, '请填写估计价值（元），例如 80').max(1_000_000, '请填写估计价值（元），例如 80').optional(),
  ),
};

/** The non-empty files of a file input, read into memory for the domain. */
async function uploads(files: File[]) {
  return Promise.all(files.filter((f) => f.size > 0).map(async (f) => ({ bytes: new Uint8Array(await f.arrayBuffer()), name: f.name })));
}

export const orders = {
  /** Public: order a service, then 303 to the confirmation page with the tracking number (a refresh never orders twice). */
  order: formAction({
    input: z.object(orderFields),
    handler: async ({ photos, ...input }, ctx) => {
      const db = await appDb();
      const rl = await hitRateLimit(db, rateKey(config().secretKey, 'service-order', clientIp(ctx)), 10, 3600_000);
      if (!rl.allowed) throw new ActionError({ code: 'TOO_MANY_REQUESTS', message: '提交过于频繁，请一小时后再试，或拨打乡镇新时代文明实践所电话点单' });
      const r = await createServiceOrder(db, input, { photos: { uploadsDir: config().uploadsDir, files: await uploads(photos) } });
      return { redirect: `/services/ordered?no=${encodeURIComponent(r.trackingNo)}` };
    },
  }),

  /** Staff: enter an order for a resident who phoned, came to the window or was visited. */
  orderOnBehalf: formAction({
    input: z.object({ ...orderFields, source: z.preprocess((v) => v || undefined, z.enum(ORDER_SOURCES.filter((s) => s !== '网上') as ['电话', '窗口', '上门'], { error: '请选择点单渠道' })) }),
    handler: async ({ source, photos, ...input }, ctx) => {
      const user = actionAbility(ctx, 'orders.handle');
      const r = await createServiceOrder(await appDb(), input, { source, by: user, ip: clientIp(ctx), photos: { uploadsDir: config().uploadsDir, files: await uploads(photos) } });
      return { redirect: `/console/orders/${r.id}?done=created` };
    },
  }),

  /** Staff: reveal a requester's full phone to call back; every reveal is audited. */
  revealPhone: formAction({
    input: z.object({ orderId: id }),
    handler: async ({ orderId }, ctx) => {
      const user = actionAbility(ctx, 'orders.handle');
      return { orderId, phone: await revealOrderPhone(await appDb(), user, orderId, clientIp(ctx)) };
    },
  }),

  accept: formAction({
    input: z.object({ id }),
    handler: async (input, ctx) => {
      await acceptOrder(await appDb(), actionAbility(ctx, 'orders.handle'), input.id);
      return { redirect: `/console/orders/${input.id}` };
    },
  }),

  reject: formAction({
    input: z.object({ id, reason: text(2, 200, '请填写不予受理的原因，点单人查询时可以看到', '原因不超过 200 字') }),
    handler: async (input, ctx) => {
      await rejectOrder(await appDb(), actionAbility(ctx, 'orders.handle'), input.id, input.reason);
      return { redirect: `/console/orders/${input.id}` };
    },
  }),

  /** 派单 to one team (also a reassignment). */
  assign: formAction({
    input: z.object({ id, teamId: pick('请选择承接队伍') }),
    handler: async (input, ctx) => {
      await assignOrder(await appDb(), actionAbility(ctx, 'orders.handle'), input.id, input.teamId);
      return { redirect: `/console/orders/${input.id}` };
    },
  }),

  /** Open for teams to claim, or return an assigned order to the pool. */
  open: formAction({
    input: z.object({ id }),
    handler: async (input, ctx) => {
      await openOrder(await appDb(), actionAbility(ctx, 'orders.handle'), input.id);
      return { redirect: `/console/orders/${input.id}` };
    },
  }),

  /** Staff record the 回访 of a resident who rated 1–2 stars. */
  closeRevisit: formAction({
    input: z.object({ id, note: text(5, 500, '请写几句回访情况：群众的意见和处理结果（至少 5 个字）', '回访情况不超过 500 字') }),
    handler: async (input, ctx) => {
      await closeRevisit(await appDb(), actionAbility(ctx, 'orders.handle'), input.id, input.note);
      return { redirect: `/console/orders/${input.id}` };
    },
  }),

  /** A team leader claims an open order (抢单). */
  claim: formAction({
    input: z.object({ id, teamId: id, slug: z.string().max(80) }),
    handler: async (input, ctx) => {
      const user = await actionLeader(ctx, input.teamId, '接单');
      await claimOrder(await appDb(), user, input.id, input.teamId);
      return { redirect: `/me/teams/${encodeURIComponent(input.slug)}/orders?done=claimed` };
    },
  }),

  /** The team's leader closes the order with a 结项 note. */
  finish: formAction({
    input: z.object({
      id,
      teamId: id,
      slug: z.string().max(80),
      note: text(5, 500, '请写几句结项说明：做了什么（至少 5 个字）', '结项说明不超过 500 字'),
      servedVolunteers: count('请填写参加服务的志愿者人数', 500),
      beneficiaries: count('请填写受益群众人数', 100000),
      hoursRecorded: z.boolean().default(false),
      noEventReason: text(0, 200, '', '原因不超过 200 字').default(''),
    }),
    handler: async ({ id: orderId, teamId, slug, ...report }, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      const { rateToken } = await finishOrder(db, user, orderId, teamId, report);
      await sendRatingLink(db, { token: rateToken, siteUrl: config().siteUrl, send: (m) => sendSms(config().sms, m) });
      return { redirect: `/me/teams/${encodeURIComponent(slug)}/orders?done=finished` };
    },
  }),

  /** The holding team's leader links one of the team's events to the order (接单: hours through the ledger). */
  linkEvent: formAction({
    input: z.object({ id, teamId: id, slug: z.string().max(80), eventId: pick('请选择本队的一个活动') }),
    handler: async (input, ctx) => {
      const user = await actionLeader(ctx, input.teamId, '安排服务活动');
      await linkEventToOrder(await appDb(), user, input.teamId, input.id, input.eventId);
      return { redirect: `/me/teams/${encodeURIComponent(input.slug)}/orders?done=linked` };
    },
  }),

  /** The holding team's leader records progress, with up to three private photos; 告知群众 shows the text on /track. */
  addNote: formAction({
    input: z.object({
      id,
      teamId: id,
      slug: z.string().max(80),
      body: text(2, 500, '请写一两句进展，例如“已上门查看，约好周六维修”', '进展说明不超过 500 字'),
      toResident: z.boolean().default(false),
      photos: z.array(z.instanceof(File)).default([]),
    }),
    handler: async ({ photos, ...input }, ctx) => {
      const user = await actionLeader(ctx, input.teamId, '记录服务进展');
      await addProgressNote(await appDb(), user, input.teamId, input.id, { body: input.body, toResident: input.toResident, photos: { uploadsDir: config().uploadsDir, files: await uploads(photos) } });
      return { redirect: `/me/teams/${encodeURIComponent(input.slug)}/orders?done=noted#order-${input.id}` };
    },
  }),

  /** A volunteer claims an open 微心愿 alone. */
  claimWish: formAction({
    input: z.object({ id }),
    handler: async (input, ctx) => {
      await claimWish(await appDb(), actionVolunteer(ctx), input.id);
      return { redirect: '/me/wishes?done=claimed' };
    },
  }),

  /** The volunteer who claimed a 微心愿 marks it fulfilled. */
  finishWish: formAction({
    input: z.object({ id, note: text(5, 500, '请写几句说明：送去了什么、什么时候送到（至少 5 个字）', '说明不超过 500 字') }),
    handler: async (input, ctx) => {
      const db = await appDb();
      const { rateToken } = await finishWish(db, actionUser(ctx), input.id, input.note);
      await sendRatingLink(db, { token: rateToken, siteUrl: config().siteUrl, send: (m) => sendSms(config().sms, m) });
      return { redirect: '/me/wishes?done=finished' };
    },
  }),

  /** The resident rates a finished order from the tracking page (number + last four phone digits). */
  rate: formAction({
    input: z.object({
      no: z.preprocess((v) => v ?? '', z.string().max(40)),
      last4: z.preprocess((v) => String(v ?? '').trim(), z.string().regex(/^\d{4}$/, '请填写手机号码后四位')),
      rating: pick('请选择 1–5 星').pipe(z.number().min(1, '请选择 1–5 星').max(5, '请选择 1–5 星')),
      comment: text(0, 300, '', '评价内容不超过 300 字').default(''),
    }),
    handler: async (input, ctx) => {
      const db = await appDb();
      // Per address as well as per number (in the domain): four digits are only 10,000 guesses.
      const rl = await hitRateLimit(db, rateKey(config().secretKey, 'order-rate-ip', clientIp(ctx)), 30, 3600_000);
      if (!rl.allowed) throw new ActionError({ code: 'TOO_MANY_REQUESTS', message: '尝试次数过多，请一小时后再试' });
      const number = normaliseNumber(input.no);
      await rateOrder(db, { secretKey: config().secretKey, number, digits: input.last4, rating: input.rating, comment: input.comment });
      return { redirect: `/track?no=${encodeURIComponent(number)}&rated=1` };
    },
  }),

  /** The 中心 records a statutory holiday or a 调休 working day on the working-day calendar (docs/decisions/100). */
  saveWorkDay: formAction({
    input: z.object({
      day: z.preprocess(
        (v) => v ?? '',
        z
          .string()
          .trim()
          .regex(/^\d{4}-\d{2}-\d{2}$/, '请填写日期，例如 2027-01-01'),
      ),
      working: z.preprocess((v) => v || undefined, z.enum(['0', '1'], { error: '请选择放假还是调休上班' })),
      note: line('节日名称', 2, 20, '请写明节日名称，例如“国庆节”或“春节调休上班”'),
    }),
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'orders.handle');
      await saveWorkDay(await appDb(), user, { day: input.day, working: input.working === '1', note: input.note }, clientIp(ctx));
      return { redirect: `/console/orders/calendar?year=${input.day.slice(0, 4)}&done=saved` };
    },
  }),

  /** The 中心 removes a day from the calendar (back to an ordinary weekday or weekend day). */
  removeWorkDay: formAction({
    input: z.object({ day: z.string().max(10) }),
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'orders.handle');
      await removeWorkDay(await appDb(), user, input.day, clientIp(ctx));
      return { redirect: `/console/orders/calendar?year=${input.day.slice(0, 4)}&done=removed` };
    },
  }),

  /** The resident rates through the one-time link in the SMS sent when the order was done. */
  rateByLink: formAction({
    input: z.object({
      token: z.preprocess((v) => v ?? '', z.string().max(64)),
      rating: pick('请选择 1–5 星').pipe(z.number().min(1, '请选择 1–5 星').max(5, '请选择 1–5 星')),
      comment: text(0, 300, '', '评价内容不超过 300 字').default(''),
    }),
    handler: async (input) => {
      await rateOrderByLink(await appDb(), input.token, { rating: input.rating, comment: input.comment });
      return { redirect: `/services/rate/${encodeURIComponent(input.token)}?rated=1` };
    },
  }),
};
