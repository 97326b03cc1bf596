// Zod schemas for account forms, shared by actions, domain, scripts and tests (Chinese messages).
import { z } from 'zod';
import { ageOn, parseIdNumber } from '../../lib/id-number.ts';
import { isCommonPassword } from './common-passwords.ts';
import { isPlainLine, plainLineError } from '../../lib/plain-text.ts';

export const ID_TYPES = ['居民身份证', '港澳台居民居住证', '护照'] as const;
export type IdType = (typeof ID_TYPES)[number];

/** Mainland mobile number. */
export const PhoneSchema = z
  .string({ error: '请填写手机号码' })
  .trim()
  .regex(/^1[3-9]\d{9}$/, '请输入 11 位中国大陆手机号码，如 13812341234');

/** The 6-digit code from a verification SMS. */
export const SmsCodeSchema = z
  .string({ error: '请填写短信验证码' })
  .trim()
  .regex(/^\d{6}$/, '请输入短信中的 6 位数字验证码');

/** A new password: ≥ 8 characters, any characters, not on the common list. */
export const NewPasswordSchema = z
  .string({ error: '请设置密码' })
  .min(8, '密码至少需要 8 个字符')
  .max(128, '密码不能超过 128 个字符')
  .refine((p) => !isCommonPassword(p), '该密码过于常见，容易被猜中，请换一个');

/** Documents whose holders may carry a name in Latin letters (issue 18, item 6: a passport holder was offered 护照, then refused by "2–20 个汉字"). */
const LATIN_NAME_DOCUMENTS: ReadonlySet<string> = new Set(['护照', '港澳台居民居住证']);
const HAN_NAME = /^\p{Script=Han}[\p{Script=Han}·]{0,18}\p{Script=Han}$/u;
/** A person's name in 汉字 (2–20, · for names of ethnic minorities): nominators and honorees, who give no ID document. */
export const PERSON_NAME = HAN_NAME;
export const PERSON_NAME_MESSAGE = '姓名应为 2–20 个汉字（少数民族姓名可用间隔号 ·）';
const LATIN_NAME = /^\p{Script=Latin}[\p{Script=Latin} ·-]{0,38}\p{Script=Latin}$/u;

/** A name as typed, with runs of spaces made one (Latin names are compared and stored that way). */
export function normaliseRealName(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}

/**
 * The one rule for a person's real name, by ID document: 2–20 汉字 (· for names of ethnic minorities)
 * for everyone; for 护照 and 港澳台居民居住证 also 2–40 Latin letters with spaces, · and hyphens.
 * Returns the Chinese message, or null when the name is acceptable.
 */
export function realNameProblem(name: string, idType: string = '居民身份证'): string | null {
  const n = normaliseRealName(name);
  if (!n) return '请填写真实姓名';
  if (HAN_NAME.test(n)) return null;
  if (LATIN_NAME_DOCUMENTS.has(idType)) {
    return LATIN_NAME.test(n) ? null : '姓名应与证件一致：2–20 个汉字，或 2–40 个拉丁字母（可含空格、间隔号 ·、连字符 -）';
  }
  return '姓名应为 2–20 个汉字（少数民族姓名可用间隔号 ·）；持护照或港澳台居民居住证的，请先选择对应的证件类型';
}

/** A real name where no ID document is given (staff accounts made by script): the 居民身份证 rule. */
export const RealNameSchema = z
  .string({ error: '请填写真实姓名' })
  .trim()
  .refine((n) => realNameProblem(n) === null, '姓名应为 2–20 个汉字（少数民族姓名可用间隔号 ·）');

const IdTypeSchema = z.enum(ID_TYPES, { error: '请选择证件类型' });

