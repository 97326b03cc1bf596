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
CREATE TABLE `stats_orders` (
	`town_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`month` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`accepted_on_time` integer DEFAULT 0 NOT NULL,
	`accepted` integer DEFAULT 0 NOT NULL,
	`dispatched` integer DEFAULT 0 NOT NULL,
	`done_on_time` integer DEFAULT 0 NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`satisfied` integer DEFAULT 0 NOT NULL,
	`rated` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`town_id`, `item_id`, `month`)
);
--> statement-breakpoint
CREATE TABLE `stats_volunteers_town` (
	`town_id` integer PRIMARY KEY NOT NULL,
	`n` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `stats_volunteers_town` (`town_id`, `n`)
SELECT coalesce(u.`town_id`, 0), count(*) FROM `users` u
WHERE u.`status` = 'active' AND NOT EXISTS (SELECT 1 FROM `user_roles` r WHERE r.`user_id` = u.`id` AND r.`role` IN ('editor', 'reviewer', 'admin'))
GROUP BY coalesce(u.`town_id`, 0);
--> statement-breakpoint
INSERT INTO `stats_events_category` (`category`, `n`)
SELECT `category`, count(*) FROM `events` WHERE `status` IN ('published', 'completed') GROUP BY `category`;
--> statement-breakpoint
INSERT INTO `stats_honorees` (`category`, `year`, `n`)
SELECT `category`, strftime('%Y', coalesce(`published_at`, `created_at`) / 1000 + 28800, 'unixepoch') AS y, count(*) FROM `honorees` WHERE `status` = 'published' GROUP BY `category`, y;
--> statement-breakpoint
INSERT INTO `stats_orders` (`town_id`, `item_id`, `month`, `orders`, `accepted_on_time`, `accepted`, `dispatched`, `done_on_time`, `done`, `satisfied`, `rated`)
SELECT o.`town_id`, o.`item_id`, strftime('%Y-%m', (o.`created_at` / 1000) + 8 * 3600, 'unixepoch') AS m, count(*),
  sum(o.`accepted_at` IS NOT NULL AND o.`accepted_at` <= o.`created_at` + i.`accept_hours` * 3600000),
  sum(o.`accepted_at` IS NOT NULL), sum(o.`dispatched_at` IS NOT NULL),
  sum(o.`dispatched_at` IS NOT NULL AND o.`done_at` IS NOT NULL AND o.`done_at` <= o.`created_at` + i.`finish_days` * 86400000),
  sum(o.`dispatched_at` IS NOT NULL AND o.`done_at` IS NOT NULL), sum(coalesce(o.`rating` >= 4, 0)), sum(o.`rating` IS NOT NULL)
FROM `service_orders` o JOIN `service_items` i ON i.`id` = o.`item_id`
GROUP BY o.`town_id`, o.`item_id`, m;
--> statement-breakpoint
CREATE INDEX `hours_time` ON `hour_records` (`starts_at`);
