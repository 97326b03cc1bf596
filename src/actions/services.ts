// Actions for the 服务菜单 editor (issue 20): staff of the 中心 add, edit, reorder and take items off the menu.
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionAbility, formAction } from '../lib/action-guards.ts';
import { ServiceItemSchema, createServiceItem, moveServiceItem, setServiceItemActive, updateServiceItem } from '../domain/orders/menu.ts';

const id = z.coerce.number().int().positive();

export const services = {
  /** A new item at the end of the menu; back to the list, the new item marked. */
  createItem: formAction({
    input: ServiceItemSchema,
    handler: async (input, ctx) => {
      const itemId = await createServiceItem(await appDb(), actionAbility(ctx, 'services.edit'), input);
      return { redirect: `/console/services?done=created#item-${itemId}` };
    },
  }),

  updateItem: formAction({
    input: ServiceItemSchema.extend({ id }),
    handler: async ({ id: itemId, ...input }, ctx) => {
      await updateServiceItem(await appDb(), actionAbility(ctx, 'services.edit'), itemId, input);
      return { redirect: `/console/services?done=saved#item-${itemId}` };
    },
  }),

  /** 停用 (off the menu, orders keep it) or 恢复. */
  setItemActive: formAction({
    input: z.object({ id, active: z.enum(['0', '1']) }),
    handler: async (input, ctx) => {
      await setServiceItemActive(await appDb(), actionAbility(ctx, 'services.edit'), input.id, input.active === '1');
      return { redirect: `/console/services?done=${input.active === '1' ? 'activated' : 'deactivated'}#item-${input.id}` };
    },
  }),

  /** One place up or down within the item's category. */
  moveItem: formAction({
    input: z.object({ id, direction: z.enum(['up', 'down']) }),
    handler: async (input, ctx) => {
      await moveServiceItem(await appDb(), actionAbility(ctx, 'services.edit'), input.id, input.direction);
      return { redirect: `/console/services?done=moved#item-${input.id}` };
    },
  }),
};
