// Private evidence files, and where public media is used (docs/decisions/076-private-media.md).
// Private files are a different kind of file from the media library: their own table, their own
// folder (UPLOADS_DIR/private), their own route (/files/<name>), never listed to editors.
import { sqliteTable, integer, text, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { createdAt } from './common.ts';

export const privateFiles = sqliteTable('private_files', {
  id: integer('id').primaryKey(),
  /** Random base name (160 bit) under UPLOADS_DIR/private; the only handle a URL carries. */
  fileKey: text('file_key').notNull().unique(),
  /** hour_claim | nomination | lecture | recommendation | service_order: decides who may see the file. */
  purpose: text('purpose').notNull(),
  mime: text('mime').notNull(),
  width: integer('width'),
  height: integer('height'),
  bytes: integer('bytes').notNull(),
  /** JSON array of generated widths (WebP renditions). */
  variants: text('variants').notNull().default('[]'),
  originalName: text('original_name'),
  uploadedBy: integer('uploaded_by'),
  createdAt: createdAt(),
});

/**
 * Which article or honoree entry uses a media-library file, kept by triggers in db/sql/media.sql
 * from the content columns (cover, attachments, body, story). Whether the user of a file is public
 * (a published article, a published honoree or a candidate in 公示) is read when the file is asked for.
 */
export const mediaUses = sqliteTable(
  'media_uses',
  {
    mediaId: integer('media_id').notNull(),
    /** article | honoree */
    subjectType: text('subject_type').notNull(),
    subjectId: integer('subject_id').notNull(),
    /** cover | attachment | body | story */
    role: text('role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.mediaId, t.subjectType, t.subjectId, t.role] }), index('media_uses_subject').on(t.subjectType, t.subjectId)],
);
