// The one gate every free-text field that becomes public goes through, for every content
// type (articles, events, teams, honorees, batches, lectures): personal data as a reader
// would see it (lib/personal-data.ts) and the names of honorees without name consent.
// docs/decisions/078-reader-text-personal-data.md.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { honorees } from '../../db/schema/index.ts';
import { findPersonalData, PII_LABELS, type PersonalDataOptions, type PiiHit } from '../lib/personal-data.ts';
import { Refusal } from './refusal.ts';
import { getSettings } from './settings/index.ts';
import { publicNumberTest } from './settings/public-phones.ts';

/** Field name → its text (a list field, such as tags, is read as its items side by side). */
export type PublicFields = Record<string, string | readonly string[] | null | undefined>;

/** A list field as one text: items joined by spaces, so digits split across tags still read as one number. */
export function fieldText(v: string | readonly string[] | null | undefined): string {
  return Array.isArray(v) ? v.join(' ') : ((v as string | null | undefined) ?? '');
}

/**
 * What every check needs from the database: the full names of people on the honor roll
 * who did not consent to their name being published (any status: a withdrawn child stays
 * a child), and the phone numbers staff publish on purpose (settings, issue 17.7) — the
 * one place for such exceptions, so the scanner and the masker agree everywhere.
 */
export async function publicTextOptions(db: Db, opts: { exceptNames?: readonly string[] } = {}): Promise<PersonalDataOptions> {
  const rows = await db
    .select({ name: honorees.name })
    .from(honorees)
    .where(and(eq(honorees.kind, 'person'), eq(honorees.nameConsent, false)));
  return { names: rows.map((r) => r.name).filter((n) => !opts.exceptNames?.includes(n)), publicNumber: publicNumberTest(await getSettings(db)) };
}

/** Hits in every given field; `markdown` names the fields rendered as Markdown (masked names are escaped there). */
export function publicTextHits(fields: PublicFields, opts: PersonalDataOptions, markdown: readonly string[] = []): PiiHit[] {
  return Object.entries(fields).flatMap(([field, v]) => findPersonalData(fieldText(v), field, { ...opts, markdown: markdown.includes(field) }));
}

/** The Chinese sentence shown next to a field holding a hit. */
export function hitMessage(label: string, h: PiiHit): string {
  if (h.kind === 'name') return `${label}中出现了未同意公开姓名的好人“${h.value}”，公开内容只能写作“${h.masked.replace(/\\/g, '')}”，请修改`;
  return `${label}中含有${PII_LABELS[h.kind]}，个人信息不能公开，请删除或改为遮挡形式（如 ${h.masked}）`;
}

/** Refused: personal data in text that would be published. Names every field with a hit. */
export class PersonalDataInText extends Refusal {
  readonly hits: PiiHit[];
  constructor(hits: PiiHit[], labels: Record<string, string>) {
    const first = hits[0];
    const messages: Record<string, string> = {};
    for (const h of hits) messages[h.field] ??= hitMessage(labels[h.field] ?? h.field, h);
    super('BAD_REQUEST', messages[first.field], first.field);
    this.name = 'PersonalDataInText';
    this.hits = hits;
    this.fieldMessages = messages;
  }
}

/**
 * Refuses with PersonalDataInText when any field would publish a phone, landline, ID or
 * card number, or the name of an honoree without name consent; each field's message
 * goes next to it. `exceptNames`: an honoree's own name in its own entry is masked when
 * shown (honors/public.ts publicHonoree), not refused.
 */
export async function requirePublicText(db: Db, fields: PublicFields, labels: Record<string, string>, opts: { markdown?: readonly string[]; exceptNames?: readonly string[] } = {}): Promise<void> {
  const hits = publicTextHits(fields, await publicTextOptions(db, { exceptNames: opts.exceptNames }), opts.markdown);
  if (hits.length) throw new PersonalDataInText(hits, labels);
}