/** Checks an ID document; returns the normalised number with birth date/sex when the number carries them, or a Chinese message. */
export function checkIdDocument(idType: string, raw: string, now = new Date()): { ok: true; idNumber: string; birthDate?: string; gender?: '男' | '女' } | { ok: false; message: string } {
  const id = raw.replace(/\s+/g, '').toUpperCase();
  if (idType === '护照') {
    if (/^[EGDSP]\d{8}$/.test(id) || /^E[A-Z]\d{7}$/.test(id) || /^[A-Z]{1,2}[A-Z0-9]{3,16}$/.test(id)) return { ok: true, idNumber: id };
    return { ok: false, message: '护照号码格式不正确（如 E12345678，或 5–17 位字母与数字）' };
  }
  const label = idType === '港澳台居民居住证' ? '居住证号码' : '身份证号码';
  if (idType === '港澳台居民居住证' && !/^8[123]/.test(id)) return { ok: false, message: '港澳台居民居住证号码应为以 81、82 或 83 开头的 18 位号码' };
  const parsed = parseIdNumber(id, now);
  if (!parsed.ok) {
    const messages = {
      format: `${label}应为 18 位（最后一位可以是 X）`,
      birth: `${label}中的出生日期不存在，请核对`,
      future: `${label}中的出生日期晚于今天，请核对`,
      checksum: `${label}校验位不正确，请核对后重新输入`,
    };
    return { ok: false, message: idType === '居民身份证' && parsed.problem === 'checksum' ? '身份证号码校验位不正确，请核对后重新输入' : messages[parsed.problem] };
  }
  return { ok: true, idNumber: parsed.normalised, birthDate: parsed.info.birthDate, gender: parsed.info.gender };
}

/** Which consent a person of this age needs (PIPL art. 31). */
export function minorStatus(birthDate: string, now = new Date()): 'child' | 'minor' | 'adult' {
  const age = ageOn(birthDate, now);
  return age < 14 ? 'child' : age < 18 ? 'minor' : 'adult';
}

const checkbox = (message: string) => z.boolean().refine((v) => v, message);

/** The registration form. Cross-field rules (ID checks, guardian consent) in the superRefine. */
export const RegisterSchema = z
  .object({
    phone: PhoneSchema,
    smsCode: SmsCodeSchema,
    password: NewPasswordSchema,
    // Checked against the chosen document in the superRefine below (one rule: realNameProblem).
    realName: z.string({ error: '请填写真实姓名' }).trim().min(1, '请填写真实姓名').max(60, '姓名过长，请核对').transform(normaliseRealName),
    idType: IdTypeSchema,
    idNumber: z.string({ error: '请填写证件号码' }).trim().min(1, '请填写证件号码').max(40, '证件号码过长'),
    /** Only for passports, whose number carries no birth date. */
    birthDate: z.string().trim().optional(),
    townId: z.number({ error: '请选择所在乡镇/街道' }).int(),
    villageId: z.number({ error: '请选择所在村/社区' }).int(),
    skills: z.array(z.string().max(20)).max(30).default([]),
    email: z.union([z.literal(''), z.email('邮箱格式不正确')]).optional(),
    guardianName: z.string().trim().refine(isPlainLine, plainLineError('监护人姓名')).max(20).optional(),
    guardianPhone: z.string().trim().optional(),
    guardianConsent: z.boolean().default(false),
    publishConsent: z.boolean().default(false),
    agreeTerms: checkbox('请阅读并同意《用户协议》'),
    agreePrivacy: checkbox('请阅读并同意《隐私政策》'),
  })
  .superRefine(
    (v, ctx) => {
      if (typeof v.realName === 'string' && v.realName) {
        const problem = realNameProblem(v.realName, typeof v.idType === 'string' ? v.idType : '居民身份证');
        if (problem) ctx.addIssue({ code: 'custom', path: ['realName'], message: problem });
      }
      if (typeof v.idType !== 'string' || typeof v.idNumber !== 'string' || !v.idNumber) return;
      const doc = checkIdDocument(v.idType, v.idNumber);
      if (!doc.ok) {
        ctx.addIssue({ code: 'custom', path: ['idNumber'], message: doc.message });
        return;
      }
      let birth = doc.birthDate;
      if (!birth) {
        const b = typeof v.birthDate === 'string' ? v.birthDate : '';
        const d = /^\d{4}-\d{2}-\d{2}$/.test(b) ? new Date(`${b}T00:00:00Z`) : null;
        if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== b || d.getTime() > Date.now() || d.getUTCFullYear() < 1900) {
          ctx.addIssue({ code: 'custom', path: ['birthDate'], message: '使用护照注册时请填写真实的出生日期' });
          return;
        }
        birth = b;
      }
      const status = minorStatus(birth);
      // A guardian's name, whenever one is kept (any minor), follows the one real-name rule: it is
      // stored with the consent and printed on what the county files.
      const guardianProblem = status !== 'adult' && v.guardianName ? realNameProblem(v.guardianName, v.idType) : null;
      if (guardianProblem) ctx.addIssue({ code: 'custom', path: ['guardianName'], message: `监护人${guardianProblem}` });
      if (status === 'child') {
        if (!v.guardianName) {
          ctx.addIssue({ code: 'custom', path: ['guardianName'], message: '未满 14 周岁需填写监护人真实姓名' });
        }
        if (!v.guardianPhone || !/^1[3-9]\d{9}$/.test(v.guardianPhone)) {
          ctx.addIssue({ code: 'custom', path: ['guardianPhone'], message: '未满 14 周岁需填写监护人手机号码' });
        }
        if (!v.guardianConsent) ctx.addIssue({ code: 'custom', path: ['guardianConsent'], message: '未满 14 周岁需监护人同意后方可注册' });
      } else if (status === 'minor' && !v.guardianConsent) {
        ctx.addIssue({ code: 'custom', path: ['guardianConsent'], message: '未满 18 周岁需法定代理人同意后方可注册' });
      }
    },
    { when: () => true },
  );

