CREATE TABLE `stats_events_category` (
	`category` text PRIMARY KEY NOT NULL,
	`n` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `stats_honorees` (
	`category` text NOT NULL,
	`year` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`category`, `year`)
);
--> statement-breakpoint
CREATE TABLE `stats_volunteers_town` (
	`town_id` integer PRIMARY KEY NOT NULL,
	`n` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `stats_volunteers_town` (`town_id`, `n`)
SELECT coalesce(u.`town_id`, 0), count(*) FROM `users` u
WHERE u.`status` = 'active' AND NOT EXISTS (SELECT 1 FROM `user_roles` r WHERE r.`user_id` = u.`id` AND r.`role` IN ('editor', 'reviewer', 'admin', 'shop_manager'))
GROUP BY coalesce(u.`town_id`, 0);
--> statement-breakpoint
INSERT INTO `stats_events_category` (`category`, `n`)
SELECT `category`, count(*) FROM `events` WHERE `status` IN ('published', 'completed') GROUP BY `category`;
--> statement-breakpoint
INSERT INTO `stats_honorees` (`category`, `year`, `n`)
SELECT `category`, strftime('%Y', coalesce(`published_at`, `created_at`) / 1000 + 28800, 'unixepoch') AS y, count(*) FROM `honorees` WHERE `status` = 'published' GROUP BY `category`, y;
--> statement-breakpoint
CREATE INDEX `hours_time` ON `hour_records` (`starts_at`);
