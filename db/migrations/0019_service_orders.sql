CREATE TABLE `service_items` (
	`id` integer PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`category` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`skill` text DEFAULT '' NOT NULL,
	`needs_visit` integer DEFAULT 0 NOT NULL,
	`individual` integer DEFAULT 0 NOT NULL,
	`accept_hours` integer DEFAULT 24 NOT NULL,
	`dispatch_hours` integer DEFAULT 48 NOT NULL,
	`finish_days` integer DEFAULT 3 NOT NULL,
	`active` integer DEFAULT 1 NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `service_items_slug_unique` ON `service_items` (`slug`);--> statement-breakpoint
CREATE INDEX `service_items_category` ON `service_items` (`category`,`sort`);--> statement-breakpoint
CREATE TABLE `service_order_steps` (
	`id` integer PRIMARY KEY NOT NULL,
	`order_id` integer NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `service_order_steps_order` ON `service_order_steps` (`order_id`,`at`);--> statement-breakpoint
CREATE TABLE `service_orders` (
	`id` integer PRIMARY KEY NOT NULL,
	`tracking_no` text NOT NULL,
	`item_id` integer NOT NULL,
	`requester_name` text NOT NULL,
	`requester_phone` text NOT NULL,
	`town_id` integer NOT NULL,
	`village_id` integer NOT NULL,
	`address` text NOT NULL,
	`need` text NOT NULL,
	`preferred_time` text DEFAULT '' NOT NULL,
	`source` text DEFAULT '网上' NOT NULL,
	`entered_by` integer,
	`public_consent` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'new' NOT NULL,
	`dispatch_mode` text,
	`team_id` integer,
	`claimed_by_user` integer,
	`reject_reason` text,
	`close_note` text,
	`rating` integer,
	`rating_comment` text,
	`revisit_due` integer DEFAULT 0 NOT NULL,
	`accepted_at` integer,
	`dispatched_at` integer,
	`done_at` integer,
	`rated_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `service_orders_tracking_no_unique` ON `service_orders` (`tracking_no`);--> statement-breakpoint
CREATE INDEX `service_orders_status` ON `service_orders` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `service_orders_town` ON `service_orders` (`town_id`,`status`);--> statement-breakpoint
CREATE INDEX `service_orders_team` ON `service_orders` (`team_id`,`status`);--> statement-breakpoint
-- The county's starting 服务菜单 (issue 20): staff may edit it later; time limits follow the 12345 hotline's defaults (same day to accept, 3 working days for an ordinary request); 微心愿 may be claimed by one volunteer.
INSERT INTO `service_items` (`slug`, `category`, `name`, `description`, `skill`, `needs_visit`, `individual`, `accept_hours`, `dispatch_hours`, `finish_days`, `sort`) VALUES
('policy-talk', '理论政策宣讲', '政策宣讲进村组', '惠民政策、理论知识宣讲，可到院坝、会议室开讲。', '宣讲', 1, 0, 24, 48, 7, 10),
('culture-show', '文化文艺', '文艺演出与培训', '广场舞、川剧、合唱等文艺演出或培训。', '文艺', 1, 0, 24, 72, 10, 20),
('tutoring', '助学支教', '课业辅导与陪伴', '为留守儿童辅导作业、陪伴阅读。', '支教', 1, 0, 24, 48, 7, 30),
('health-check', '医疗健康', '义诊与健康咨询', '量血压、测血糖、健康咨询，不开处方。', '医疗', 1, 0, 24, 48, 5, 40),
('science', '科学普及', '科普讲座与实用技术', '防灾减灾、农技、反诈等科普。', '科普', 1, 0, 24, 48, 7, 50),
('legal-aid', '法律服务', '法律咨询', '婚姻家庭、土地承包、劳务纠纷等法律咨询。', '法律', 0, 0, 24, 48, 3, 60),
('clean-up', '卫生环保', '环境整治帮忙', '房前屋后清理、垃圾分类指导。', '环保', 1, 0, 24, 48, 3, 70),
('hardship', '扶贫帮困', '困难家庭帮扶', '农忙帮工、代购代办等帮扶。', '帮扶', 1, 0, 24, 48, 3, 80),
('elder-care', '助老助残', '助老助残上门服务', '陪同就医、代缴费用、打扫卫生、理发。', '助老', 1, 0, 24, 24, 3, 90),
('neighbour', '邻里互助', '邻里小事帮一把', '修水管、换灯泡、搬东西等小事。', '维修', 1, 0, 24, 24, 3, 100),
('wish', '微心愿', '微心愿', '一件 200 元以内的小心愿（学习用品、生活用品等），可由志愿者个人认领。', '', 0, 1, 24, 72, 10, 110);