export type RegisterInput = z.output<typeof RegisterSchema>;

export const LoginSchema = z.object({
  // A schema-level `error` is also zod's message for every check without its own: a 5,000-digit phone
  // was told "请填写手机号码" (issue 18, item 6). Each limit says what is wrong.
  phone: z.string({ error: '请填写手机号码' }).trim().max(20, '手机号码应为 11 位数字，请核对'),
  password: z.string({ error: '请输入密码' }).max(256, '密码不能超过 256 个字符，请核对'),
  next: z.string().max(500).optional(),
});

export const ProfileSchema = z.object({
  townId: z.number({ error: '请选择所在乡镇/街道' }).int(),
  villageId: z.number({ error: '请选择所在村/社区' }).int(),
  skills: z.array(z.string().max(20)).max(30).default([]),
  email: z.union([z.literal(''), z.email('邮箱格式不正确')]).optional(),
  publishConsent: z.boolean().default(false),
});

export const ChangePasswordSchema = z
  .object({
    current: z.string({ error: '请输入当前密码' }).max(256, '密码不能超过 256 个字符，请核对'),
    password: NewPasswordSchema,
    confirm: z.string({ error: '请再次输入新密码' }),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: '两次输入的新密码不一致' });

export const ResetPasswordSchema = z
  .object({
    token: z.string().max(100),
    password: NewPasswordSchema,
    confirm: z.string({ error: '请再次输入新密码' }),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: '两次输入的新密码不一致' });

/** 忘记密码 by SMS: the phone, the code sent to it and the new password twice. */
export const SmsResetSchema = z
  .object({
    phone: PhoneSchema,
    smsCode: SmsCodeSchema,
    password: NewPasswordSchema,
    confirm: z.string({ error: '请再次输入新密码' }),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: '两次输入的新密码不一致' });

/** A new phone number for the signed-in account, its code, and the current password. */
export const ChangePhoneSchema = z.object({
  phone: PhoneSchema,
  smsCode: SmsCodeSchema,
  password: z.string({ error: '请输入当前密码' }).max(256),
});
