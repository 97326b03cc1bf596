// What ArticleView.astro shows besides the article's own columns: the cover, the attachments and the
// honoree, for the public page and for the console preview alike.
import type { Db } from '../../../db/client.ts';
import { mediaByIds } from '../media/index.ts';
import { articleHonoree } from '../honors/public.ts';
import { coverOf } from './feeds.ts';

/** Cover row, attachment rows and the linked honoree (published only) of an article's content. */
export async function articleViewParts(db: Db, c: { coverMediaId: number | null; attachments: number[]; honoreeId: number | null }) {
  return {
    cover: await coverOf(db, c.coverMediaId),
    files: (await mediaByIds(db, c.attachments)).filter((m) => m.kind === 'attachment'),
    honoree: await articleHonoree(db, c.honoreeId),
  };
}
