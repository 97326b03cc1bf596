// Actions for service hours, corrections and certificates (issue 5). Thin: validate,
// check the caller, call the domain; refusals become ActionErrors in formAction (docs/decisions/075).
import { ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionUser, formAction } from '../lib/action-guards.ts';
import { config } from '../lib/config.ts';
import { MediaError } from '../domain/media/index.ts';
import { discardPrivateFiles, uploadPrivateImage } from '../domain/media/private.ts';
import { can } from '../domain/accounts/policy.ts';
import { claimHours } from '../domain/hours/claims.ts';
import { leaderEntry, recordsFromAttendance } from '../domain/hours/leader-entry.ts';
import { confirmRecords, declineRecord, type Reviewer } from '../domain/hours/review.ts';
import type { SessionUser } from '../domain/accounts/sessions.ts';
import { acceptCorrection, declineCorrection, requestCorrection } from '../domain/hours/corrections.ts';
import { declineCertificate, issueCertificate, requestCertificate, revokeCertificate } from '../domain/hours/certificates.ts';
import { fromShanghai } from '../lib/time.ts';
import { HoursError } from '../domain/hours/errors.ts';
import { backHere } from '../lib/flash.ts';
import { isPlainLine, isPlainText, plainLineError, plainTextError } from '../lib/plain-text.ts';

const id = (label: string) =>
  z
    .number({ error: `请选择${label}` })
    .int()
    .positive(`请选择${label}`);
const day = (label: string) => z.string({ error: `请填写${label}` }).regex(/^\d{4}-\d{2}-\d{2}$/, `${label}格式应为 年-月-日`);
const time = (label: string) => z.string({ error: `请填写${label}` }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, `${label}格式应为 时:分`);
const reason = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(2, `${label}至少 2 个字`)
    .max(300, `${label}不超过 300 字`);
const back = z
  .string()
  .regex(/^\/(console|me)\/[a-z0-9/_-]*$/)
  .optional();
/** Where a reviewer's form goes back to when it was not posted from a page (staff: 时长复核). */
const reviewHome = (user: SessionUser) => (can(user, 'hours.review') ? '/console/hours' : '/me/teams');
/** The caller as a reviewer of hours and certificates: a team leader, and staff where the policy says so (docs/decisions/079). */
const reviewer = (user: SessionUser): Reviewer => ({ id: user.id, staff: can(user, 'hours.review') });

