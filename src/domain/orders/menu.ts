// The 服务菜单 editor (issue 20): staff of the 中心 add, edit, reorder and deactivate menu items. An item
// is never deleted — old orders point to it and the figures group by its category — only taken off
// /services. Every change is one guarded write with its audit row (before/after, field by field).
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { guardedWrite, writeBatch } from '../../../db/write.ts';
import { serviceItems } from '../../../db/schema/index.ts';
import { can } from '../accounts/policy.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { auditStatement } from '../audit/index.ts';
import { getSetting } from '../settings/index.ts';
import { requirePublicText } from '../public-text.ts';
import { randomToken } from '../../lib/ids.ts';
import { isPlainLine, isPlainText, plainLineError, plainTextError } from '../../lib/plain-text.ts';
import { OrderError, type ServiceItem } from './index.ts';

/** The menu's categories: the ten of issue 20, then 微心愿 (a small wish one volunteer may fulfil). */
export const SERVICE_CATEGORIES = ['理论政策宣讲', '文化文艺', '助学支教', '医疗健康', '科学普及', '法律服务', '卫生环保', '扶贫帮困', '助老助残', '邻里互助', '微心愿'] as const;

/** Upper bounds of the limits: a month to accept or dispatch, a year to finish. */
export const MAX_LIMIT_HOURS = 720;
export const MAX_FINISH_DAYS = 365;

const hours = (label: string) =>
  z.preprocess(
    (v) => (v === '' || v == null ? undefined : v),
    z.coerce
      .number({ error: `请填写${label}（小时）` })
      .refine(Number.isInteger, `${label}请填写整数小时`)
      .refine((n) => n >= 1, `${label}至少 1 小时`)
      .refine((n) => n <= MAX_LIMIT_HOURS, `${label}不超过 ${MAX_LIMIT_HOURS} 小时（30 天）`),
  );
const flag = z.preprocess((v) => v === true || v === 'on' || v === '1' || v === 'true', z.boolean());

/** A menu item as staff edit it (the Action and the domain parse the same schema). */
export const ServiceItemSchema = z.object({
  name: z.preprocess((v) => v ?? '', z.string().trim().refine(isPlainLine, plainLineError('项目名称')).min(2, '请填写项目名称（至少 2 个字）').max(40, '项目名称不超过 40 个字')),
  category: z.preprocess((v) => v || undefined, z.enum(SERVICE_CATEGORIES, { error: '请从列表中选择类别' })),
  description: z.preprocess((v) => v ?? '', z.string().trim().refine(isPlainText, plainTextError('项目说明')).min(4, '请用一两句话说明服务内容（至少 4 个字）').max(200, '项目说明不超过 200 字')),
  skill: z.preprocess((v) => v ?? '', z.string().trim().max(20, '请从列表中选择服务类型')),
  needsVisit: flag,
  individual: flag,
  acceptHours: hours('受理时限'),
  dispatchHours: hours('派单时限'),
  finishDays: z.preprocess(
    (v) => (v === '' || v == null ? undefined : v),
    z.coerce
      .number({ error: '请填写办结时限（工作日）' })
      .refine(Number.isInteger, '办结时限请填写整数个工作日')
      .refine((n) => n >= 1, '办结时限至少 1 个工作日')
      .refine((n) => n <= MAX_FINISH_DAYS, `办结时限不超过 ${MAX_FINISH_DAYS} 个工作日`),
  ),
});
export type ServiceItemInput = z.input<typeof ServiceItemSchema>;
type ItemFields = z.output<typeof ServiceItemSchema>;

function requireEditor(user: SessionUser) {
  if (!can(user, 'services.edit')) throw new OrderError('FORBIDDEN', '只有县新时代文明实践中心的工作人员可以修改服务菜单');
}

/** The service types a menu item may name: the team service types the county uses (teams register with these). */
export async function menuSkillOptions(db: Db): Promise<string[]> {
  return [...(await getSetting(db, 'eventCategories'))];
}

/**
 * Checks an item beyond its single fields: the skill comes from the list (or keeps the value it had),
 * and 办结 cannot come before 受理 and 派单 together — such a limit could only ever be missed.
 */
