// Issue 20 (服务菜单): staff of the 中心 edit the menu — add, edit, reorder, deactivate — each change audited
// field by field; bad time limits are refused next to their field with nothing written; an item orders
// point to is never deleted, only taken off /services.
import { beforeAll, describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import type { Db } from '../../db/client.ts';
import type { SessionUser } from '../../src/domain/accounts/sessions.ts';
import type { Role } from '../../src/domain/accounts/policy.ts';
import { createUser } from '../../src/domain/accounts/users.ts';
import { regionTree } from '../../src/domain/regions/index.ts';
import { createServiceOrder, getServiceItem, listMenu, menuByCategory, ServiceOrderSchema } from '../../src/domain/orders/index.ts';
import { createServiceItem, listMenuForStaff, moveServiceItem, setServiceItemActive, updateServiceItem, type ServiceItemInput } from '../../src/domain/orders/menu.ts';
import { auditChanges } from '../../src/domain/audit/present.ts';
import { searchAudit } from '../../src/domain/audit/search.ts';
import { count } from './hours-fixtures.ts';

let db: Db;
let editor: SessionUser;
let admin: SessionUser;
let volunteer: SessionUser;

const fields = (over: Partial<ServiceItemInput> = {}): ServiceItemInput => ({
  name: '代写家书与代办网上业务',
  category: '邻里互助',
  description: '帮老人写信、在手机上办医保缴费等网上业务。',
  skill: '助老助残',
  needsVisit: true,
  individual: false,
  acceptHours: 24,
  dispatchHours: 48,
  finishDays: 5,
  ...over,
});

async function user(phone: string, name: string, roles: Role[]): Promise<SessionUser> {
  const id = await createUser(db, TEST_KEY, { phone, password: 'x-long-password', realName: name, roles });
  return { id, realName: name, phone, roles, status: 'active' };
}

const version = async () => Number((await db.$client.execute("SELECT version FROM cache_versions WHERE scope = 'public'")).rows[0].version);
const lastAudit = async (action: string) => (await db.$client.execute({ sql: 'SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC LIMIT 1', args: [action] })).rows[0];

beforeAll(async () => {
  db = await freshDb({ seed: 'base' });
  editor = await user('13900000301', '中心编辑', ['editor']);
  admin = await user('13900000302', '系统管理员', ['admin']);
  volunteer = await user('13900000303', '普通志愿者', ['volunteer']);
});

describe('adding and editing an item', () => {
  test('a new item goes on /services at the end of its category, audited with what was written, and the page cache moves on', async () => {
    const v0 = await version();
    const id = await createServiceItem(db, editor, fields());
    const group = (await menuByCategory(db)).find((g) => g.category === '邻里互助')!;
    expect(group.items.at(-1)).toMatchObject({ id, name: '代写家书与代办网上业务', skill: '助老助残', needsVisit: 1, individual: 0, finishDays: 5, active: 1 });
    expect(await version()).toBeGreaterThan(v0);
    const a = await lastAudit('services.item_create');
    expect(a).toMatchObject({ actor_id: editor.id, target_type: 'service_item', target_id: String(id) });
    expect(auditChanges(a.before as string | null, a.after as string | null)).toContainEqual({ label: '办结时限（工作日）', before: '', after: '5' });
  });

  test('an edit changes the menu at once and the audit log shows only the changed fields, before → after', async () => {
    const id = await createServiceItem(db, admin, fields({ name: '上门理发' }));
    const v0 = await version();
    await updateServiceItem(db, admin, id, fields({ name: '上门理发', acceptHours: 12, finishDays: 7, needsVisit: false }));
    expect(await getServiceItem(db, id)).toMatchObject({ acceptHours: 12, finishDays: 7, needsVisit: 0 });
    expect(await version()).toBeGreaterThan(v0);
    // The audit log names the item and shows only what changed.
    const [row] = (await searchAudit(db, { action: 'services.item_update' })).rows;
    expect(row).toMatchObject({ targetTitle: '上门理发', actorName: '系统管理员' });
    const a = await lastAudit('services.item_update');
    expect(auditChanges(a.before as string, a.after as string)).toEqual([
      { label: '需上门', before: '是', after: '否' },
      { label: '受理时限（小时）', before: '24', after: '12' },
      { label: '办结时限（工作日）', before: '5', after: '7' },
    ]);
  });

  test.each([
    ['acceptHours', { acceptHours: 0 }, '受理时限至少 1 小时'],
    ['acceptHours', { acceptHours: -3 }, '受理时限至少 1 小时'],
    ['dispatchHours', { dispatchHours: 2.5 }, '派单时限请填写整数小时'],
    ['dispatchHours', { dispatchHours: 721 }, '派单时限不超过 720 小时（30 天）'],
    ['finishDays', { finishDays: 0 }, '办结时限至少 1 个工作日'],
    ['finishDays', { finishDays: 366 }, '办结时限不超过 365 个工作日'],
    ['finishDays', { acceptHours: 48, dispatchHours: 72, finishDays: 3 }, '办结时限不能短于受理与派单时限之和（120 小时，约 5 天）'],
    ['acceptHours', { acceptHours: '' as unknown as number }, '请填写受理时限（小时）'],
    ['category', { category: '别的类别' as '邻里互助' }, '请从列表中选择类别'],
    ['skill', { skill: '算命' }, '请从列表中选择服务类型'],
    ['name', { name: '' }, '请填写项目名称（至少 2 个字）'],
  ])('a bad %s is refused next to that field, nothing written (%j)', async (field, over, message) => {
    const id = (await listMenu(db)).find((i) => i.slug === 'elder-care')!.id;
    const before = await getServiceItem(db, id);
    const items = await count(db, 'service_items');
    const audits = await count(db, 'audit_log');
    await expect(updateServiceItem(db, editor, id, fields(over))).rejects.toMatchObject({ field, message, status: 'BAD_REQUEST' });
    await expect(createServiceItem(db, editor, fields(over))).rejects.toMatchObject({ field, message });
    expect(await getServiceItem(db, id)).toEqual(before);
    expect(await count(db, 'service_items')).toBe(items);
    expect(await count(db, 'audit_log')).toBe(audits);
  });

  test('a phone number in the description is refused: /services publishes it as it is', async () => {
    await expect(createServiceItem(db, editor, fields({ description: '有事请打 13812345678 找我帮忙。' }))).rejects.toMatchObject({ field: 'description' });
  });

  test('an old skill outside the list may stay as it is when other fields change', async () => {
    const item = (await listMenu(db)).find((i) => i.slug === 'policy-talk')!;
    expect(item.skill).toBe('宣讲');
    await updateServiceItem(db, editor, item.id, fields({ name: item.name, category: '理论政策宣讲', skill: '宣讲', finishDays: 8 }));
    expect(await getServiceItem(db, item.id)).toMatchObject({ skill: '宣讲', finishDays: 8 });
  });

  test('a volunteer may not edit the menu', async () => {
    const id = (await listMenu(db))[0].id;
    await expect(updateServiceItem(db, volunteer, id, fields())).rejects.toMatchObject({ status: 'FORBIDDEN' });
    await expect(createServiceItem(db, volunteer, fields())).rejects.toMatchObject({ status: 'FORBIDDEN' });
    await expect(setServiceItemActive(db, volunteer, id, false)).rejects.toMatchObject({ status: 'FORBIDDEN' });
  });
});

describe('deactivating and reordering', () => {
  test('an item with orders is taken off the menu, never deleted: its orders keep it; it can come back', async () => {
    const tree = await regionTree(db);
    const item = (await listMenu(db)).find((i) => i.slug === 'neighbour')!;
    const o = await createServiceOrder(
      db,
      ServiceOrderSchema.parse({
        itemId: item.id,
        townId: tree[0].id,
        villageId: tree[0].villages[0].id,
        address: '5组',
        need: '院里路灯坏了想请人换一下',
        requesterName: '王大妈',
        requesterPhone: '13812349999',
      }),
    );
    await setServiceItemActive(db, editor, item.id, false);
    expect((await listMenu(db)).map((i) => i.id)).not.toContain(item.id);
    expect((await listMenuForStaff(db)).find((r) => r.item.id === item.id)).toMatchObject({ orders: 1, item: { active: 0 } });
    expect(await getServiceItem(db, item.id)).toBeDefined();
    expect(await count(db, 'service_orders WHERE id = ? AND item_id = ?', [o.id, item.id])).toBe(1);
    expect(auditChanges(null, (await lastAudit('services.item_deactivate')).after as string)).toEqual([{ label: '在菜单上', before: '', after: '否' }]);
    // Residents can no longer order it.
    await expect(
      createServiceOrder(
        db,
        ServiceOrderSchema.parse({
          itemId: item.id,
          townId: tree[0].id,
          villageId: tree[0].villages[0].id,
          address: '5组',
          need: '院里路灯坏了想请人换一下',
          requesterName: '王大妈',
          requesterPhone: '13812349999',
        }),
      ),
    ).rejects.toMatchObject({ field: 'itemId' });
    await expect(setServiceItemActive(db, editor, item.id, false)).rejects.toMatchObject({ status: 'CONFLICT' });
    await setServiceItemActive(db, editor, item.id, true);
    expect((await listMenu(db)).map((i) => i.id)).toContain(item.id);
  });

  test('moving an item swaps it with its neighbour in the same category, audited; the first cannot move up', async () => {
    const a = await createServiceItem(db, editor, fields({ category: '科学普及', name: '防溺水讲座' }));
    const b = await createServiceItem(db, editor, fields({ category: '科学普及', name: '防火演练' }));
    const order = async () => (await menuByCategory(db)).find((g) => g.category === '科学普及')!.items.map((i) => i.name);
    expect((await order()).slice(-2)).toEqual(['防溺水讲座', '防火演练']);
    await moveServiceItem(db, editor, b, 'up');
    expect((await order()).slice(-2)).toEqual(['防火演练', '防溺水讲座']);
    expect((await lastAudit('services.item_move')).target_id).toBe(String(b));
    const first = (await menuByCategory(db)).find((g) => g.category === '科学普及')!.items[0].id;
    await expect(moveServiceItem(db, editor, first, 'up')).rejects.toMatchObject({ message: '已经是本类第一项' });
    await expect(moveServiceItem(db, editor, a, 'down')).rejects.toMatchObject({ message: '已经是本类最后一项' });
  });

  test('an unknown item is a 404 refusal, not a fault', async () => {
    await expect(updateServiceItem(db, editor, 987654, fields())).rejects.toMatchObject({ status: 'NOT_FOUND' });
    await expect(moveServiceItem(db, editor, 987654, 'up')).rejects.toMatchObject({ status: 'NOT_FOUND' });
    await expect(setServiceItemActive(db, editor, Number.MAX_VALUE, true)).rejects.toMatchObject({ status: 'NOT_FOUND' });
  });
});
