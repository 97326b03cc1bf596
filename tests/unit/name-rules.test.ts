// Issue 17/18 loose ends: every person's name follows the one real-name rule (realNameProblem), a
// team's name is plain single-line text. Checked on the schemas the Actions and domain share, so the
// message lands next to the field and nothing is stored.
import { describe, expect, test } from 'vitest';
import { RegisterSchema } from '../../src/domain/accounts/schemas.ts';
import { LectureOrderSchema } from '../../src/domain/legal/lectures.ts';
import { TeamRegistrationSchema } from '../../src/domain/teams/membership.ts';
import { makeIdNumber } from '../../src/lib/id-number.ts';

/** The first message zod gives for `field`, or undefined when the field is accepted. */
function messageFor(schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }, input: unknown, field: string) {
  const r = schema.safeParse(input);
  return r.success ? undefined : r.error!.issues.find((i) => i.path[0] === field)?.message;
}

const year = new Date().getUTCFullYear();
const registration = (birth: string, guardianName: string) => ({
  phone: '13912345678',
  smsCode: '123456',
  password: 'a-long-enough-pass',
  realName: '张小明',
  idType: '居民身份证',
  idNumber: makeIdNumber(birth, 12),
  townId: 1,
  villageId: 2,
  guardianName,
  guardianPhone: '13812345678',
  guardianConsent: true,
  agreeTerms: true,
  agreePrivacy: true,
});

describe('监护人姓名 follows the real-name rule', () => {
  test.each([
    ['a child', `${year - 10}-03-04`],
    ['a 16-year-old', `${year - 16}-03-04`],
  ])('for %s: markup, Latin letters or one character are refused', (_who, birth) => {
    for (const bad of ['<b>王</b>', 'abc', '王', '王1']) expect(messageFor(RegisterSchema, registration(birth, bad), 'guardianName'), bad).toMatch(/^监护人姓名应为/);
    expect(messageFor(RegisterSchema, registration(birth, '张建国'), 'guardianName')).toBeUndefined();
  });
});

const order = (requesterName: string) => ({ topic: '反电信诈骗', townId: 1, villageId: 2, audienceExpected: 30, preferredDates: '12月4日上午', requesterName, requesterPhone: '13812345679' });

describe('普法点单 联系人姓名 follows the real-name rule', () => {
  test.each(['<b>王</b>', 'Mr Wang', '王', '王主任123'])('%s is refused', (bad) => {
    expect(messageFor(LectureOrderSchema, order(bad), 'requesterName')).toMatch(/联系人姓名应为 2–20 个汉字/);
  });
  test.each(['王主任', '阿依·木呷'])('%s is accepted', (good) => {
    expect(messageFor(LectureOrderSchema, order(good), 'requesterName')).toBeUndefined();
  });
  test('empty asks for the name', () => {
    expect(messageFor(LectureOrderSchema, order(''), 'requesterName')).toBe('请填写联系人姓名');
  });
});

const team = (name: string) => ({ name, slug: 'hekou-team', townId: 1, serviceTypes: ['助老助残'], summary: '河口村的志愿者', description: '' });

describe('队伍名称 is plain single-line text', () => {
  test.each(['<b>红马甲</b>志愿队', '红马甲<script>x</script>', '红马甲&lt;队&gt;', '红马甲&#x202E;队伍'])('%s is refused as markup', (bad) => {
    expect(messageFor(TeamRegistrationSchema, team(bad), 'name')).toMatch(/队伍名称只能是文字/);
  });
  test('a hidden character is named', () => {
    expect(messageFor(TeamRegistrationSchema, team('红马甲\u202E志愿队'), 'name')).toMatch(/文字方向控制符 U\+202E/);
  });
  test.each(['城关镇红马甲志愿服务队', 'A&B 青年志愿队', '爱心·启航志愿队', '3<5 少年队'])('%s is accepted', (good) => {
    expect(messageFor(TeamRegistrationSchema, team(good), 'name')).toBeUndefined();
  });
});