async function checkItem(db: Db, input: ServiceItemInput, currentSkill?: string): Promise<ItemFields> {
  const parsed = ServiceItemSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrderError('BAD_REQUEST', issue.message, String(issue.path[0] ?? ''));
  }
  const v = parsed.data;
  if (v.skill && v.skill !== currentSkill && !(await menuSkillOptions(db)).includes(v.skill)) throw new OrderError('BAD_REQUEST', '请从列表中选择服务类型', 'skill');
  if (v.finishDays * 24 < v.acceptHours + v.dispatchHours)
    throw new OrderError('BAD_REQUEST', `办结时限不能短于受理与派单时限之和（${v.acceptHours + v.dispatchHours} 小时，约 ${Math.ceil((v.acceptHours + v.dispatchHours) / 24)} 天）`, 'finishDays');
  // /services publishes these words as they are (decision 078).
  await requirePublicText(db, { name: v.name, description: v.description }, { name: '项目名称', description: '项目说明' });
  return v;
}

/** The columns an item's fields write, booleans as the 0/1 the table keeps. */
const columns = (v: ItemFields) => ({
  name: v.name,
  category: v.category,
  description: v.description,
  skill: v.skill,
  needsVisit: v.needsVisit ? 1 : 0,
  individual: v.individual ? 1 : 0,
  acceptHours: v.acceptHours,
  dispatchHours: v.dispatchHours,
  finishDays: v.finishDays,
});

/** What the audit log keeps of an item: readable values (是/否 rather than 0/1). */
const auditView = (i: Pick<ServiceItem, 'name' | 'category' | 'description' | 'skill' | 'needsVisit' | 'individual' | 'acceptHours' | 'dispatchHours' | 'finishDays'>) => ({
  name: i.name,
  category: i.category,
  description: i.description,
  skill: i.skill,
  needsVisit: !!i.needsVisit,
  individual: !!i.individual,
  acceptHours: i.acceptHours,
  dispatchHours: i.dispatchHours,
  finishDays: i.finishDays,
});

/** Every item, active or not, in menu order, with how many orders point to it (for the editor). */
export async function listMenuForStaff(db: Db) {
  return db
    .select({ item: serviceItems, orders: sql<number>`(SELECT count(*) FROM service_orders o WHERE o.item_id = service_items.id)` })
    .from(serviceItems)
    .orderBy(asc(serviceItems.sort), asc(serviceItems.id));
}

/** Adds an item at the end of the menu; returns its id. */
export async function createServiceItem(db: Db, user: SessionUser, input: ServiceItemInput): Promise<number> {
  requireEditor(user);
  const v = await checkItem(db, input);
  // A random slug names the new row for its audit entry in the same batch; URLs use the id.
  const slug = `item-${randomToken(6)}`;
  await writeBatch(db, [
    sql`INSERT INTO service_items (slug, category, name, description, skill, needs_visit, individual, accept_hours, dispatch_hours, finish_days, active, sort)
      VALUES (${slug}, ${v.category}, ${v.name}, ${v.description}, ${v.skill}, ${v.needsVisit ? 1 : 0}, ${v.individual ? 1 : 0}, ${v.acceptHours}, ${v.dispatchHours}, ${v.finishDays}, 1,
        (SELECT coalesce(max(sort), 0) + 10 FROM service_items))`,
    auditStatement({ actorId: user.id, action: 'services.item_create', targetType: 'service_item', targetId: sql`SELECT id FROM service_items WHERE slug = ${slug}`, after: auditView(columns(v)) }),
  ]);
  const [row] = await db.select({ id: serviceItems.id }).from(serviceItems).where(eq(serviceItems.slug, slug));
  return row.id;
}

/** One item for the editor, or a 404 refusal. */
async function itemOr404(db: Db, id: number): Promise<ServiceItem> {
  const [i] = Number.isSafeInteger(id) ? await db.select().from(serviceItems).where(eq(serviceItems.id, id)) : [];
  if (!i) throw new OrderError('NOT_FOUND', '找不到该服务项目');
  return i;
}

