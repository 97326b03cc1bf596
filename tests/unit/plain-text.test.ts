// Issue 15, item 15: one rule for names and titles — no control, bidi-override or invisible characters —
// applied by every schema that takes a single-line name or title; events only in a sane range of years.
import { describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { describeHidden, isPlainLine, isPlainText, stripMarkup } from '../../src/lib/plain-text.ts';
import { TeamRegistrationSchema } from '../../src/domain/teams/membership.ts';
import { EventFields, EventInputSchema } from '../../src/domain/events/manage.ts';
import { BatchSchema, HonoreeSchema, NominationSchema } from '../../src/domain/honors/schemas.ts';
import { ArticleContentSchema } from '../../src/domain/articles/editing.ts';
import { LectureOrderSchema } from '../../src/domain/legal/lectures.ts';
import { toDateTimeLocal } from '../../src/lib/time.ts';

const RLO = '\u202E';

describe('isPlainLine', () => {
  test.each([
    ['城关镇红马甲志愿服务队', true],
    ['阿依古丽·买买提', true],
    ['𠀀𪚥 rare characters', true],
    ['❤️ 爱心车队 (emoji with variation selector)', true],
    ['全角　空格', true],
    [`abc${RLO}fed`, false],
    ['LRE \u202A', false],
    ['PDF \u202C', false],
    ['LRI \u2066', false],
    ['PDI \u2069', false],
    ['LRM \u200E', false],
    ['RLM \u200F', false],
    ['ALM \u061C', false],
    ['zero width \u200B', false],
    ['ZWJ \u200D', false],
    ['word joiner \u2060', false],
    ['BOM \uFEFF inside', false],
    ['soft\u00ADhyphen', false],
    ['Hangul filler \u3164', false],
    ['tag \u{E0041}', false],
    ['NUL \u0000', false],
    ['tab\tinside', false],
    ['new\nline', false],
    ['DEL \u007F', false],
    ['C1 \u0085', false],
    ['line sep \u2028', false],
  ])('%j → %s', (s, ok) => {
    expect(isPlainLine(s)).toBe(ok);
  });

  test('multi-line text keeps line breaks and tabs but not bidi or zero-width characters', () => {
    expect(isPlainText('第一行\n第二行\r\n\t缩进')).toBe(true);
    expect(isPlainText(`第一行\n${RLO}第二行`)).toBe(false);
    expect(isPlainText('a\u200Bb')).toBe(false);
  });

  test('names the character it found', () => {
    expect(describeHidden(`活动${RLO}名称`)).toBe('文字方向控制符 U+202E');
    expect(describeHidden('a\u200Bb')).toBe('零宽字符 U+200B');
    expect(describeHidden('ok')).toBeNull();
  });
});

/** The first issue's message for a field, or null when the field is accepted. */
function fieldError(schema: z.ZodType, value: Record<string, unknown>, field: string): string | null {
  const r = schema.safeParse(value);
  if (r.success) return null;
  return r.error.issues.find((i) => i.path[0] === field)?.message ?? null;
}

const team = { name: '城关镇红马甲志愿服务队', slug: 'red-vest', townId: 1, serviceTypes: ['环境保护'], summary: '服务社区的志愿者队伍' };
const now = Date.now();
const ev = { title: '社区清扫', category: '环境保护', startsAt: toDateTimeLocal(now + 86400_000), endsAt: toDateTimeLocal(now + 90000_000), capacity: 10 };
const honoree = { kind: 'person', name: '王秀英', townId: 1, category: '助人为乐', level: '县级', summary: '照顾孤寡老人十年' };
const batch = { title: '2026年第二季度', period: '2026Q2' };
const nomination = { nominatorName: '李四', nominatorPhone: '13800000000', relation: '邻居', nomineeName: '王秀英', townId: 1, category: '助人为乐', deeds: '事'.repeat(60) };
const article = { title: '文明实践进社区', channel: 'news' };
const lecture = { topic: '民法典', townId: 1, villageId: 2, audienceExpected: 30, preferredDates: '12月4日上午', requesterName: '张三', requesterPhone: '13800000000' };

describe('every single-line name and title refuses a bidi override, next to its field, in Chinese', () => {
  test.each([
    ['team name', TeamRegistrationSchema, team, 'name'],
    ['team summary', TeamRegistrationSchema, team, 'summary'],
    ['event title', EventFields, ev, 'title'],
    ['event address', EventFields, { ...ev, address: '村委会' }, 'address'],
    ['honoree name', HonoreeSchema, honoree, 'name'],
    ['honoree epithet', HonoreeSchema, { ...honoree, epithet: '豆芽奶奶' }, 'epithet'],
    ['honoree deed summary', HonoreeSchema, honoree, 'summary'],
    ['batch name', BatchSchema, batch, 'title'],
    ['nominee name', NominationSchema, nomination, 'nomineeName'],
    ['nominator name', NominationSchema, nomination, 'nominatorName'],
    ['article title', ArticleContentSchema, article, 'title'],
    ['article author', ArticleContentSchema, { ...article, author: '县文明办' }, 'author'],
    ['lecture contact name', LectureOrderSchema, lecture, 'requesterName'],
  ] as const)('%s', (_name, schema, valid, field) => {
    expect(fieldError(schema, valid, field)).toBeNull();
    const value = String((valid as Record<string, unknown>)[field]);
    const spoofed = { ...valid, [field]: `${value.slice(0, 1)}${RLO}${value.slice(1)}` };
    expect(fieldError(schema, spoofed, field)).toMatch(/含有看不见的文字方向控制符 U\+202E，请删除后重新输入$/);
  });
});

describe('event times stay in a sane range', () => {
  test.each([
    ['0001-06-01T09:00', '开始时间不能早于 2000 年，请检查年份'],
    ['1999-12-31T23:59', '开始时间不能早于 2000 年，请检查年份'],
    ['9999-06-01T09:00', '开始时间最多可安排在两年以内，请检查年份'],
  ])('start %s is refused', (startsAt, message) => {
    expect(fieldError(EventInputSchema, { ...ev, startsAt }, 'startsAt')).toBe(message);
  });

  test('sign-up windows too', () => {
    expect(fieldError(EventInputSchema, { ...ev, signupOpensAt: '0001-01-01T00:00' }, 'signupOpensAt')).toBe('报名开始时间不能早于 2000 年，请检查年份');
  });

  test('a past event of 2001 and one a year ahead are fine', () => {
    expect(EventInputSchema.safeParse({ ...ev, startsAt: '2001-03-05T09:00', endsAt: '2001-03-05T11:00' }).success).toBe(true);
    expect(EventInputSchema.safeParse({ ...ev, startsAt: toDateTimeLocal(now + 365 * 86400_000), endsAt: toDateTimeLocal(now + 366 * 86400_000) }).success).toBe(true);
  });

  test('a team founded in year 0001 or tomorrow is refused', () => {
    expect(fieldError(TeamRegistrationSchema, { ...team, foundedOn: '0001-01-01' }, 'foundedOn')).toContain('成立日期不正确');
    expect(fieldError(TeamRegistrationSchema, { ...team, foundedOn: '2026-02-30' }, 'foundedOn')).toContain('成立日期不正确');
    expect(fieldError(TeamRegistrationSchema, { ...team, foundedOn: toDateTimeLocal(now + 2 * 86400_000).slice(0, 10) }, 'foundedOn')).toContain('成立日期不正确');
    expect(fieldError(TeamRegistrationSchema, { ...team, foundedOn: '2015-06-01' }, 'foundedOn')).toBeNull();
  });
});

describe('stripMarkup: pasted markup never prints literally (issue 19 item 2)', () => {
  test.each([
    ['<b>用于升学</b>', '用于升学'],
    ['<b>用于升学</b>&amp;评优', '用于升学&评优'],
    ['学校<br/>社会实践', '学校社会实践'],
    ['<!-- x -->评优', '评优'],
    ['3 < 5 且 6 > 4', '3 < 5 且 6 > 4'],
    ['方向&#x202E;控制', '方向控制'],
    ['  多  余   空格 ', '多 余 空格'],
  ])('%j → %j', (input, plain) => {
    expect(stripMarkup(input)).toBe(plain);
  });
});
