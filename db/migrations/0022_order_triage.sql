CREATE TABLE `order_rating_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`order_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `order_rating_links_order` ON `order_rating_links` (`order_id`);--> statement-breakpoint
CREATE TABLE `work_calendar` (
	`day` text PRIMARY KEY NOT NULL,
	`working` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`updated_by` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `user_roles` ADD `town_id` integer;--> statement-breakpoint
ALTER TABLE `service_items` ADD `value_cap` integer;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `estimated_value` integer;--> statement-breakpoint
UPDATE `service_items` SET `value_cap` = 200 WHERE `individual` = 1;--> statement-breakpoint
INSERT OR IGNORE INTO `work_calendar` (`day`, `working`, `note`, `updated_at`) VALUES
('2026-01-01', 0, '元旦', 1796320022000),
('2026-01-02', 0, '元旦', 1796320022000),
('2026-01-04', 1, '元旦调休上班', 1796320022000),
('2026-02-14', 1, '春节调休上班', 1796320022000),
('2026-02-16', 0, '春节', 1796320022000),
('2026-02-17', 0, '春节', 1796320022000),
('2026-02-18', 0, '春节', 1796320022000),
('2026-02-19', 0, '春节', 1796320022000),
('2026-02-20', 0, '春节', 1796320022000),
('2026-02-23', 0, '春节', 1796320022000),
('2026-02-28', 1, '春节调休上班', 1796320022000),
('2026-04-06', 0, '清明节', 1796320022000),
('2026-05-01', 0, '劳动节', 1796320022000),
('2026-05-04', 0, '劳动节', 1796320022000),
('2026-05-05', 0, '劳动节', 1796320022000),
('2026-05-09', 1, '劳动节调休上班', 1796320022000),
('2026-06-19', 0, '端午节', 1796320022000),
('2026-09-20', 1, '国庆节调休上班', 1796320022000),
('2026-09-25', 0, '中秋节', 1796320022000),
('2026-10-01', 0, '国庆节', 1796320022000),
('2026-10-02', 0, '国庆节', 1796320022000),
('2026-10-05', 0, '国庆节', 1796320022000),
('2026-10-06', 0, '国庆节', 1796320022000),
('2026-10-07', 0, '国庆节', 1796320022000),
('2026-10-10', 1, '国庆节调休上班', 1796320022000);
