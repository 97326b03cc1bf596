// Actions for 文明积分 and the 积分超市 (issue 21). Thin: validate, check the caller, call the domain;
// refusals become ActionErrors in formAction (docs/decisions/075).
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionAbility, actionVolunteer, formAction } from '../lib/action-guards.ts';
import { cancelOrder, handOver, redeem } from '../domain/points/shop.ts';
import { addItem, changeStock } from '../domain/points/catalogue.ts';
import { isPlainLine, isPlainText, plainLineError, plainTextError } from '../lib/plain-text.ts';

const id = (label: string) =>
  z
    .number({ error: `请选择${label}` })
    .int()
    .positive(`请选择${label}`);

const count = (label: string, min: number, max: number) =>
  z
    .number({ error: `请填写${label}` })
    .int(`${label}应为整数`)
    .min(min, `${label}不能小于 ${min}`)
    .max(max, `${label}不能大于 ${max}`);
const donor = z.string().trim().refine(isPlainLine, plainLineError('捐赠方')).max(60, '捐赠方不超过 60 字').optional();

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
  /** The 超市管理员 puts an item on a shop's shelf. */
  addItem: formAction({
    input: z.object({
      shopId: id('积分超市'),
      name: z.string({ error: '请填写物品名称' }).trim().refine(isPlainLine, plainLineError('物品名称')).min(2, '物品名称至少 2 个字').max(40, '物品名称不超过 40 字'),
      description: z.string().trim().refine(isPlainText, plainTextError('物品说明')).max(200, '物品说明不超过 200 字').optional(),
      price: count('所需积分', 1, 100_000),
      stock: count('库存', 0, 100_000),
      monthlyLimit: count('每人每月限兑', 0, 100),
      donor,
    }),
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'shop.handover');
      await addItem(await appDb(), user.id, { ...input, description: input.description ?? '' });
      return { redirect: '/console/shop?added=1#stock' };
    },
  }),
  /** Stock in (a purchase or a donation) or out (a stock-take), audited. */
  changeStock: formAction({
    input: z.object({
      itemId: id('物品'),
      change: count('数量', -100_000, 100_000),
      donor,
    }),
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'shop.handover');
      await changeStock(await appDb(), user.id, input);
      return { redirect: `/console/shop?stocked=${input.itemId}#stock` };
    },
  }),
};