/**
 * Edits an item. Guarded on the row being as it was read here, so the audit row's "before" is what the
 * edit replaced even when two staff save at once (the later one is asked to reload). Orders already placed keep their
 * timestamps; the new limits apply to every order of the item from now on (figures are recomputed).
 */
export async function updateServiceItem(db: Db, user: SessionUser, id: number, input: ServiceItemInput): Promise<void> {
  requireEditor(user);
  const before = await itemOr404(db, id);
  const v = await checkItem(db, input, before.skill);
  const cols = columns(v);
  const ok = await guardedWrite(
    db,
    db
      .update(serviceItems)
      .set(cols)
      .where(
        and(
          eq(serviceItems.id, id),
          sql`${serviceItems.name} = ${before.name} AND ${serviceItems.category} = ${before.category} AND ${serviceItems.description} = ${before.description} AND ${serviceItems.skill} = ${before.skill}
            AND ${serviceItems.needsVisit} = ${before.needsVisit} AND ${serviceItems.individual} = ${before.individual} AND ${serviceItems.acceptHours} = ${before.acceptHours}
            AND ${serviceItems.dispatchHours} = ${before.dispatchHours} AND ${serviceItems.finishDays} = ${before.finishDays}`,
        ),
      ),
    [auditStatement({ actorId: user.id, action: 'services.item_update', targetType: 'service_item', targetId: id, before: auditView(before), after: auditView(cols) })],
  );
  if (!ok) throw new OrderError('CONFLICT', '该服务项目刚被其他工作人员修改过，请刷新页面后重新修改');
}

/** Takes an item off the menu (orders already placed keep it) or puts it back. */
export async function setServiceItemActive(db: Db, user: SessionUser, id: number, active: boolean): Promise<void> {
  requireEditor(user);
  const item = await itemOr404(db, id);
  const to = active ? 1 : 0;
  const ok = await guardedWrite(db, sql`UPDATE service_items SET active = ${to} WHERE id = ${id} AND active = ${1 - to}`, [
    auditStatement({
      actorId: user.id,
      action: active ? 'services.item_activate' : 'services.item_deactivate',
      targetType: 'service_item',
      targetId: id,
      before: { name: item.name, active: !active },
      after: { active },
    }),
  ]);
  if (!ok) throw new OrderError('CONFLICT', active ? '该服务项目已在菜单上' : '该服务项目已停用');
}

/**
 * Moves an item one place up or down within its category: it swaps places with its neighbour in one
 * UPDATE guarded on both positions, so a concurrent reorder is refused rather than mixed.
 */
export async function moveServiceItem(db: Db, user: SessionUser, id: number, direction: 'up' | 'down'): Promise<void> {
  requireEditor(user);
  const item = await itemOr404(db, id);
  const siblings = await db
    .select({ id: serviceItems.id, sort: serviceItems.sort, name: serviceItems.name })
    .from(serviceItems)
    .where(eq(serviceItems.category, item.category))
    .orderBy(asc(serviceItems.sort), asc(serviceItems.id));
  const at = siblings.findIndex((s) => s.id === id);
  const other = siblings[direction === 'up' ? at - 1 : at + 1];
  if (!other) throw new OrderError('CONFLICT', direction === 'up' ? '已经是本类第一项' : '已经是本类最后一项');
  // Equal positions (never written by this editor, but possible in old data) get distinct ones by the move.
  const mine = item.sort === other.sort ? other.sort + (direction === 'up' ? -1 : 1) : other.sort;
  const theirs = item.sort;
  const ok = await guardedWrite(
    db,
    sql`UPDATE service_items SET sort = CASE id WHEN ${id} THEN ${mine} ELSE ${theirs} END
      WHERE id IN (${id}, ${other.id}) AND (SELECT sort FROM service_items WHERE id = ${id}) = ${item.sort} AND (SELECT sort FROM service_items WHERE id = ${other.id}) = ${other.sort}`,
    [auditStatement({ actorId: user.id, action: 'services.item_move', targetType: 'service_item', targetId: id, before: { name: item.name, sort: item.sort }, after: { sort: mine } })],
  );
  if (!ok) throw new OrderError('CONFLICT', '菜单顺序刚被其他工作人员调整过，请刷新页面后重试');
}
