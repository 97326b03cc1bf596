// Actions for accounts: register, login, profile, password, 注销, reset links, user administration.
import { ActionError, defineAction, type ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionAbility, formAction } from '../lib/action-guards.ts';
import { config } from '../lib/config.ts';
import { clientIp } from '../lib/client-ip.ts';
import { safeNext } from '../lib/safe-next.ts';
import { sendMail } from '../lib/mail.ts';
import { formatDateTime } from '../lib/time.ts';
import { AccountError } from '../domain/accounts/errors.ts';
import { ChangePasswordSchema, ChangePhoneSchema, LoginSchema, ProfileSchema, RegisterSchema, ResetPasswordSchema, SmsResetSchema } from '../domain/accounts/schemas.ts';
import { requestSmsCode, type SmsPurpose } from '../domain/accounts/sms-codes.ts';
import { changePhoneWithCode, requestResetByEmail, resetPasswordWithSmsCode } from '../domain/accounts/recovery.ts';
import { sendSms } from '../lib/sms.ts';
import { countRegistrationAttempt, registerVolunteer } from '../domain/accounts/register.ts';
import { login } from '../domain/accounts/login.ts';
import { changePassword, deleteAccount, updateProfile } from '../domain/accounts/profile.ts';
import { setRoleScopeAsAdmin } from '../domain/accounts/staff-scope.ts';
import { grantRoleAsAdmin, issueResetToken, resetPasswordWithToken, revokeRoleAsAdmin, setUserDisabled } from '../domain/accounts/admin.ts';
import { SESSION_COOKIE, createSession, generateSessionToken, invalidateSession, sessionCookieOptions } from '../domain/accounts/sessions.ts';
import { audit } from '../domain/audit/index.ts';
import { log } from '../lib/log.ts';
import { maskPhone } from '../lib/pii.ts';

function setSessionCookie(ctx: ActionAPIContext, token: string, expiresAt: number) {
  ctx.cookies.set(SESSION_COOKIE, token, sessionCookieOptions(config().siteUrl, expiresAt));
}

function signedIn(ctx: ActionAPIContext) {
  const user = ctx.locals.user;
  const session = ctx.locals.session;
  if (!user || !session) throw new ActionError({ code: 'UNAUTHORIZED', message: '请先登录' });
  return { user, session };
}

/**
 * The registration form's validation alone, through Astro's own form parsing (field errors in the
 * usual shape); not exported, so not an endpoint: `register` runs it after counting the attempt.
 */
const registrationForm = defineAction({ accept: 'form', input: RegisterSchema, handler: async (input) => input });

/** Just the phone: the forms that post it carry other fields, which these Actions ignore. */
const PhoneOnlySchema = z.object({ phone: z.string({ error: '请填写手机号码' }).trim().max(20) });

/**
 * Requests a code and answers before the provider does (decision 092): the page says where it went,
 * masked, and in a demo without a provider that it is in the server log.
 */
async function sendCode(ctx: ActionAPIContext, phone: string, purpose: SmsPurpose, userId?: number) {
  const cfg = config();
  const r = await requestSmsCode(await appDb(), cfg.secretKey, { phone, purpose, ip: clientIp(ctx), userId, send: (m) => sendSms(cfg.sms, m) });
  void r.delivery;
  return { sent: true as const, phone: maskPhone(phone.trim()), demo: cfg.sms.provider === 'log' };
}

const UserIdSchema = z.object({ userId: z.number({ error: '缺少用户' }).int().positive() });
/** 乡镇 of an order role: empty = 全县（县中心）. */
const scopeTown = z
  .preprocess((v) => (v === '' || v == null ? null : v), z.coerce.number({ error: '请选择乡镇（街道）' }).int('请选择乡镇（街道）').positive('请选择乡镇（街道）').nullable())
  .default(null);

