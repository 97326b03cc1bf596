// Key/value settings (JSON values) and cache versions shared by all processes.
import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core';

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Monotonic version numbers; bumping one invalidates caches in every process. */
export const cacheVersions = sqliteTable('cache_versions', {
  scope: text('scope').primaryKey(),
  version: integer('version').notNull().default(0),
});

/** Static pages (关于我们, 隐私政策, 用户协议) loaded from content/pages. */
export const pages = sqliteTable('pages', {
  slug: text('slug').primaryKey(),
  title: text('title').notNull(),
  version: text('version').notNull(),
  body: text('body').notNull(),
  updatedOn: text('updated_on').notNull(),
});
