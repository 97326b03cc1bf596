// Actions for the 好人榜: public (nominate, like, objection) and console (batches, entries, queue, 终审).
// Thin: validate, ask the policy, call the domain; refusals become ActionErrors in formAction (lib/action-guards.ts).
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionAbility, formAction } from '../lib/action-guards.ts';
import { clientIp } from '../lib/client-ip.ts';
import { config } from '../lib/config.ts';
import { randomToken } from '../lib/ids.ts';
import { randomInt } from 'node:crypto';
import type { Ability } from '../domain/accounts/policy.ts';
import { BatchSchema, HonoreeSchema, NominationSchema, ObjectionSchema, PublicitySchema } from '../domain/honors/schemas.ts';
import { HonorError } from '../domain/honors/rules.ts';
import { approveBatch, createBatch, createHonoree, returnBatch, startPublicity, submitForReview, updateBatch, updateHonoree, withdrawHonoree } from '../domain/honors/admin.ts';
import { declineNomination, mergeNomination, nominationToCandidate, revealNominatorPhone, submitNomination, verifyNomination } from '../domain/honors/nominations.ts';
import { adoptNominationPhoto } from '../domain/honors/nomination-photo.ts';
import { RecommendationDetailsSchema, addRecommendationPhoto, recordRecommendConsent, removeRecommendationPhoto, saveRecommendationDetails } from '../domain/honors/recommendation.ts';
import { MediaError } from '../domain/media/index.ts';
import { fileObjection, objectionTrackingNumber, revealObjectionContact, isVisitorToken, likeCandidate, likeKeys, newVisitorToken, resolveObjection } from '../domain/honors/publicity.ts';

type Ctx = { locals: App.Locals; clientAddress: string; request: Request; cookies: import('astro').AstroCookies };

/** Name of the random, httpOnly cookie that tells one visitor's likes apart. */
export const VISITOR_COOKIE = 'sx_visitor';

/**
 * The objection's confirmation page: its number, and the random 查询码 when the objector left no phone
 * (shown there once; query strings are not logged, docs/decisions/089).
 */
const objectionConfirmation = (no: string, pin: string, pinIsPhone: boolean) => `/honors/objection?${new URLSearchParams(pinIsPhone ? { no } : { no, pin })}`;

/** The acting staff member (one of the abilities) and their client address, for audit entries. */
function requireAbilityIn(ctx: Ctx, ...abilities: Ability[]) {
  return { id: actionAbility(ctx, ...abilities).id, ip: clientIp(ctx) };
}

const id = (label = '编号') =>
  z
    .number({ error: `缺少${label}` })
    .int()
    .positive(`缺少${label}`);
const reason = (label: string, min = 2) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(min, `请填写${label}（至少 ${min} 字）`)
    .max(500, `${label}不能超过 500 字`);

