// Actions for 文明积分 and the 积分超市 (issue 21). Thin: validate, check the caller, call the domain;
// refusals become ActionErrors in formAction (docs/decisions/075).
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionAbility, actionVolunteer, formAction } from '../lib/action-guards.ts';
import { cancelOrder, handOver, redeem } from '../domain/points/shop.ts';

const id = (label: string) =>
  z
    .number({ error: `请选择${label}` })
    .int()
    .positive(`请选择${label}`);

export const points = {
  /** A volunteer redeems one item; the pickup code is shown on /me/points. */
  redeem: formAction({
    input: z.object({ itemId: id('要兑换的物品') }),
    handler: async (input, ctx) => {
      const user = actionVolunteer(ctx);
      const { orderId } = await redeem(await appDb(), { userId: user.id, itemId: input.itemId });
      return { redirect: `/me/points?redeemed=${orderId}#orders` };
    },
  }),
  /** The owner cancels a reserved order; points and stock go back. */
  cancel: formAction({
    input: z.object({ orderId: id('兑换单') }),
    handler: async (input, ctx) => {
      const user = actionVolunteer(ctx);
      await cancelOrder(await appDb(), { userId: user.id, orderId: input.orderId });
      return { redirect: '/me/points?cancelled=1#orders' };
    },
  }),
  /** The 超市管理员 hands goods over against a pickup code. */
  handOver: formAction({
    input: z.object({
      code: z.string({ error: '请输入取货码' }).trim().min(1, '请输入取货码').max(20, '取货码是 8 位数字'),
    }),
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'shop.handover');
      const done = await handOver(await appDb(), { actorId: user.id, code: input.code });
      return { redirect: `/console/shop?handed=${done.orderId}` };
    },
  }),
};