export const hours = {
  /** A volunteer claims hours for team work without an event. */
  claim: formAction({
    input: z.object({
      teamId: id('队伍'),
      day: day('服务日期'),
      start: time('开始时间'),
      end: time('结束时间'),
      content: z.string({ error: '请填写服务内容' }).trim().refine(isPlainText, plainTextError('服务内容')).min(2, '服务内容至少 2 个字').max(500, '服务内容不超过 500 字'),
      photo: z.instanceof(File).optional(),
    }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      let photoFileId: number | undefined;
      if (input.photo && input.photo.size > 0) {
        // Private evidence (仅供队伍负责人核实): content-checked and re-encoded without EXIF/GPS, kept out of
        // the media library and served only to the volunteer and the team's leaders (docs/decisions/076).
        try {
          const f = await uploadPrivateImage(db, config().uploadsDir, { bytes: new Uint8Array(await input.photo.arrayBuffer()), name: input.photo.name, purpose: 'hour_claim', userId: user.id });
          photoFileId = f.id;
        } catch (e) {
          if (e instanceof MediaError) throw new ActionError({ code: 'BAD_REQUEST', message: `照片：${e.message}` });
          throw e;
        }
      }
      const { photo: _photo, ...claim } = input;
      try {
        await claimHours(db, user.id, { ...claim, photoFileId });
      } catch (e) {
        // A refused claim keeps no photo.
        if (photoFileId) await discardPrivateFiles(db, config().uploadsDir, [photoFileId]);
        throw e;
      }
      return { redirect: '/me/hours?claimed=1' };
    },
  }),

  /** A leader enters hours for ticked volunteers (event window or a date and time). */
  leaderEntry: formAction({
    input: z.object({
      teamId: id('队伍'),
      eventId: z.number().int().positive().optional(),
      day: day('服务日期').optional(),
      start: time('开始时间').optional(),
      end: time('结束时间').optional(),
      content: z.string().trim().refine(isPlainLine, plainLineError('服务内容')).max(500, '服务内容不超过 500 字').optional(),
      userIds: z.array(z.number().int().positive()).min(1, '请至少勾选一名志愿者'),
    }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      // Without a day and times, the event's own window (leaderEntry reads it).
      const span = input.day && input.start && input.end ? { startsAt: fromShanghai(input.day, input.start), endsAt: fromShanghai(input.day, input.end) } : {};
      const results = await leaderEntry(db, user.id, { teamId: input.teamId, eventId: input.eventId ?? null, ...span, content: input.content ?? '', userIds: input.userIds });
      return { kind: 'entry' as const, results };
    },
  }),

  /** A leader turns an event's attendance into pending records. */
  fromAttendance: formAction({
    input: z.object({ eventId: id('活动') }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      const results = await recordsFromAttendance(db, user.id, input.eventId);
      return { kind: 'attendance' as const, results };
    },
  }),

  /** A leader (or staff, for a leader's own records) confirms ticked pending records. */
  confirm: formAction({
    input: z.object({
      ids: z.array(z.number().int().positive()).min(1, '请至少勾选一条记录'),
      /** Several records at once only with the count the reviewer saw on the confirm step (issue 18, item 10). */
      count: z.number().int().nonnegative().optional(),
    }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      const r = await confirmRecords(db, reviewer(user), input.ids, Date.now(), input.count);
      // Nothing confirmed is a refusal: 4xx in place, with each record's reason.
      if (r.confirmed === 0 && r.failed.length) throw new HoursError('CONFLICT', r.failed.length === 1 ? r.failed[0].message : r.failed.map((f) => `记录 ${f.id}：${f.message}`).join('；'));
      // Every review form answers 303 back to its page (issue 18, item 4): a refresh posts nothing again.
      return backHere(ctx, { done: 'confirmed', n: r.confirmed, ...(r.failed.length ? { failed: r.failed.map((f) => f.id).join(',') } : {}) }, reviewHome(user));
    },
  }),

  /** A leader declines one pending record with a reason. */
  decline: formAction({
    input: z.object({ id: id('记录'), reason: reason('不予确认的理由') }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      await declineRecord(db, reviewer(user), input.id, input.reason);
      return backHere(ctx, { done: 'declined' }, reviewHome(user));
    },
  }),

  /** A volunteer asks for a correction of one of their records. */
  requestCorrection: formAction({
    input: z.object({
      recordId: id('记录'),
      startsAt: z.string({ error: '请填写更正后的开始时间' }).min(1, '请填写更正后的开始时间'),
      endsAt: z.string({ error: '请填写更正后的结束时间' }).min(1, '请填写更正后的结束时间'),
      reason: reason('更正理由'),
    }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      await requestCorrection(db, user.id, input);
      return { redirect: '/me/hours?corrected=1' };
    },
  }),

  acceptCorrection: formAction({
    input: z.object({ id: id('更正申请') }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      await acceptCorrection(db, reviewer(user), input.id);
      return backHere(ctx, { done: 'correction-accepted' }, reviewHome(user));
    },
  }),

  declineCorrection: formAction({
    input: z.object({ id: id('更正申请'), decision: reason('不予更正的理由') }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      await declineCorrection(db, reviewer(user), input.id, input.decision);
      return backHere(ctx, { done: 'correction-declined' }, reviewHome(user));
    },
  }),

  /** A volunteer requests a certificate for a team and a date range. */
  requestCertificate: formAction({
    input: z.object({
      teamId: id('队伍'),
      from: day('开始日期'),
      to: day('结束日期'),
      note: z.string().trim().refine(isPlainLine, plainLineError('用途说明')).max(100, '用途说明不超过 100 字').optional(),
    }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      await requestCertificate(db, user.id, input);
      return { redirect: '/me/certificates?requested=1' };
    },
  }),

  issueCertificate: formAction({
    input: z.object({ id: id('证明申请') }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      const r = await issueCertificate(db, reviewer(user), input.id);
      return backHere(ctx, { done: 'issued', n: r.number }, reviewHome(user));
    },
  }),

  declineCertificate: formAction({
    input: z.object({ id: id('证明申请'), reason: reason('不予出具的理由') }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      await declineCertificate(db, reviewer(user), input.id, input.reason);
      return backHere(ctx, { done: 'certificate-declined' }, reviewHome(user));
    },
  }),

  /** Staff with certificates.manage, or the leader of the issuing team, revoke a certificate. */
  revokeCertificate: formAction({
    input: z.object({ id: id('证明'), reason: reason('撤销理由'), back }),
    handler: async (input, ctx) => {
      const user = actionUser(ctx);
      const db = await appDb();
      await revokeCertificate(db, { id: user.id, mayManage: can(user, 'certificates.manage') }, input.id, input.reason);
      return backHere(input.back ? { url: new URL(input.back, 'http://localhost') } : ctx, { done: 'revoked' }, can(user, 'certificates.manage') ? '/console/certificates' : '/me/teams');
    },
  }),
};
