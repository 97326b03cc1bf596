// Actions for household 文明积分 (issue 21, docs/decisions/102). Thin: validate, identify the caller, call the
// domain; the domain checks village scope (村积分管理员, 评议员) inside each guarded write, and refusals become
// ActionErrors in formAction (docs/decisions/075).
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { clientIp } from '../lib/client-ip.ts';
import { actionUser, formAction } from '../lib/action-guards.ts';
import { isPlainLine, isPlainText, plainLineError, plainTextError } from '../lib/plain-text.ts';
import { MediaError } from '../domain/media/index.ts';
import { discardPrivateFiles, uploadPrivateImage } from '../domain/media/private.ts';
import { grantVillageRole, revokeVillageRole } from '../domain/households/roles.ts';
import { addHousehold, addMember, removeMember, revealHouseholdPhone, updateHousehold, RELATIONS } from '../domain/households/register.ts';
import { addScoringItem, startVillage, updateScoringItem, updateVillageSettings, CATEGORIES } from '../domain/households/scoring.ts';
import { approveEntry, assertHouseholdMember, claimEntry, inspectionEntry, rejectEntry } from '../domain/households/entries.ts';
import { objectToEntry, openPublicity, postMonth, resolveObjection } from '../domain/households/month.ts';
import { redeemWithHouseholdPoints } from '../domain/households/ledger.ts';

const id = (label: string) =>
  z
    .number({ error: `请选择${label}` })
    .int()
    .positive(`请选择${label}`);
const whole = (label: string, min: number, max: number) =>
  z
    .number({ error: `请填写${label}` })
    .int(`${label}应为整数`)
    .min(min, `${label}不能小于 ${min}`)
    .max(max, `${label}不能大于 ${max}`);
