CREATE TABLE `household_approvals` (
	`entry_id` integer NOT NULL,
	`assessor_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`entry_id`, `assessor_id`),
	FOREIGN KEY (`entry_id`) REFERENCES `household_entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assessor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `household_entries` (
	`id` integer PRIMARY KEY NOT NULL,
	`household_id` integer NOT NULL,
	`village_id` integer NOT NULL,
	`item_id` integer,
	`title` text NOT NULL,
	`category` text NOT NULL,
	`amount` integer NOT NULL,
	`source` text NOT NULL,
	`entered_by` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`photo_file_id` integer,
	`month` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`approvals` integer DEFAULT 0 NOT NULL,
	`decided_at` integer,
	`posted_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`household_id`) REFERENCES `households`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `scoring_items`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `household_entries_household` ON `household_entries` (`household_id`,`id`);--> statement-breakpoint
CREATE INDEX `household_entries_village_month` ON `household_entries` (`village_id`,`month`,`status`);--> statement-breakpoint
CREATE TABLE `household_members` (
	`id` integer PRIMARY KEY NOT NULL,
	`household_id` integer NOT NULL,
	`name` text NOT NULL,
	`relation` text NOT NULL,
	`user_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`household_id`) REFERENCES `households`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `household_members_user` ON `household_members` (`user_id`);--> statement-breakpoint
CREATE INDEX `household_members_household` ON `household_members` (`household_id`);--> statement-breakpoint
CREATE TABLE `household_objections` (
	`id` integer PRIMARY KEY NOT NULL,
	`entry_id` integer NOT NULL,
	`reason` text NOT NULL,
	`phone_masked` text,
	`phone_enc` text,
	`ip_hash` text,
	`status` text DEFAULT 'open' NOT NULL,
	`resolved_by` integer,
	`resolved_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`entry_id`) REFERENCES `household_entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `household_objections_entry` ON `household_objections` (`entry_id`,`status`);--> statement-breakpoint
CREATE TABLE `household_points_balances` (
	`household_id` integer PRIMARY KEY NOT NULL,
	`balance` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`household_id`) REFERENCES `households`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `household_points_entries` (
	`id` integer PRIMARY KEY NOT NULL,
	`household_id` integer NOT NULL,
	`amount` integer NOT NULL,
	`reason` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`household_id`) REFERENCES `households`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `household_points_entries_household` ON `household_points_entries` (`household_id`,`id`);--> statement-breakpoint
CREATE INDEX `household_points_entries_source` ON `household_points_entries` (`source_type`,`source_id`);--> statement-breakpoint
CREATE TABLE `household_shop_orders` (
	`order_id` integer PRIMARY KEY NOT NULL,
	`household_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `shop_orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`household_id`) REFERENCES `households`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `household_shop_orders_household` ON `household_shop_orders` (`household_id`,`item_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `households` (
	`id` integer PRIMARY KEY NOT NULL,
	`village_id` integer NOT NULL,
	`number` text NOT NULL,
	`head_name` text NOT NULL,
	`phone_enc` text,
	`phone_masked` text,
	`name_consent` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`village_id`) REFERENCES `regions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `households_village_number` ON `households` (`village_id`,`number`);--> statement-breakpoint
CREATE INDEX `households_village` ON `households` (`village_id`,`active`);--> statement-breakpoint
CREATE TABLE `scoring_items` (
	`id` integer PRIMARY KEY NOT NULL,
	`village_id` integer,
	`direction` text NOT NULL,
	`category` text NOT NULL,
	`title` text NOT NULL,
	`points` integer NOT NULL,
	`active` integer DEFAULT 1 NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`village_id`) REFERENCES `regions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `scoring_items_village` ON `scoring_items` (`village_id`,`active`,`sort`);--> statement-breakpoint
CREATE TABLE `village_months` (
	`village_id` integer NOT NULL,
	`month` text NOT NULL,
	`status` text DEFAULT 'publicity' NOT NULL,
	`opens_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`posted_at` integer,
	PRIMARY KEY(`village_id`, `month`)
);
--> statement-breakpoint
CREATE TABLE `village_points_settings` (
	`village_id` integer PRIMARY KEY NOT NULL,
	`publicity_days` integer DEFAULT 7 NOT NULL,
	`base_score` integer DEFAULT 0 NOT NULL,
	`annual_reset` integer DEFAULT 0 NOT NULL,
	`reset_year` integer,
	`started_at` integer NOT NULL,
	FOREIGN KEY (`village_id`) REFERENCES `regions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `village_roles` (
	`user_id` integer NOT NULL,
	`village_id` integer NOT NULL,
	`role` text NOT NULL,
	`granted_by` integer,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `village_id`, `role`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`village_id`) REFERENCES `regions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `village_roles_village` ON `village_roles` (`village_id`,`role`);--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'plus', '遵纪守法', '遵纪守法，全年无违法违规记录', 5, 1, 0, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'minus', '遵纪守法', '家庭成员违法违规受到处理', 10, 1, 1, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'plus', '移风易俗', '红白事简办、不大操大办', 5, 1, 2, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'minus', '移风易俗', '大操大办、高价彩礼或铺张浪费', 5, 1, 3, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'plus', '环境卫生', '房前屋后整洁，垃圾分类到位', 3, 1, 4, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'minus', '环境卫生', '乱堆乱放、乱倒垃圾经劝导不改', 3, 1, 5, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'plus', '孝老爱亲', '孝敬老人、家庭和睦，受到村民公认', 5, 1, 6, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'minus', '孝老爱亲', '不赡养老人或虐待家庭成员', 10, 1, 7, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'plus', '邻里和睦', '主动调解邻里纠纷、互帮互助', 3, 1, 8, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'minus', '邻里和睦', '无理取闹、引发邻里纠纷', 3, 1, 9, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'plus', '志愿服务', '参加村组织的志愿服务活动（每次）', 2, 1, 10, 1796320024000);
--> statement-breakpoint
INSERT INTO `scoring_items` (`village_id`, `direction`, `category`, `title`, `points`, `active`, `sort`, `created_at`) VALUES (NULL, 'plus', '公益美德', '捐资捐物、见义勇为等公益善举', 5, 1, 11, 1796320024000);
