CREATE TABLE `points_grants` (
	`id` integer PRIMARY KEY NOT NULL,
	`source_type` text NOT NULL,
	`source_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text DEFAULT 'volunteer' NOT NULL,
	`amount` integer NOT NULL,
	`status` text DEFAULT 'granted' NOT NULL,
	`created_at` integer NOT NULL,
	`reversed_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `points_grants_source` ON `points_grants` (`source_type`,`source_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `shop_managers` (
	`shop_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`granted_by` integer,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`shop_id`, `user_id`),
	FOREIGN KEY (`shop_id`) REFERENCES `shops`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shop_managers_user` ON `shop_managers` (`user_id`);--> statement-breakpoint
CREATE TABLE `shop_stock_movements` (
	`id` integer PRIMARY KEY NOT NULL,
	`item_id` integer NOT NULL,
	`change` integer NOT NULL,
	`kind` text NOT NULL,
	`donor` text,
	`thanks` text,
	`reason` text,
	`actor_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `shop_items`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shop_stock_movements_item` ON `shop_stock_movements` (`item_id`,`id`);--> statement-breakpoint
ALTER TABLE `shop_items` ADD `household_monthly_limit` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `shop_items` ADD `photo_media_id` integer;--> statement-breakpoint
-- Holders of the former global 超市管理员 role keep what they could do: they manage every existing shop (docs/decisions/103).
INSERT INTO `shop_managers` (`shop_id`, `user_id`, `granted_by`, `granted_at`)
SELECT s.`id`, r.`user_id`, r.`granted_by`, CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM `user_roles` r CROSS JOIN `shops` s WHERE r.`role` = 'shop_manager';
--> statement-breakpoint
-- Each existing item's stock becomes its opening movement, so the movements explain every unit from here on.
INSERT INTO `shop_stock_movements` (`item_id`, `change`, `kind`, `donor`, `actor_id`, `created_at`)
SELECT `id`, `stock`, 'initial', `donor`, NULL, `created_at` FROM `shop_items`;