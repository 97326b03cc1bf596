CREATE TABLE `stats_lectures` (
	`topic` text NOT NULL,
	`year` text NOT NULL,
	`town_id` integer NOT NULL,
	`sessions` integer DEFAULT 0 NOT NULL,
	`audience` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`topic`, `year`, `town_id`)
);
--> statement-breakpoint
CREATE TABLE `stats_orders` (
	`town_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`month` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`accepted` integer DEFAULT 0 NOT NULL,
	`accepted_on_time` integer DEFAULT 0 NOT NULL,
	`dispatched` integer DEFAULT 0 NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`done_on_time` integer DEFAULT 0 NOT NULL,
	`rated` integer DEFAULT 0 NOT NULL,
	`satisfied` integer DEFAULT 0 NOT NULL,
	`service_visits` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`town_id`, `item_id`, `month`)
);
--> statement-breakpoint
ALTER TABLE `service_orders` ADD `limit_accept_hours` integer;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `limit_dispatch_hours` integer;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `limit_finish_days` integer;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `accept_by` integer;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `dispatch_by` integer;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `finish_by` integer;--> statement-breakpoint
CREATE INDEX `service_orders_accept_due` ON `service_orders` (`status`,`accept_by`);--> statement-breakpoint
CREATE INDEX `service_orders_finish_due` ON `service_orders` (`status`,`finish_by`);--> statement-breakpoint
CREATE INDEX `service_orders_item_done` ON `service_orders` (`item_id`,`done_at`);--> statement-breakpoint
CREATE INDEX `events_status_end` ON `events` (`status`,`ends_at`);
--> statement-breakpoint
-- Orders already placed are held to their item's limits of today: the best record there is of what they were.
UPDATE `service_orders` SET `limit_accept_hours` = i.`accept_hours`, `limit_dispatch_hours` = i.`dispatch_hours`, `limit_finish_days` = i.`finish_days`
FROM `service_items` i WHERE i.`id` = `service_orders`.`item_id`;
--> statement-breakpoint
-- Lectures already delivered (the triggers in db/sql/stats.sql keep the table from here on). The orders'
-- deadlines count working days on the calendar, which SQL cannot: migrateData fills them, then stats_orders.
INSERT INTO `stats_lectures` (`topic`, `year`, `town_id`, `sessions`, `audience`)
SELECT coalesce(json_extract(o.`lecture`, '$.topic'), '') AS t, coalesce(strftime('%Y', (o.`done_at` + 28800000) / 1000, 'unixepoch'), '') AS y, o.`town_id`,
  count(*), coalesce(sum(json_extract(o.`lecture`, '$.audienceActual')), 0)
FROM `service_orders` o JOIN `service_items` i ON i.`id` = o.`item_id`
WHERE i.`kind` = 'lecture' AND o.`status` IN ('done', 'rated') GROUP BY t, y, o.`town_id`;
