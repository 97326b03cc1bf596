// Actions for site settings (system administrators): the allow-list of public phone numbers (issue 17.7).
import { z } from 'astro/zod';
import { appDb } from '../lib/db.ts';
import { actionAbility, formAction } from '../lib/action-guards.ts';
import { clientIp } from '../lib/client-ip.ts';
import { savePublicPhones } from '../domain/settings/public-phones.ts';

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
};
