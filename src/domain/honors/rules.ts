// Privacy rules for honorees (PIPL art. 28/31, docs/decisions/041): minors, consent, what may go public.
import { sql, type SQL } from 'drizzle-orm';
import type { honorees } from '../../../db/schema/index.ts';
import { Refusal } from '../refusal.ts';

type H = Pick<typeof honorees.$inferSelect, 'kind' | 'name' | 'birthYear' | 'guardianConsent' | 'consentBy' | 'consentAt' | 'consentMethod'>;

/** A typed domain error; `field` names the form field it concerns, if any. */
const HONOR_STATUS = { not_found: 'NOT_FOUND', conflict: 'CONFLICT', invalid: 'BAD_REQUEST', forbidden: 'FORBIDDEN', rate_limited: 'TOO_MANY_REQUESTS' } as const;

export class HonorError extends Refusal {
  readonly code: keyof typeof HONOR_STATUS;
  constructor(code: HonorError['code'], message: string, field?: string) {
    super(HONOR_STATUS[code], message, field);
    this.name = 'HonorError';
    this.code = code;
  }
}

/** The Shanghai calendar year of an instant. */
export function shanghaiYear(now: number): number {
  return new Date(now + 8 * 3600_000).getUTCFullYear();
}

/**
 * The youngest age a person born in `birthYear` can be at `now`. With only a
 * year we assume the birthday has not come yet, so "possibly 13" counts as under 14.
 */
export function minimumAge(birthYear: number, now: number): number {
  return shanghaiYear(now) - birthYear - 1;
}

/** Whether the honoree may be a minor (under 18) or a child under 14. */
export function ageClass(h: Pick<H, 'kind' | 'birthYear'>, now: number): 'adult' | 'minor' | 'child' {
  if (h.kind !== 'person' || h.birthYear == null) return 'adult';
  const age = minimumAge(h.birthYear, now);
  if (age < 14) return 'child';
  if (age < 18) return 'minor';
  return 'adult';
}

/** Reasons this honoree may not be shown to the public (公示 or 发布); empty when it may. */
export function publicationBlockers(h: H, now: number): string[] {
  const out: string[] = [];
  const cls = ageClass(h, now);
  if (cls === 'child' && !h.guardianConsent) out.push(`${h.name}：未满14周岁，须记录监护人同意后方可公示或发布`);
  else if (cls === 'minor' && !h.guardianConsent) out.push(`${h.name}：未成年人，须记录监护人（法定代理人）同意后方可公示或发布`);
  if (!h.consentBy || !h.consentAt || !h.consentMethod) out.push(`${h.name}：缺少本人（或家庭、集体代表）同意公开的记录（同意人、日期、方式）`);
  return out;
}

/**
 * SQL condition (for honorees aliased `h`) true when a row is blocked from going public.
 * Kept next to publicationBlockers so the guarded statements enforce the same rule.
 */
export function blockedSql(year: number): SQL {
  return sql`(h.kind = 'person' AND h.birth_year IS NOT NULL AND ${year} - h.birth_year - 1 < 18 AND h.guardian_consent = 0)
    OR coalesce(h.consent_by, '') = '' OR coalesce(h.consent_at, '') = '' OR coalesce(h.consent_method, '') = ''`;
}