const line = (label: string, min: number, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .refine(isPlainLine, plainLineError(label))
    .min(min, min > 1 ? `${label}至少 ${min} 个字` : `请填写${label}`)
    .max(max, `${label}不超过 ${max} 字`);
const text = (label: string, min: number, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .refine(isPlainText, plainTextError(label))
    .min(min, `${label}至少 ${min} 个字`)
    .max(max, `${label}不超过 ${max} 字`);
const optionalText = (label: string, max: number) => z.string().trim().refine(isPlainText, plainTextError(label)).max(max, `${label}不超过 ${max} 字`).optional();
const phone = z.string().trim().max(20, '电话号码不超过 20 位').optional();
const month = z.string({ error: '请选择月份' }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, '请选择月份');
const role = z.enum(['clerk', 'assessor'], { error: '请选择角色' });

const month$ = (villageId: number, done: string) => `/console/households/month?village=${villageId}&done=${done}`;

export const households = {
  /** An administrator appoints a 村积分管理员; a clerk appoints 评议员. */
  grantRole: formAction({
    input: z.object({ villageId: id('村（社区）'), phone: z.string({ error: '请填写手机号' }).trim().min(1, '请填写手机号').max(20, '请填写 11 位手机号'), role }),
    handler: async (input, ctx) => {
      await grantVillageRole(await appDb(), actionUser(ctx), input);
      return { redirect: `/console/households/scoring?village=${input.villageId}&done=role#roles` };
    },
  }),
  revokeRole: formAction({
    input: z.object({ villageId: id('村（社区）'), userId: id('人员'), role }),
    handler: async (input, ctx) => {
      await revokeVillageRole(await appDb(), actionUser(ctx), input);
      return { redirect: `/console/households/scoring?village=${input.villageId}&done=role#roles` };
    },
  }),
  /** The clerk registers a household. */
  add: formAction({
    input: z.object({ villageId: id('村（社区）'), number: line('户号', 1, 20), headName: line('户主姓名', 2, 20), phone, nameConsent: z.boolean() }),
    handler: async (input, ctx) => {
      const householdId = await addHousehold(await appDb(), config().secretKey, actionUser(ctx).id, input);
      return { redirect: `/console/households/${householdId}?done=added` };
    },
  }),
  update: formAction({
    input: z.object({ householdId: id('农户'), number: line('户号', 1, 20), headName: line('户主姓名', 2, 20), phone, nameConsent: z.boolean() }),
    handler: async (input, ctx) => {
      const { householdId, ...rest } = input;
      await updateHousehold(await appDb(), config().secretKey, actionUser(ctx).id, householdId, rest);
      return { redirect: `/console/households/${householdId}?done=saved` };
    },
  }),
  addMember: formAction({
    input: z.object({ householdId: id('农户'), name: line('成员姓名', 2, 20), relation: z.enum(RELATIONS, { error: '请选择与户主关系' }), accountPhone: phone }),
    handler: async (input, ctx) => {
      await addMember(await appDb(), actionUser(ctx).id, input);
      return { redirect: `/console/households/${input.householdId}?done=member#members` };
    },
  }),
  /** The village's clerk sees a household's full phone to call it back; audited, rate-limited, never in a URL. */
  revealPhone: formAction({
    input: z.object({ householdId: id('农户') }),
    handler: async ({ householdId }, ctx) => {
      const user = actionUser(ctx);
      return { householdId, phone: await revealHouseholdPhone(await appDb(), config().secretKey, { id: user.id, ip: clientIp(ctx) }, householdId) };
    },
  }),
  removeMember: formAction({
    input: z.object({ householdId: id('农户'), memberId: id('成员') }),
    handler: async (input, ctx) => {
      await removeMember(await appDb(), actionUser(ctx).id, input);
      return { redirect: `/console/households/${input.householdId}?done=removed#members` };
    },
  }),
  /** The clerk starts household points: the county template is copied. */
  startVillage: formAction({
    input: z.object({ villageId: id('村（社区）') }),
    handler: async (input, ctx) => {
      await startVillage(await appDb(), actionUser(ctx).id, input.villageId);
      return { redirect: `/console/households/scoring?village=${input.villageId}&done=started` };
    },
  }),
  settings: formAction({
    input: z.object({ villageId: id('村（社区）'), publicityDays: whole('公示天数', 3, 30), baseScore: whole('基础分', 0, 1000), annualReset: z.boolean() }),
    handler: async (input, ctx) => {
      await updateVillageSettings(await appDb(), actionUser(ctx).id, input);
      return { redirect: `/console/households/scoring?village=${input.villageId}&done=settings#settings` };
    },
  }),
  addItem: formAction({
    input: z.object({
      villageId: id('村（社区）'),
      direction: z.enum(['plus', 'minus'], { error: '请选择加分项或扣分项' }),
      category: z.enum(CATEGORIES, { error: '请选择类别' }),
      title: line('项目内容', 4, 60),
      points: whole('分值', 1, 100),
    }),
    handler: async (input, ctx) => {
      await addScoringItem(await appDb(), actionUser(ctx).id, input);
      return { redirect: `/console/households/scoring?village=${input.villageId}&done=item#table` };
    },
  }),
  updateItem: formAction({
    input: z.object({ villageId: id('村（社区）'), itemId: id('评分项目'), points: whole('分值', 1, 100), active: z.boolean() }),
    handler: async (input, ctx) => {
      await updateScoringItem(await appDb(), actionUser(ctx).id, input);
      return { redirect: `/console/households/scoring?village=${input.villageId}&done=item#table` };
    },
  }),
  /** A household member declares a 加分项 with a photo (private: the household, the village's 评议员 and clerks). */
  claim: formAction({
    input: z.object({ itemId: id('申报项目'), note: optionalText('情况说明', 300), photo: z.instanceof(File).optional() }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      await assertHouseholdMember(db, user.id);
      let photoFileId: number | null = null;
      if (input.photo && input.photo.size > 0) {
        try {
          const f = await uploadPrivateImage(db, config().uploadsDir, { bytes: new Uint8Array(await input.photo.arrayBuffer()), name: input.photo.name, purpose: 'household_claim', userId: user.id });
          photoFileId = f.id;
        } catch (e) {
          if (e instanceof MediaError) throw new ActionError({ code: 'BAD_REQUEST', message: `照片：${e.message}` });
          throw e;
        }
      }
      try {
        await claimEntry(db, user.id, { itemId: input.itemId, note: input.note ?? '', photoFileId });
      } catch (e) {
        // A refused claim keeps no photo.
        if (photoFileId) await discardPrivateFiles(db, config().uploadsDir, [photoFileId]);
        throw e;
      }
      return { redirect: '/me/household?done=claimed#entries' };
    },
  }),
  /** A 评议员 records a 评议小组 inspection (a deduction needs a written reason). */
  inspect: formAction({
    input: z.object({ householdId: id('农户'), itemId: id('评分项目'), note: optionalText('事实和理由', 300) }),
    handler: async (input, ctx) => {
      await inspectionEntry(await appDb(), actionUser(ctx).id, { ...input, note: input.note ?? '' });
      return { redirect: '/console/households/review?done=entered' };
    },
  }),
  approve: formAction({
    input: z.object({ entryId: id('条目') }),
    handler: async (input, ctx) => {
      const { approved } = await approveEntry(await appDb(), actionUser(ctx).id, input.entryId);
      return { redirect: `/console/households/review?done=${approved ? 'approved' : 'first'}` };
    },
  }),
  reject: formAction({
    input: z.object({ entryId: id('条目'), reason: text('不通过的理由', 2, 200) }),
    handler: async (input, ctx) => {
      await rejectEntry(await appDb(), actionUser(ctx).id, input.entryId, input.reason);
      return { redirect: '/console/households/review?done=rejected' };
    },
  }),
  openPublicity: formAction({
    input: z.object({ villageId: id('村（社区）'), month }),
    handler: async (input, ctx) => {
      await openPublicity(await appDb(), actionUser(ctx).id, input);
      return { redirect: month$(input.villageId, 'opened') };
    },
  }),
  post: formAction({
    input: z.object({ villageId: id('村（社区）'), month }),
    handler: async (input, ctx) => {
      await postMonth(await appDb(), actionUser(ctx).id, input);
      return { redirect: month$(input.villageId, 'posted') };
    },
  }),
  /** Anyone objects to an entry on 公示 (no account needed; rate-limited per IP). */
  object: formAction({
    input: z.object({
      entryId: id('条目'),
      villageCode: z
        .string()
        .trim()
        .regex(/^\d{1,20}$/, '页面已过期，请刷新'),
      month,
      reason: text('异议理由', 5, 300),
      phone,
    }),
    handler: async (input, ctx) => {
      await objectToEntry(await appDb(), config().secretKey, { entryId: input.entryId, reason: input.reason, phone: input.phone, ip: clientIp(ctx) });
      return { redirect: `/points/${input.villageCode}?month=${input.month}&objected=1` };
    },
  }),
  resolveObjection: formAction({
    input: z.object({ villageId: id('村（社区）'), objectionId: id('异议'), upheld: z.boolean(), note: text('处理意见', 2, 200) }),
    handler: async (input, ctx) => {
      await resolveObjection(await appDb(), actionUser(ctx).id, input);
      return { redirect: month$(input.villageId, 'resolved') };
    },
  }),
  /** A household member redeems an item that accepts household points. */
  redeem: formAction({
    input: z.object({ itemId: id('要兑换的物品') }),
    handler: async (input, ctx) => {
      const { orderId } = await redeemWithHouseholdPoints(await appDb(), { userId: actionUser(ctx).id, itemId: input.itemId });
      return { redirect: `/me/household?redeemed=${orderId}#orders` };
    },
  }),
};