export const accounts = {
  register: formAction({
    // The raw form: the attempt is counted before anything is validated, so typos and probes alike
    // use up the IP's allowance (issue 15, item 7). Taken phones / ID numbers are told by the domain,
    // which rations those answers per IP (decision 077).
    input: z.instanceof(FormData),
    handler: async (form, ctx) => {
      const db = await appDb();
      const ip = clientIp(ctx);
      await countRegistrationAttempt(db, config().secretKey, ip);
      const parsed = await registrationForm.bind(ctx)(form);
      if (parsed.error) throw parsed.error;
      const userId = await registerVolunteer(db, config().secretKey, parsed.data, { ip });
      if (ctx.locals.session) await invalidateSession(db, ctx.locals.session.id);
      const token = generateSessionToken();
      const session = await createSession(db, token, userId);
      setSessionCookie(ctx, token, session.expiresAt);
      await audit(db, { actorId: userId, action: 'login.success', targetType: 'user', targetId: userId, ip, detail: '注册后自动登录' });
      return { redirect: '/me?welcome=1' };
    },
  }),

  /** 获取验证码 on the registration form (its other fields are kept by the page, not read here). */
  sendRegisterCode: formAction({
    input: PhoneOnlySchema,
    handler: (input, ctx) => sendCode(ctx, input.phone, 'register'),
  }),

  /** 忘记密码, step 1: a code to the phone — the same answer whether or not it has an account. */
  sendResetCode: formAction({
    input: PhoneOnlySchema,
    handler: (input, ctx) => sendCode(ctx, input.phone, 'reset'),
  }),

  /** 忘记密码, step 2: the code and a new password; every session of the account ends. */
  resetWithSmsCode: formAction({
    input: SmsResetSchema,
    handler: async (input, ctx) => {
      await resetPasswordWithSmsCode(await appDb(), config().secretKey, { phone: input.phone, code: input.smsCode, password: input.password, ip: clientIp(ctx) });
      ctx.cookies.set(SESSION_COOKIE, '', sessionCookieOptions(config().siteUrl));
      return { redirect: '/login?reset=1' };
    },
  }),

  /** 忘记密码 by e-mail: a one-time link to the address on file, when there is one (same answer either way). */
  requestResetMail: formAction({
    input: PhoneOnlySchema,
    handler: async (input, ctx) => {
      const smtp = config().smtpUrl;
      if (!smtp) throw new AccountError('BAD_REQUEST', '本站未开通邮件服务，请使用短信验证码找回，或携带身份证件联系所在乡镇/街道', 'phone');
      const r = await requestResetByEmail(await appDb(), {
        secretKey: config().secretKey,
        phone: input.phone,
        ip: clientIp(ctx),
        siteUrl: config().siteUrl,
        mail: (m) => sendMail(smtp, m, { timeoutMs: 30_000 }),
      });
      void r.delivery;
      return { mailed: true as const };
    },
  }),

  /** 更换手机号, step 1: a code to the new number. */
  sendPhoneCode: formAction({
    input: PhoneOnlySchema,
    handler: async (input, ctx) => {
      const { user } = signedIn(ctx);
      return sendCode(ctx, input.phone, 'phone', user.id);
    },
  }),

  /** 更换手机号, step 2: that code and the current password. */
  changePhone: formAction({
    input: ChangePhoneSchema,
    handler: async (input, ctx) => {
      const { user } = signedIn(ctx);
      await changePhoneWithCode(await appDb(), config().secretKey, { userId: user.id, phone: input.phone, code: input.smsCode, password: input.password, ip: clientIp(ctx) });
      return { redirect: '/me/profile?phone=1' };
    },
  }),

  login: formAction({
    input: LoginSchema,
    handler: async (input, ctx) => {
      const db = await appDb();
      try {
        const result = await login(db, { secretKey: config().secretKey, phone: input.phone, password: input.password, ip: clientIp(ctx), previousSessionId: ctx.locals.session?.id });
        setSessionCookie(ctx, result.token, result.session.expiresAt);
        log('info', 'login.success', { reqId: ctx.locals.requestId, userId: result.session.userId });
        return { redirect: safeNext(input.next) };
      } catch (e) {
        // Never the password; the phone masked (issue 9: logs hold no secrets).
        log('warn', 'login.refused', { reqId: ctx.locals.requestId, phone: maskPhone(input.phone), code: e instanceof AccountError ? e.code : 'ERROR' });
        throw e;
      }
    },
  }),

  updateProfile: formAction({
    input: ProfileSchema,
    handler: async (input, ctx) => {
      const { user } = signedIn(ctx);
      await updateProfile(await appDb(), user.id, input, clientIp(ctx));
      return { redirect: '/me/profile?saved=1' };
    },
  }),

  changePassword: formAction({
    input: ChangePasswordSchema,
    handler: async (input, ctx) => {
      const { user, session } = signedIn(ctx);
      await changePassword(await appDb(), { userId: user.id, currentSessionId: session.id, current: input.current, password: input.password, ip: clientIp(ctx) });
      return { redirect: '/me/password?changed=1' };
    },
  }),

  deleteAccount: formAction({
    input: z.object({
      password: z.string({ error: '请输入密码以确认' }).max(256, '密码不能超过 256 个字符，请核对'),
      confirm: z.boolean().refine((v) => v, '请勾选确认'),
    }),
    handler: async (input, ctx) => {
      const { user } = signedIn(ctx);
      await deleteAccount(await appDb(), { secretKey: config().secretKey, userId: user.id, password: input.password, ip: clientIp(ctx) });
      ctx.cookies.set(SESSION_COOKIE, '', sessionCookieOptions(config().siteUrl));
      return { redirect: '/?deleted=1' };
    },
  }),

  resetPassword: formAction({
    input: ResetPasswordSchema,
    handler: async (input, ctx) => {
      await resetPasswordWithToken(await appDb(), { token: input.token, password: input.password, ip: clientIp(ctx) });
      ctx.cookies.set(SESSION_COOKIE, '', sessionCookieOptions(config().siteUrl));
      return { redirect: '/login?reset=1' };
    },
  }),

  grantRole: formAction({
    input: UserIdSchema.extend({ role: z.string({ error: '请选择角色' }).max(20, '角色不正确'), townId: scopeTown }),
    handler: async (input, ctx) => {
      const admin = actionAbility(ctx, 'users.manage');
      await grantRoleAsAdmin(await appDb(), { actorId: admin.id, userId: input.userId, role: input.role, townId: input.townId, ip: clientIp(ctx) });
      return { redirect: `/console/users/${input.userId}?done=grant` };
    },
  }),

  /** Moves a staff member's order role to another 乡镇, or to the county 中心 (docs/decisions/100). */
  setRoleScope: formAction({
    input: UserIdSchema.extend({ role: z.string().max(20), townId: scopeTown }),
    handler: async (input, ctx) => {
      const admin = actionAbility(ctx, 'users.manage');
      await setRoleScopeAsAdmin(await appDb(), { actorId: admin.id, userId: input.userId, role: input.role, townId: input.townId, ip: clientIp(ctx) });
      return { redirect: `/console/users/${input.userId}?done=scope` };
    },
  }),

  revokeRole: formAction({
    input: UserIdSchema.extend({ role: z.string().max(20) }),
    handler: async (input, ctx) => {
      const admin = actionAbility(ctx, 'users.manage');
      await revokeRoleAsAdmin(await appDb(), { actorId: admin.id, userId: input.userId, role: input.role, ip: clientIp(ctx) });
      return { redirect: `/console/users/${input.userId}?done=revoke` };
    },
  }),

  setDisabled: formAction({
    input: UserIdSchema.extend({ disabled: z.boolean() }),
    handler: async (input, ctx) => {
      const admin = actionAbility(ctx, 'users.manage');
      await setUserDisabled(await appDb(), { actorId: admin.id, userId: input.userId, disabled: input.disabled, ip: clientIp(ctx) });
      return { redirect: `/console/users/${input.userId}?done=${input.disabled ? 'disable' : 'enable'}` };
    },
  }),

  issueReset: formAction({
    input: UserIdSchema,
    handler: async (input, ctx) => {
      const admin = actionAbility(ctx, 'users.manage');
      const db = await appDb();
      const r = await issueResetToken(db, { actorId: admin.id, userId: input.userId, ip: clientIp(ctx) });
      const link = `${config().siteUrl}/reset/${r.token}`;
      let mailed: 'sent' | 'failed' | 'none' = 'none';
      const smtp = config().smtpUrl;
      if (smtp && r.email) {
        try {
          await sendMail(smtp, {
            to: r.email,
            subject: '善行平台：重置密码链接',
            text: `${r.realName}，您好：\n\n管理员为您生成了重置密码链接，请在 ${formatDateTime(r.expiresAt)} 前打开并设置新密码（仅可使用一次）：\n${link}\n\n如非本人申请，请忽略本邮件并联系县委宣传部。`,
          });
          mailed = 'sent';
        } catch {
          mailed = 'failed';
        }
      }
      return { link, expiresAt: r.expiresAt, mailed };
    },
  }),
};