export const honors = {
  // ---------- public ----------
  nominate: formAction({
    input: NominationSchema.extend({ photo: z.instanceof(File).optional() }),
    handler: async ({ photo, ...input }, ctx) => {
      const db = await appDb();
      const bytes = photo && photo.size > 0 ? new Uint8Array(await photo.arrayBuffer()) : undefined;
      const r = await submitNomination(db, config().secretKey, input, clientIp(ctx), Date.now(), bytes ? { bytes, name: photo!.name, uploadsDir: config().uploadsDir } : undefined);
      return { redirect: `/honors/nominate?no=${encodeURIComponent(r.trackingNo)}` };
    },
  }),

  like: formAction({
    input: z.object({ honoreeId: id('候选人') }),
    handler: async (input, ctx) => {
      const db = await appDb();
      const key = config().secretKey;
      let token = ctx.cookies.get(VISITOR_COOKIE)?.value;
      const newVisitor = !isVisitorToken(key, token);
      if (newVisitor) {
        token = newVisitorToken(key, randomToken(16));
        // Scoped to the 公示 page: a site-wide cookie made every page this visitor opened afterwards skip the page cache.
        ctx.cookies.set(VISITOR_COOKIE, token, { path: '/honors/candidates', httpOnly: true, sameSite: 'lax', secure: config().siteUrl.startsWith('https:'), maxAge: 365 * 86400 });
      }
      const r = await likeCandidate(db, { honoreeId: input.honoreeId, newVisitor, ...likeKeys(key, token!, clientIp(ctx)) });
      return { redirect: `/honors/candidates?${r.liked ? 'liked' : 'again'}=${input.honoreeId}#c-${input.honoreeId}` };
    },
  }),

  objection: formAction({
    input: ObjectionSchema,
    handler: async (input, ctx) => {
      // A filled honeypot gets an ordinary-looking confirmation, and nothing is stored.
      if (input.website && input.website.trim() !== '') return { redirect: objectionConfirmation(objectionTrackingNumber(Date.now()), String(randomInt(0, 10_000)).padStart(4, '0'), false) };
      const db = await appDb();
      const r = await fileObjection(db, config().secretKey, input, clientIp(ctx));
      return { redirect: objectionConfirmation(r.trackingNo, r.pin, r.pinIsPhone) };
    },
  }),

  // ---------- console: batches ----------
  saveBatch: formAction({
    input: BatchSchema,
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit');
      const db = await appDb();
      if (input.id) {
        await updateBatch(db, actor, { ...input, id: input.id! });
        return { redirect: `/console/honors/batches/${input.id}?ok=saved` };
      }
      const newId = await createBatch(db, actor, input);
      return { redirect: `/console/honors/batches/${newId}?ok=created` };
    },
  }),

  startPublicity: formAction({
    input: PublicitySchema,
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit');
      const db = await appDb();
      await startPublicity(db, actor, input);
      return { redirect: `/console/honors/batches/${input.id}?ok=publicity` };
    },
  }),

  submitForReview: formAction({
    input: z.object({ id: id('批次'), opinion: reason('公示情况说明') }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit', 'honors.review');
      const db = await appDb();
      await submitForReview(db, actor, input);
      return { redirect: `/console/honors/batches/${input.id}?ok=submitted` };
    },
  }),

  review: formAction({
    input: z.object({ id: id('批次'), decision: z.enum(['approve', 'return'], { error: '请选择审核结论' }), opinion: reason('审核意见') }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.review');
      const db = await appDb();
      if (input.decision === 'approve') await approveBatch(db, actor, input);
      else await returnBatch(db, actor, input);
      return { redirect: `/console/honors/batches/${input.id}?ok=${input.decision === 'approve' ? 'published' : 'returned'}` };
    },
  }),

  // ---------- console: entries ----------
  saveHonoree: formAction({
    input: HonoreeSchema,
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit');
      const db = await appDb();
      if (input.id) {
        await updateHonoree(db, actor, { ...input, id: input.id! });
        return { redirect: `/console/honors/${input.id}?ok=saved` };
      }
      const r = await createHonoree(db, actor, input);
      return { redirect: `/console/honors/${r.id}?ok=created` };
    },
  }),

  /** Copies the nominator's (private) photo to the entry once photo consent is recorded. */
  adoptNominationPhoto: formAction({
    input: z.object({ id: id('条目') }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit');
      await adoptNominationPhoto(await appDb(), config().uploadsDir, actor, input.id);
      return { redirect: `/console/honors/${input.id}?ok=photo` };
    },
  }),

  withdraw: formAction({
    input: z.object({ id: id('条目'), reason: reason('撤榜原因') }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit');
      const db = await appDb();
      await withdrawHonoree(db, actor, input);
      return { redirect: `/console/honors/${input.id}?ok=withdrawn` };
    },
  }),

  /** Staff see an objector's full contact once, audited (the page shows it masked). */
  revealObjectionContact: formAction({
    input: z.object({ id: id('异议') }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit', 'honors.review');
      return revealObjectionContact(await appDb(), actor, input.id);
    },
  }),

  resolveObjection: formAction({
    input: z.object({ id: id('异议'), batchId: id('批次'), outcome: z.enum(['upheld', 'dismissed'], { error: '请选择处理结果' }), resolution: reason('核查结论') }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit', 'honors.review');
      const db = await appDb();
      await resolveObjection(db, actor, input);
      return { redirect: `/console/honors/batches/${input.batchId}?ok=objection#objections` };
    },
  }),

  // ---------- console: nomination queue ----------
  /** Staff see a nominator's full phone once, audited, to make the verification call (the page shows it masked). */
  revealNominatorPhone: formAction({
    input: z.object({ id: id('线索') }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'nominations.handle');
      return revealNominatorPhone(await appDb(), actor, input.id);
    },
  }),

  handleNomination: formAction({
    input: z.object({
      id: id('线索'),
      op: z.enum(['verify', 'merge', 'candidate', 'decline'], { error: '请选择操作' }),
      intoId: z.number({ error: '请填写要合并到的线索编号' }).int().positive('请填写要合并到的线索编号').optional(),
      batchId: z.number({ error: '请选择批次' }).int().positive('请选择批次').optional(),
      reason: z.string().trim().max(500, '原因不能超过 500 字').optional(),
    }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'nominations.handle');
      const db = await appDb();
      switch (input.op) {
        case 'verify':
          await verifyNomination(db, actor, input.id);
          return { redirect: `/console/nominations/${input.id}?ok=verified` };
        case 'merge':
          if (!input.intoId) throw new HonorError('invalid', '请填写要合并到的线索编号', 'intoId');
          await mergeNomination(db, actor, input.id, input.intoId);
          return { redirect: `/console/nominations/${input.id}?ok=merged` };
        case 'candidate': {
          if (!input.batchId) throw new HonorError('invalid', '请选择批次', 'batchId');
          const honoreeId = await nominationToCandidate(db, actor, input.id, input.batchId);
          return { redirect: `/console/honors/${honoreeId}?ok=fromNomination` };
        }
        case 'decline':
          if (!input.reason || [...input.reason].length < 2) throw new HonorError('invalid', '请填写未采纳的原因', 'reason');
          await declineNomination(db, actor, input.id, input.reason);
          return { redirect: `/console/nominations/${input.id}?ok=declined` };
      }
    },
  }),

  // ---------- console: 推荐表 for the next level (issue 19 item 5) ----------
  saveRecommendation: formAction({
    input: RecommendationDetailsSchema.extend({ id: id('条目') }),
    handler: async ({ id: honoreeId, ...details }, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit');
      await saveRecommendationDetails(await appDb(), config().secretKey, actor, honoreeId, details);
      return { redirect: `/console/honors/recommend/${honoreeId}?ok=saved` };
    },
  }),

  recordRecommendConsent: formAction({
    input: z.object({ id: id('条目'), note: reason('同意方式') }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit');
      await recordRecommendConsent(await appDb(), actor, input.id, input.note);
      return { redirect: `/console/honors/recommend/${input.id}?ok=consent` };
    },
  }),

  addRecommendationPhoto: formAction({
    input: z.object({ id: id('条目'), kind: z.enum(['id', 'life'], { error: '请选择照片类型' }), photo: z.instanceof(File, { error: '请选择照片' }) }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit');
      if (!input.photo.size) throw new HonorError('invalid', '请选择照片', 'photo');
      try {
        await addRecommendationPhoto(await appDb(), config().uploadsDir, actor, input.id, input.kind, new Uint8Array(await input.photo.arrayBuffer()), input.photo.name);
      } catch (e) {
        if (e instanceof MediaError) throw new HonorError('invalid', `照片：${e.message}`, 'photo');
        throw e;
      }
      return { redirect: `/console/honors/recommend/${input.id}?ok=photo` };
    },
  }),

  removeRecommendationPhoto: formAction({
    input: z.object({ id: id('条目'), fileId: id('照片') }),
    handler: async (input, ctx) => {
      const actor = requireAbilityIn(ctx, 'honors.edit');
      await removeRecommendationPhoto(await appDb(), config().uploadsDir, actor, input.id, input.fileId);
      return { redirect: `/console/honors/recommend/${input.id}?ok=photoRemoved` };
    },
  }),
};
