// Validation shared by actions, domain and tests (zod, Chinese messages).
import { z } from 'zod';
import { isPlainLine, plainLineError } from '../../lib/plain-text.ts';
import { PERSON_NAME, PERSON_NAME_MESSAGE } from '../accounts/schemas.ts';

/**
 * The name of a family or group (苏明德家庭, 白沙镇“民间河长”护河志愿队): 汉字 with digits, ·, and
 * Chinese quotes and brackets; no markup, Latin or emoji, like people's names (issue 17.5).
 */
export const GROUP_NAME = /^(?=.*\p{Script=Han})[\p{Script=Han}0-9·“”（）《》、]{2,40}$/u;
export const GROUP_NAME_MESSAGE = '名称应为 2–40 个汉字，可含数字、间隔号 ·、中文引号和括号';
/** A person's name, or a family's or group's when it may be one. */
const nameOf = (label: string, group: boolean) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(1, `请填写${label}`)
    // The more precise message first: an invisible control character is named as such.
    .refine(isPlainLine, plainLineError(label))
    .refine((s) => !isPlainLine(s) || PERSON_NAME.test(s) || (group && GROUP_NAME.test(s)), group ? `${label}：${PERSON_NAME_MESSAGE}；家庭或集体${GROUP_NAME_MESSAGE}` : PERSON_NAME_MESSAGE);

/** Characters as people count them (surrogate pairs are one 字). */
export function charCount(s: string): number {
  return [...s].length;
}

const text = (label: string, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(1, `请填写${label}`)
    .refine((s) => charCount(s) <= max, `${label}不能超过 ${max} 字`);
const optText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .refine((s) => charCount(s) <= max, `${label}不能超过 ${max} 字`)
    .optional();
/** A single-line name or title: also free of control, bidi and invisible characters (lib/plain-text.ts). */
const line = (label: string, max: number) => text(label, max).refine(isPlainLine, plainLineError(label));
const optLine = (label: string, max: number) =>
  z
    .string()
    .trim()
    .refine(isPlainLine, plainLineError(label))
    .refine((s) => charCount(s) <= max, `${label}不能超过 ${max} 字`)
    .optional();
const optInt = (label: string) =>
  z
    .number({ error: `${label}应为数字` })
    .int(`${label}应为整数`)
    .positive(`${label}不正确`)
    .optional();
const dateStr = (label: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label}应为 年-月-日 格式`);

export const SUMMARY_MAX = 50;
export const DEEDS_MIN = 50;

/** A batch's editable fields. */
export const BatchSchema = z.object({
  id: optInt('批次编号'),
  title: line('批次名称', 60),
  period: line('期次', 30),
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,40}$/, '网址标识只能用小写字母、数字和连字符（2–41 位）')
    .optional(),
  intro: optText('批次说明', 1000),
});

/** Start of 公示: first and last day (Shanghai calendar days). */
export const PublicitySchema = z
  .object({
    id: z.number({ error: '缺少批次编号' }).int(),
    startDay: dateStr('公示开始日期'),
    endDay: dateStr('公示结束日期'),
  })
  .refine((v) => v.endDay >= v.startDay, { message: '公示结束日期不能早于开始日期', path: ['endDay'] });

/** An honoree entry as editors fill it in. */
export const HonoreeSchema = z
  .object({
    id: optInt('编号'),
    kind: z.enum(['person', 'family', 'group'], { error: '请选择类型（个人、家庭或集体）' }),
    name: nameOf('姓名或名称', true),
    epithet: optLine('称号', 20),
    identity: optLine('身份或职业', 60),
    gender: z.enum(['男', '女'], { error: '性别只能是男或女' }).optional(),
    birthYear: z.number({ error: '出生年份应为数字' }).int('出生年份应为整数').min(1900, '出生年份不正确').max(2100, '出生年份不正确').optional(),
    townId: z.number({ error: '请选择乡镇（街道）' }).int().positive('请选择乡镇（街道）'),
    villageId: optInt('村（社区）'),
    category: line('类别', 20),
    level: line('级别', 10),
    title: optLine('荣誉称号', 40),
    batchId: optInt('批次'),
    summary: z
      .string({ error: '请填写事迹简介' })
      .trim()
      .min(1, '请填写事迹简介')
      .refine(isPlainLine, plainLineError('事迹简介'))
      .refine((s) => charCount(s) <= SUMMARY_MAX, { error: (iss) => `事迹简介不能超过 ${SUMMARY_MAX} 字（现为 ${charCount(String(iss.input))} 字）` }),
    story: optText('事迹全文', 20000),
    photoMediaId: optInt('照片编号'),
    photoConsent: z.boolean().default(false),
    volunteerNo: z.string().trim().max(30, '志愿者编号不正确').optional(),
    laterHonours: optText('后续荣誉', 2000),
    consentBy: optLine('同意人', 40),
    consentAt: dateStr('同意日期').optional(),
    consentMethod: optLine('同意方式', 60),
    guardianConsent: z.boolean().default(false),
    nameConsent: z.boolean().default(false),
    slug: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9-]{1,60}$/, '网址标识只能用小写字母、数字和连字符')
      .optional(),
  })
  .refine((v) => v.kind !== 'person' || PERSON_NAME.test(v.name), { message: `个人${PERSON_NAME_MESSAGE}`, path: ['name'] });
export type HonoreeInput = z.infer<typeof HonoreeSchema>;

/** A public nomination. */
export const NominationSchema = z.object({
  nominatorName: nameOf('您的姓名', false),
  nominatorPhone: z
    .string({ error: '请填写手机号' })
    .trim()
    .regex(/^1[3-9]\d{9}$/, '请填写 11 位手机号'),
  relation: line('与被推荐人的关系', 20),
  nomineeName: nameOf('被推荐人姓名或名称', true),
  townId: z.number({ error: '请选择乡镇（街道）' }).int().positive('请选择乡镇（街道）'),
  villageId: optInt('村（社区）'),
  category: line('推荐类别', 20),
  deeds: z
    .string({ error: '请填写主要事迹' })
    .trim()
    .refine((s) => charCount(s) >= DEEDS_MIN, { error: (iss) => `主要事迹至少 ${DEEDS_MIN} 字（现为 ${charCount(String(iss.input))} 字），请写清时间、地点和经过` })
    .refine((s) => charCount(s) <= 3000, '主要事迹不能超过 3000 字'),
  /** Honeypot: real people never see it. */
  website: z.string().optional(),
});
export type NominationInput = z.infer<typeof NominationSchema>;

/** An objection (异议) during 公示. */
export const ObjectionSchema = z.object({
  honoreeId: z.number({ error: '缺少候选人' }).int().positive('缺少候选人'),
  text: z
    .string({ error: '请填写异议内容' })
    .trim()
    .refine((s) => charCount(s) >= 10, '异议内容至少 10 字，请写明具体事实')
    .refine((s) => charCount(s) <= 2000, '异议内容不能超过 2000 字'),
  contact: optLine('联系方式', 50),
  website: z.string().optional(),
});
