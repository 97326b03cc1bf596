-- Issue 17 item 3 (docs/decisions/087): rich-text article bodies. Existing rows keep body_format 'markdown'
-- and render exactly as before through articleBody (src/domain/articles/body.ts), so no data changes here;
-- body_text is written on every save, and search reads it only for 'html' bodies (db/sql/search.sql).
CREATE TABLE `article_slugs` (
	`slug` text PRIMARY KEY NOT NULL,
	`article_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `article_slugs_article` ON `article_slugs` (`article_id`);--> statement-breakpoint
ALTER TABLE `articles` ADD `body_format` text DEFAULT 'markdown' NOT NULL;--> statement-breakpoint
ALTER TABLE `articles` ADD `body_text` text DEFAULT '' NOT NULL;
