// Actions for 点单式普法 (a category of the 四单 loop, docs/decisions/101): the public order form, dispatch to a
// lecturer, delivery, and the private rating link of orders placed before 0023. 受理/不予受理 are orders.accept/reject.
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { actionAbility, formAction } from '../lib/action-guards.ts';
import { hitRateLimit, rateKey } from '../domain/accounts/rate-limit.ts';
import { fromShanghai } from '../lib/time.ts';
import { clientIp } from '../lib/client-ip.ts';
import { isPlainLine, plainLineError } from '../lib/plain-text.ts';
import { LECTURE_AUDIENCES, LectureOrderSchema, createLectureOrder, rateLecture, recordLectureDelivery, scheduleLecture } from '../domain/legal/lectures.ts';

const text = (max: number, msg = `不能超过 ${max} 个字`) => z.preprocess((v) => v ?? '', z.string().trim().max(max, msg));
const required = (min: number, max: number, msg: string) => z.preprocess((v) => v ?? '', z.string().trim().min(min, msg).max(max, `不能超过 ${max} 个字`));
/** A single-line name, place or time: also free of control, bidi and invisible characters (lib/plain-text.ts). */
const line = (label: string, min: number, max: number, msg: string) =>
  z.preprocess((v) => v ?? '', z.string().trim().refine(isPlainLine, plainLineError(label)).min(min, msg).max(max, `不能超过 ${max} 个字`));

const id = z.coerce.number().int().positive();

export const legal = {
  /**
   * Public: order a lecture — a service order of the lecture item (docs/decisions/101) — then 303 to the
   * page with its tracking number: a refresh never orders twice (issue 18, item 4). Rated on /track.
   */
  order: formAction({
    input: z.object({
      topic: required(1, 20, '请选择讲座主题'),
      townId: z.preprocess((v) => v || undefined, z.coerce.number({ error: '请选择乡镇（街道）' }).int().positive()),
      villageId: z.preprocess((v) => v || undefined, z.coerce.number({ error: '请选择村（社区）' }).int().positive()),
      audienceExpected: z.preprocess((v) => v || undefined, LectureOrderSchema.shape.audienceExpected),
      preferredDates: line('希望时间', 2, 200, '请写明希望的时间，例如“12月4日上午”'),
      requesterName: z.preprocess((v) => v ?? '', LectureOrderSchema.shape.requesterName),
      requesterPhone: z.preprocess((v) => String(v ?? '').replace(/\s|-/g, ''), z.string().regex(/^1[3-9]\d{9}$/, '请填写 11 位手机号码')),
      organisation: line('单位名称', 0, 60, '单位名称不超过 60 字').default(''),
      note: text(500, '备注不超过 500 字').default(''),
      audienceType: z.preprocess((v) => v || undefined, z.enum(LECTURE_AUDIENCES, { error: '请选择听众类型' })),
    }),
    handler: async (input, ctx) => {
      const db = await appDb();
      const rl = await hitRateLimit(db, rateKey(config().secretKey, 'lecture-order', clientIp(ctx)), 10, 3600_000);
      if (!rl.allowed) throw new ActionError({ code: 'TOO_MANY_REQUESTS', message: '提交过于频繁，请一小时后再试' });
      const r = await createLectureOrder(db, input);
      return { redirect: `/services/ordered?no=${encodeURIComponent(r.trackingNo)}` };
    },
  }),

  /** 派单 to a lecturer: assign the lecturer and the 承办 team and publish the lecture as an event. */
  schedule: formAction({
    input: z.object({
      id,
      lecturerId: z.preprocess((v) => v || undefined, z.coerce.number({ error: '请选择主讲人' }).int().positive()),
      teamId: z.preprocess((v) => v || undefined, z.coerce.number({ error: '请选择承办队伍' }).int().positive()),
      day: z.preprocess((v) => v ?? '', z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '请选择日期')),
      start: z.preprocess((v) => v ?? '', z.string().regex(/^\d{2}:\d{2}$/, '请选择开始时间')),
      end: z.preprocess((v) => v ?? '', z.string().regex(/^\d{2}:\d{2}$/, '请选择结束时间')),
      address: line('讲座地点', 2, 100, '请填写讲座地点'),
      capacity: z.preprocess((v) => v || undefined, z.coerce.number({ error: '请填写名额' }).int().min(10, '名额至少 10 人').max(2000, '名额不超过 2000 人')),
    }),
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'lectures.handle');
      let startsAt: number;
      let endsAt: number;
      try {
        startsAt = fromShanghai(input.day, input.start);
        endsAt = fromShanghai(input.day, input.end);
      } catch {
        throw new ActionError({ code: 'BAD_REQUEST', message: '请选择有效的日期和时间' });
      }
      await scheduleLecture(await appDb(), user, input.id, { lecturerId: input.lecturerId, teamId: input.teamId, startsAt, endsAt, address: input.address, capacity: input.capacity });
      return { redirect: `/console/orders/${input.id}` };
    },
  }),

  deliver: formAction({
    input: z.object({
      id,
      audience: z.preprocess((v) => v || undefined, z.coerce.number({ error: '请填写实际听众人数' }).int('人数应为整数').min(1, '人数至少为 1').max(5000, '人数不超过 5000')),
      photos: z.array(z.instanceof(File)).default([]),
    }),
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'lectures.handle');
      const files = await Promise.all(input.photos.filter((f) => f.size > 0).map(async (f) => ({ bytes: new Uint8Array(await f.arrayBuffer()), name: f.name })));
      await recordLectureDelivery(await appDb(), user, input.id, { audience: input.audience, photos: { uploadsDir: config().uploadsDir, files } });
      return { redirect: `/console/orders/${input.id}` };
    },
  }),

  /** The requester's rating through the private link an order placed before 0023 was given. */
  rate: formAction({
    input: z.object({
      token: z.preprocess((v) => v ?? '', z.string().max(64)),
      rating: z.preprocess((v) => v || undefined, z.coerce.number({ error: '请选择评分' }).int().min(1, '请选择 1–5 分').max(5, '请选择 1–5 分')),
      comment: text(500, '评价不超过 500 字').default(''),
    }),
    handler: async (input) => {
      await rateLecture(await appDb(), input.token, { rating: input.rating, comment: input.comment });
      return { redirect: `/legal/rate/${encodeURIComponent(input.token)}?rated=1` };
    },
  }),
};
