// Refusals of the articles capability, in Chinese (formAction turns them into ActionErrors, docs/decisions/075).
import { Refusal } from '../refusal.ts';
import { PersonalDataInText } from '../public-text.ts';
import { articleFieldLabel, type PiiHit } from './personal-data.ts';

/** A problem the user can fix, in Chinese. */
export class ArticleError extends Refusal {
  readonly code: 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST';
  constructor(code: ArticleError['code'], message: string, field?: string) {
    super(code, message, field);
    this.name = 'ArticleError';
    this.code = code;
  }
}

/** Submission blocked by personal data; `hits` lists each one found, and each field's message goes next to it. */
export class PersonalDataFound extends PersonalDataInText {
  constructor(hits: PiiHit[]) {
    super(hits, Object.fromEntries(hits.map((h) => [h.field, articleFieldLabel(h.field)])));
    this.name = 'PersonalDataFound';
  }
}
