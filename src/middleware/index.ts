// Every rendered request passes these, outermost first (docs/architecture.md "Request path",
// docs/decisions/085). Each does one job; the order is ours, stated here, not Astro's: its own
// origin check is off (astro.config.mjs) because it answered before any of these ran.
import '../lib/zod-zh.ts';
import { sequence } from 'astro:middleware';
import { logRequest } from './log-request.ts';
import { securityHeaders } from './security-headers.ts';
import { sameOrigin } from './same-origin.ts';
import { session } from './session.ts';
import { largeType } from './large-type.ts';
import { explainActionRefusals } from './action-refusals.ts';
import { formActions } from './form-actions.ts';

export const onRequest = sequence(
  logRequest, // outermost: times and logs every answer below, refusals and faults included
  securityHeaders, // on every answer below, the refusals of sameOrigin included
  sameOrigin, // before anything reads the session or runs an Action
  session,
  largeType,
  explainActionRefusals,
  formActions, // last: Astro's own action step runs right after it, inside next()
);
