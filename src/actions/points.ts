// Actions for 文明积分 and the 积分超市 (issue 21). Thin: validate, check the caller, call the domain;
// refusals become ActionErrors in formAction (docs/decisions/075).
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { clientIp } from '../lib/client-ip.ts';
import { actionAbility, actionVolunteer, formAction } from '../lib/action-guards.ts';
import { cancelOrder, handOver, redeem } from '../domain/points/shop.ts';
import { addItem, changeStock, editItem, itemForEdit } from '../domain/points/catalogue.ts';
import { grantShopManager, revokeShopManager } from '../domain/points/managers.ts';
import { PointsError } from '../domain/points/errors.ts';
import { managedShopIds } from '../domain/accounts/policy.ts';
import { uploadImage } from '../domain/media/index.ts';
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
const thanks = z.string().trim().refine(isPlainLine, plainLineError('致谢语')).max(60, '致谢语不超过 60 字').optional();

/** What an item is, as the add and edit forms post it (the picture is a file input beside these). */
const itemFields = {
  name: z.string({ error: '请填写物品名称' }).trim().refine(isPlainLine, plainLineError('物品名称')).min(2, '物品名称至少 2 个字').max(40, '物品名称不超过 40 字'),
  description: z.string().trim().refine(isPlainText, plainTextError('物品说明')).max(200, '物品说明不超过 200 字').optional(),
  kind: z.enum(['volunteer', 'household'], { error: '请选择接受的积分种类' }).default('volunteer'),
  price: count('所需积分', 1, 100_000),
  monthlyLimit: count('每人每月限兑', 0, 100),
  householdMonthlyLimit: count('每户每月限兑', 0, 100).default(0),
  photo: z.instanceof(File).optional(),
  photoAlt: z.string().trim().refine(isPlainLine, plainLineError('图片说明')).max(120, '图片说明不超过 120 字').optional(),
};

/** Stores an uploaded item picture through the media library's one path (verified, resized, EXIF gone); undefined when none was chosen. */
async function itemPhoto(userId: number, photo: File | undefined, alt: string): Promise<number | undefined> {
  if (!photo || photo.size === 0) return undefined;
  const m = await uploadImage(await appDb(), config().uploadsDir, { bytes: new Uint8Array(await photo.arrayBuffer()), name: photo.name, alt, userId, field: 'photo' });
  return m.id;
}

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
  /** A 超市管理员 of the shop (or an administrator) puts an item on its shelf, with a picture if chosen. */
  addItem: formAction({
    input: z.object({ shopId: id('积分超市'), ...itemFields, stock: count('库存', 0, 100_000), donor, thanks }),
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'shop.handover');
      const db = await appDb();
      // Read first so a stranger's picture is never stored; the guarded INSERT decides again.
      const shops = await managedShopIds(db, user);
      if (shops && !shops.includes(input.shopId)) throw new PointsError('FORBIDDEN', '您不是该积分超市的管理员，不能为它上架物品', 'shopId');
      const photoMediaId = await itemPhoto(user.id, input.photo, input.photoAlt || input.name);
      await addItem(db, user.id, { ...input, description: input.description ?? '', photoMediaId });
      return { redirect: '/console/shop?added=1#stock' };
    },
  }),
  /** Edits an item (fields, picture, 上架/下架) of a shop the manager runs. */
  editItem: formAction({
    input: z.object({ itemId: id('物品'), ...itemFields, active: z.boolean().default(false), removePhoto: z.boolean().default(false) }),
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'shop.handover');
      const db = await appDb();
      if (!(await itemForEdit(db, input.itemId, await managedShopIds(db, user)))) throw new PointsError('FORBIDDEN', '您不是该积分超市的管理员，不能修改它的物品');
      const uploaded = await itemPhoto(user.id, input.photo, input.photoAlt || input.name);
      const photoMediaId = uploaded ?? (input.removePhoto ? null : undefined);
      await editItem(db, user.id, { ...input, description: input.description ?? '', photoMediaId });
      return { redirect: `/console/shop/items/${input.itemId}?done=saved` };
    },
  }),
  /** Stock in (a purchase or a donation, thanked) or a 盘点 correction with its reason; audited. */
  changeStock: formAction({
    input: z.object({
      itemId: id('物品'),
      kind: z.enum(['purchase', 'donation', 'count'], { error: '请选择变动类型' }).optional(),
      change: count('数量', -100_000, 100_000),
      donor,
      thanks,
      reason: z.string().trim().refine(isPlainLine, plainLineError('盘点原因')).max(100, '盘点原因不超过 100 字').optional(),
      back: z.enum(['list', 'item']).optional(),
    }),
    handler: async (input, ctx) => {
      const user = actionAbility(ctx, 'shop.handover');
      await changeStock(await appDb(), user.id, input);
      return { redirect: input.back === 'item' ? `/console/shop/items/${input.itemId}?done=stocked#stock` : `/console/shop?stocked=${input.itemId}#stock` };
    },
  }),
  /** An administrator makes a person a 超市管理员 of one shop (on /console/users/<id>). */
  grantShop: formAction({
    input: z.object({ userId: id('用户'), shopId: id('积分超市') }),
    handler: async (input, ctx) => {
      const admin = actionAbility(ctx, 'users.manage');
      await grantShopManager(await appDb(), { actorId: admin.id, userId: input.userId, shopId: input.shopId, ip: clientIp(ctx) });
      return { redirect: `/console/users/${input.userId}?done=shop-grant#shops` };
    },
  }),
  /** An administrator takes one shop from a 超市管理员. */
  revokeShop: formAction({
    input: z.object({ userId: id('用户'), shopId: id('积分超市') }),
    handler: async (input, ctx) => {
      const admin = actionAbility(ctx, 'users.manage');
      await revokeShopManager(await appDb(), { actorId: admin.id, userId: input.userId, shopId: input.shopId, ip: clientIp(ctx) });
      return { redirect: `/console/users/${input.userId}?done=shop-revoke#shops` };
    },
  }),
};
