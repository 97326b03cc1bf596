// Turning an honoree row into form values (strings) for the editor's form.
import type { HonoreeRow } from './admin.ts';
import { parseJsonOr } from '../../lib/json.ts';

/** Form values and checkbox states for an honoree row (plus the linked volunteer number). */
export function honoreeFormValues(h: HonoreeRow & { volunteerNo?: string | null }) {
  const later = parseJsonOr<string[]>(h.laterHonours, []);
  const s = (x: unknown) => (x == null ? '' : String(x));
  return {
    values: {
      id: s(h.id),
      kind: h.kind,
      name: h.name,
      epithet: s(h.epithet),
      identity: h.identity,
      gender: s(h.gender),
      birthYear: s(h.birthYear),
      townId: s(h.townId),
      villageId: s(h.villageId),
      category: h.category,
      level: h.level,
      title: h.title,
      batchId: s(h.batchId),
      summary: h.summary,
      story: h.story,
      laterHonours: later.join('\n'),
      photoMediaId: s(h.photoMediaId),
      volunteerNo: s(h.volunteerNo),
      consentBy: s(h.consentBy),
      consentAt: s(h.consentAt),
      consentMethod: s(h.consentMethod),
      slug: h.slug,
    } as Record<string, string>,
    checks: { nameConsent: h.nameConsent, photoConsent: h.photoConsent, guardianConsent: h.guardianConsent },
  };
}

export const FORM_FIELDS = [
  'id',
  'kind',
  'name',
  'epithet',
  'identity',
  'gender',
  'birthYear',
  'townId',
  'villageId',
  'category',
  'level',
  'title',
  'batchId',
  'summary',
  'story',
  'laterHonours',
  'photoMediaId',
  'volunteerNo',
  'consentBy',
  'consentAt',
  'consentMethod',
  'slug',
];
