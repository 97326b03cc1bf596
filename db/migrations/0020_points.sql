CREATE TABLE `points_balances` (
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`balance` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`user_id`, `kind`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `points_entries` (
	`id` integer PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text DEFAULT 'volunteer' NOT NULL,
	`amount` integer NOT NULL,
	`reason` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `points_entries_user` ON `points_entries` (`user_id`,`kind`,`id`);--> statement-breakpoint
CREATE INDEX `points_entries_source` ON `points_entries` (`source_type`,`source_id`);--> statement-breakpoint
CREATE TABLE `shop_items` (
	`id` integer PRIMARY KEY NOT NULL,
	`shop_id` integer NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`kind` text DEFAULT 'volunteer' NOT NULL,
	`price` integer NOT NULL,
	`stock` integer DEFAULT 0 NOT NULL,
	`monthly_limit` integer DEFAULT 0 NOT NULL,
	`donor` text,
	`active` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shop_items_shop` ON `shop_items` (`shop_id`,`active`);--> statement-breakpoint
CREATE TABLE `shop_orders` (
	`id` integer PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`user_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`shop_id` integer NOT NULL,
	`kind` text NOT NULL,
	`price` integer NOT NULL,
	`status` text DEFAULT 'reserved' NOT NULL,
	`expires_at` integer NOT NULL,
	`collected_at` integer,
	`collected_by` integer,
	`closed_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `shop_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shop_orders_code` ON `shop_orders` (`code`);--> statement-breakpoint
CREATE INDEX `shop_orders_user` ON `shop_orders` (`user_id`,`item_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `shop_orders_status` ON `shop_orders` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `shops` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`level` text DEFAULT 'county' NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`open_hours` text DEFAULT '' NOT NULL,
	`pickup_days` integer DEFAULT 14 NOT NULL,
	`active` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
-- Points for hours confirmed before this release: one entry per confirmed record at the default rate
-- (10 分 an hour, at most 100 a record); db/sql/points.sql keeps it from here on.
INSERT INTO `points_entries` (`user_id`, `kind`, `amount`, `reason`, `source_type`, `source_id`, `created_at`)
SELECT `user_id`, 'volunteer', min(`minutes` * 10 / 60, 100), '服务时长确认 ' || printf('%g', round(`minutes` / 6.0) / 10.0) || ' 小时', 'hour_record', `id`, CAST(unixepoch('subsec') * 1000 AS INTEGER)
FROM `hour_records` WHERE `status` = 'confirmed' AND `minutes` >= 6;
--> statement-breakpoint
INSERT INTO `points_balances` (`user_id`, `kind`, `balance`)
SELECT `user_id`, `kind`, sum(`amount`) FROM `points_entries` GROUP BY `user_id`, `kind`;
