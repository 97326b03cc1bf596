// Issue 20 微心愿: a small wish one volunteer fulfils alone has a value cap on its menu item (200 元 in
// every new database); the order asks the estimated value, refuses more than the cap next to the field
// with nothing written, and keeps the value for the console.
import { beforeAll, expect, test } from 'vitest';
import { freshDb } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { createServiceOrder, getServiceOrder, listMenu, ServiceOrderSchema } from '../../src/domain/orders/index.ts';
import { count } from './hours-fixtures.ts';

let db: Db;
let wish: number;
let plain: number;
let townId: number;
let villageId: number;

beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  const tree = await regionTree(db);
  [townId, villageId] = [tree[0].id, tree[0].villages[0].id];
  const menu = await listMenu(db);
  wish = menu.find((i) => i.slug === 'wish')!.id;
  plain = menu.find((i) => i.slug === 'elder-care')!.id;
  expect(menu.find((i) => i.slug === 'wish')).toMatchObject({ individual: 1, valueCap: 200 });
});

const order = (itemId: number, estimatedValue?: number) =>
  ServiceOrderSchema.parse({ itemId, townId, villageId, address: '3组12号', need: '孩子想要一件冬天穿的棉衣。', requesterName: '何小兰', requesterPhone: '13812348001', estimatedValue });

test('a wish over the cap is refused next to the value field, nothing written', async () => {
  const before = await count(db, 'service_orders');
  const refused = createServiceOrder(db, order(wish, 350));
  await expect(refused).rejects.toMatchObject({ field: 'estimatedValue', message: expect.stringContaining('不超过 200 元') });
  await expect(createServiceOrder(db, order(wish))).rejects.toMatchObject({ field: 'estimatedValue' });
  expect(await count(db, 'service_orders')).toBe(before);
});

test('a wish within the cap keeps its value; other items do not carry one', async () => {
  const ok = await createServiceOrder(db, order(wish, 200));
  expect((await getServiceOrder(db, ok.id))?.estimatedValue).toBe(200);
  const other = await createServiceOrder(db, order(plain, 5000));
  expect((await getServiceOrder(db, other.id))?.estimatedValue).toBeNull();
});
