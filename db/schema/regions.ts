// County → 乡镇/街道 → 村/社区 → 网格.
import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';

export const regions = sqliteTable(
  'regions',
  {
    id: integer('id').primaryKey(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    /** county | town | village | grid */
    level: text('level').notNull(),
    /** 县 / 镇 / 乡 / 街道 / 村 / 社区 / 网格 */
    kind: text('kind').notNull(),
    parentId: integer('parent_id'),
    sort: integer('sort').notNull().default(0),
  },
  (t) => [index('regions_parent').on(t.parentId, t.sort)],
);
