// Actions for events: sign-up/cancel, check-in/out, leaders' event management, calendar, inbox.
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { actionLeader as leader, actionUser, actionVolunteer as volunteer, formAction } from '../lib/action-guards.ts';
import { cancelSignup, signUp, signupDonePath } from '../domain/events/signups.ts';
import { checkIn, checkOut } from '../domain/events/checkin.ts';
import { createEvent, endAfterStart, EventFields, markAttendance, removeSignup, setEventStatus, updateEvent } from '../domain/events/manage.ts';
import { regenerateCalendarToken, revokeCalendarToken } from '../domain/events/mine.ts';
import { markAllRead, markRead } from '../domain/notices/index.ts';
import { hitRateLimit, rateKeyForId } from '../domain/accounts/rate-limit.ts';
import { leaderEventPath } from '../domain/teams/membership.ts';
import { createEventForOrder } from '../domain/orders/delivery.ts';

const id = (label: string) =>
  z
    .number({ error: `缺少${label}` })
    .int()
    .positive();

export const events = {
  signUp: formAction({
    input: z.object({ eventId: id('活动') }),
    // Its plain success is usually answered before Astro, by src/server/signup-form.ts (docs/decisions/109).
    handler: async ({ eventId }, ctx) => {
      const u = volunteer(ctx);
      const r = await signUp(await appDb(), { eventId, userId: u.id, secretKey: config().secretKey });
      return { redirect: signupDonePath(eventId, r.status) };
    },
  }),
  cancel: formAction({
    input: z.object({ eventId: id('活动') }),
    handler: async ({ eventId }, ctx) => {
      const u = volunteer(ctx);
      const r = await cancelSignup(await appDb(), { eventId, userId: u.id });
      return { redirect: `/events/${eventId}?done=${r.lateCancel ? 'late-cancel' : 'cancel'}` };
    },
  }),
  checkIn: formAction({
    input: z.object({
      eventId: id('活动'),
      code: z
        .string({ error: '请输入 6 位签到码' })
        .trim()
        .regex(/^\d{6}$/, '请输入 6 位数字签到码'),
      op: z.enum(['in', 'out']).default('in'),
    }),
    handler: async ({ eventId, code, op }, ctx) => {
      const u = volunteer(ctx);
      const db = await appDb();
      if (!(await hitRateLimit(db, rateKeyForId('checkin', u.id), 20, 10 * 60_000)).allowed) throw new ActionError({ code: 'TOO_MANY_REQUESTS', message: '尝试次数过多，请稍后再试' });
      // 303 to a clean check-in page (issue 18, item 12): the used code leaves the box and a refresh posts nothing.
      if (op === 'in') {
        await checkIn(db, { eventId, userId: u.id, code });
        return { redirect: `/events/${eventId}/checkin?done=in` };
      }
      await checkOut(db, { eventId, userId: u.id, code });
      return { redirect: `/events/${eventId}/checkin?done=out` };
    },
  }),
  create: formAction({
    input: z.object({ teamId: id('队伍'), serviceOrderId: z.number().int().positive().optional(), ...EventFields.shape }).superRefine(endAfterStart),
    handler: async (input, ctx) => {
      const u = await leader(ctx, input.teamId, '新建活动');
      const db = await appDb();
      const { teamId, serviceOrderId, ...rest } = input;
      // An event for a 四单 order the team holds (issue 20 接单): linked in the same guarded batch.
      const eventId = serviceOrderId ? await createEventForOrder(db, u, teamId, serviceOrderId, rest) : await createEvent(db, u.id, teamId, rest);
      return { redirect: `${await leaderEventPath(db, teamId, eventId)}?created=1` };
    },
  }),
  update: formAction({
    input: z.object({ teamId: id('队伍'), eventId: id('活动'), ...EventFields.shape }).superRefine(endAfterStart),
    handler: async (input, ctx) => {
      const u = await leader(ctx, input.teamId, '修改活动');
      const { teamId, eventId, ...rest } = input;
      const db = await appDb();
      const r = await updateEvent(db, u.id, teamId, eventId, rest);
      // 303 to the event page: a refresh never posts the form again (issue 18, item 4).
      return { redirect: `${await leaderEventPath(db, teamId, eventId)}?saved=1&notified=${r.notified}` };
    },
  }),
  setStatus: formAction({
    input: z.object({ teamId: id('队伍'), eventId: id('活动'), to: z.enum(['published', 'cancelled', 'completed'], { error: '操作不正确' }) }),
    handler: async ({ teamId, eventId, to }, ctx) => {
      const u = await leader(ctx, teamId, '发布、取消或结束活动');
      const db = await appDb();
      await setEventStatus(db, u.id, teamId, eventId, to);
      return { redirect: `${await leaderEventPath(db, teamId, eventId)}?status=${to}` };
    },
  }),
  removeSignup: formAction({
    input: z.object({ teamId: id('队伍'), eventId: id('活动'), signupId: id('报名'), reason: z.string({ error: '请填写移出原因' }).trim().min(2, '请填写移出原因').max(200, '原因不超过 200 字') }),
    handler: async ({ teamId, eventId, signupId, reason }, ctx) => {
      const u = await leader(ctx, teamId, '调整报名名单');
      const db = await appDb();
      await removeSignup(db, u.id, teamId, eventId, signupId, reason);
      return { redirect: `${await leaderEventPath(db, teamId, eventId)}?removed=1#roster` };
    },
  }),
  mark: formAction({
    input: z.object({ teamId: id('队伍'), eventId: id('活动'), signupId: id('报名'), mark: z.enum(['attended', 'no_show'], { error: '操作不正确' }) }),
    handler: async ({ teamId, eventId, signupId, mark }, ctx) => {
      const u = await leader(ctx, teamId, '登记出勤');
      const db = await appDb();
      await markAttendance(db, u.id, teamId, eventId, signupId, mark);
      // 303 (issue 18, item 4): a refresh of the roster never posts a mark again.
      return { redirect: `${await leaderEventPath(db, teamId, eventId)}?marked=${mark}#roster` };
    },
  }),
  calendar: formAction({
    input: z.object({ op: z.enum(['regenerate', 'revoke'], { error: '操作不正确' }) }),
    handler: async ({ op }, ctx) => {
      const u = actionUser(ctx);
      const db = await appDb();
      if (op === 'revoke') await revokeCalendarToken(db, u.id);
      else await regenerateCalendarToken(db, u.id);
      return { redirect: '/me/events#calendar' };
    },
  }),
  readNotice: formAction({
    input: z.object({ noticeId: z.number().int().positive().optional() }),
    handler: async ({ noticeId }, ctx) => {
      const u = actionUser(ctx);
      const db = await appDb();
      if (noticeId) await markRead(db, u.id, noticeId);
      else await markAllRead(db, u.id);
      return { redirect: '/me/inbox' };
    },
  }),
};
