// Actions for site settings (system administrators): the allow-list of public phone numbers (issue 17.7).
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionAbility, formAction } from '../lib/action-guards.ts';
import { clientIp } from '../lib/client-ip.ts';
import { savePublicPhones } from '../domain/settings/public-phones.ts';
import { POINTS_RATE_FIELDS, savePointsRates } from '../domain/settings/points-rates.ts';

const rate = (key: keyof typeof POINTS_RATE_FIELDS) => {
  const f = POINTS_RATE_FIELDS[key];
  return z
    .number({ error: `请填写${f.label}` })
    .int(`${f.label}应为整数`)
    .min(f.min, `${f.label}不能小于 ${f.min}`)
    .max(f.max, `${f.label}不能大于 ${f.max}`);
};

export const settings = {
  /** Saves the numbers the county publishes on purpose; every line is checked, the list is audited. */
  savePublicPhones: formAction({
    input: z.object({ publicPhones: z.string().max(5000, '内容过长（不超过 5000 字）').default('') }),
    handler: async ({ publicPhones }, ctx) => {
      const admin = actionAbility(ctx, 'settings.manage');
      await savePublicPhones(await appDb(), admin.id, publicPhones, clientIp(ctx));
      return { redirect: '/console/settings?ok=phones' };
    },
  }),
  /** Saves the county's 志愿积分 amounts (hours rate and cap, 好人榜 and 五星 grants), audited. */
  savePointsRates: formAction({
    input: z.object({
      pointsPerHour: rate('pointsPerHour'),
      pointsCapPerRecord: rate('pointsCapPerRecord'),
      pointsForHonor: rate('pointsForHonor'),
      pointsForFiveStar: rate('pointsForFiveStar'),
    }),
    handler: async (input, ctx) => {
      const admin = actionAbility(ctx, 'settings.manage');
      await savePointsRates(await appDb(), admin.id, input, clientIp(ctx));
      return { redirect: '/console/settings?ok=points#points-h' };
    },
  }),
};
