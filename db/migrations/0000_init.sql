CREATE TABLE `regions` (
	`id` integer PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`level` text NOT NULL,
	`kind` text NOT NULL,
	`parent_id` integer,
	`sort` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `regions_code_unique` ON `regions` (`code`);--> statement-breakpoint
CREATE INDEX `regions_parent` ON `regions` (`parent_id`,`sort`);--> statement-breakpoint
CREATE TABLE `cache_versions` (
	`scope` text PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pages` (
	`slug` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`version` text NOT NULL,
	`body` text NOT NULL,
	`updated_on` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_id` integer,
	`action` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`before` text,
	`after` text,
	`ip` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_target` ON `audit_log` (`target_type`,`target_id`);--> statement-breakpoint
CREATE TABLE `notices` (
	`id` integer PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`link` text,
	`read_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `notices_user` ON `notices` (`user_id`,`read_at`);--> statement-breakpoint
CREATE TABLE `password_resets` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_by` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`ttl_ms` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_roles` (
	`user_id` integer NOT NULL,
	`role` text NOT NULL,
	`granted_by` integer,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `role`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY NOT NULL,
	`phone` text,
	`password_hash` text,
	`real_name` text NOT NULL,
	`id_type` text,
	`id_number_enc` text,
	`id_number_hash` text,
	`id_number_masked` text,
	`birth_date` text,
	`gender` text,
	`town_id` integer,
	`village_id` integer,
	`skills` text DEFAULT '[]' NOT NULL,
	`volunteer_no` text,
	`email` text,
	`status` text DEFAULT 'active' NOT NULL,
	`guardian_name` text,
	`guardian_phone` text,
	`guardian_consent_at` integer,
	`terms_version` text,
	`privacy_version` text,
	`consent_at` integer,
	`publish_consent` integer DEFAULT false NOT NULL,
	`calendar_token` text,
	`confirmed_minutes` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_phone_unique` ON `users` (`phone`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_id_number_hash_unique` ON `users` (`id_number_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_volunteer_no_unique` ON `users` (`volunteer_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_calendar_token_unique` ON `users` (`calendar_token`);--> statement-breakpoint
CREATE INDEX `users_town` ON `users` (`town_id`);--> statement-breakpoint
CREATE TABLE `team_members` (
	`id` integer PRIMARY KEY NOT NULL,
	`team_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`role` text DEFAULT 'member' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `team_members_one` ON `team_members` (`team_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `team_members_user` ON `team_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` integer PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`town_id` integer,
	`village_id` integer,
	`service_types` text DEFAULT '[]' NOT NULL,
	`founded_on` text,
	`summary` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`honours` text DEFAULT '[]' NOT NULL,
	`leader_name` text,
	`contact_phone` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_by` integer,
	`member_count` integer DEFAULT 0 NOT NULL,
	`confirmed_minutes` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_slug_unique` ON `teams` (`slug`);--> statement-breakpoint
CREATE INDEX `teams_town` ON `teams` (`town_id`,`status`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY NOT NULL,
	`team_id` integer NOT NULL,
	`title` text NOT NULL,
	`category` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`risks` text DEFAULT '' NOT NULL,
	`town_id` integer,
	`village_id` integer,
	`address` text DEFAULT '' NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`signup_opens_at` integer,
	`signup_closes_at` integer,
	`capacity` integer NOT NULL,
	`waitlist_enabled` integer DEFAULT true NOT NULL,
	`confirmed_count` integer DEFAULT 0 NOT NULL,
	`dangerous` integer DEFAULT false NOT NULL,
	`insurance_policy` text,
	`min_age` integer,
	`members_only` integer DEFAULT false NOT NULL,
	`required_skill` text,
	`status` text DEFAULT 'draft' NOT NULL,
	`checkin_secret` text,
	`lecture_order_id` integer,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `events_team` ON `events` (`team_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `events_status_start` ON `events` (`status`,`starts_at`);--> statement-breakpoint
CREATE TABLE `signups` (
	`id` integer PRIMARY KEY NOT NULL,
	`event_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`status` text NOT NULL,
	`seq` integer NOT NULL,
	`late_cancel` integer DEFAULT false NOT NULL,
	`removed_reason` text,
	`checkin_at` integer,
	`checkout_at` integer,
	`proposed_minutes` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `signups_one` ON `signups` (`event_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `signups_event_status` ON `signups` (`event_id`,`status`,`seq`);--> statement-breakpoint
CREATE INDEX `signups_user` ON `signups` (`user_id`,`status`);--> statement-breakpoint
CREATE TABLE `certificates` (
	`id` integer PRIMARY KEY NOT NULL,
	`number` text,
	`code` text,
	`user_id` integer NOT NULL,
	`team_id` integer NOT NULL,
	`period_from` text NOT NULL,
	`period_to` text NOT NULL,
	`total_minutes` integer DEFAULT 0 NOT NULL,
	`snapshot` text,
	`status` text DEFAULT 'requested' NOT NULL,
	`requested_at` integer NOT NULL,
	`issued_at` integer,
	`issued_by` integer,
	`revoked_at` integer,
	`revoke_reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_number_unique` ON `certificates` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_code_unique` ON `certificates` (`code`);--> statement-breakpoint
CREATE INDEX `certs_user` ON `certificates` (`user_id`);--> statement-breakpoint
CREATE INDEX `certs_team` ON `certificates` (`team_id`,`status`);--> statement-breakpoint
CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `hour_corrections` (
	`id` integer PRIMARY KEY NOT NULL,
	`record_id` integer NOT NULL,
	`requested_by` integer NOT NULL,
	`reason` text NOT NULL,
	`proposed_starts_at` integer,
	`proposed_ends_at` integer,
	`status` text DEFAULT 'pending' NOT NULL,
	`decided_by` integer,
	`decided_at` integer,
	`decision` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`record_id`) REFERENCES `hour_records`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `hour_records` (
	`id` integer PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`team_id` integer NOT NULL,
	`event_id` integer,
	`signup_id` integer,
	`source` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`minutes` integer NOT NULL,
	`content` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`reviewer_id` integer,
	`reviewed_at` integer,
	`reason` text,
	`photo_media_id` integer,
	`created_by` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `hours_user_time` ON `hour_records` (`user_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `hours_team_status` ON `hour_records` (`team_id`,`status`,`starts_at`);--> statement-breakpoint
CREATE INDEX `hours_status_time` ON `hour_records` (`status`,`starts_at`);--> statement-breakpoint
CREATE TABLE `honor_batches` (
	`id` integer PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`period` text NOT NULL,
	`intro` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`publicity_starts_at` integer,
	`publicity_ends_at` integer,
	`published_at` integer,
	`created_by` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `honor_batches_slug_unique` ON `honor_batches` (`slug`);--> statement-breakpoint
CREATE TABLE `honorees` (
	`id` integer PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`batch_id` integer,
	`name` text NOT NULL,
	`epithet` text,
	`kind` text DEFAULT 'person' NOT NULL,
	`identity` text DEFAULT '' NOT NULL,
	`gender` text,
	`birth_year` integer,
	`town_id` integer,
	`village_id` integer,
	`category` text NOT NULL,
	`level` text NOT NULL,
	`title` text DEFAULT '' NOT NULL,
	`summary` text NOT NULL,
	`story` text DEFAULT '' NOT NULL,
	`photo_media_id` integer,
	`photo_consent` integer DEFAULT false NOT NULL,
	`user_id` integer,
	`later_honours` text DEFAULT '[]' NOT NULL,
	`consent_by` text,
	`consent_at` text,
	`consent_method` text,
	`guardian_consent` integer DEFAULT false NOT NULL,
	`name_consent` integer DEFAULT true NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`withdrawn_reason` text,
	`like_count` integer DEFAULT 0 NOT NULL,
	`nomination_id` integer,
	`published_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`batch_id`) REFERENCES `honor_batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `honorees_slug_unique` ON `honorees` (`slug`);--> statement-breakpoint
CREATE INDEX `honorees_batch` ON `honorees` (`batch_id`,`status`);--> statement-breakpoint
CREATE INDEX `honorees_status_cat` ON `honorees` (`status`,`category`);--> statement-breakpoint
CREATE INDEX `honorees_town` ON `honorees` (`town_id`,`status`);--> statement-breakpoint
CREATE TABLE `likes` (
	`id` integer PRIMARY KEY NOT NULL,
	`honoree_id` integer NOT NULL,
	`visitor_key` text NOT NULL,
	`ip_hash` text NOT NULL,
	`day` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`honoree_id`) REFERENCES `honorees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `likes_once_per_day` ON `likes` (`honoree_id`,`visitor_key`,`day`);--> statement-breakpoint
CREATE INDEX `likes_ip` ON `likes` (`ip_hash`,`created_at`);--> statement-breakpoint
CREATE TABLE `nominations` (
	`id` integer PRIMARY KEY NOT NULL,
	`tracking_no` text NOT NULL,
	`nominator_name` text NOT NULL,
	`nominator_phone` text NOT NULL,
	`relation` text NOT NULL,
	`nominee_name` text NOT NULL,
	`town_id` integer,
	`village_id` integer,
	`category` text NOT NULL,
	`deeds` text NOT NULL,
	`photo_media_id` integer,
	`status` text DEFAULT 'new' NOT NULL,
	`merged_into` integer,
	`decline_reason` text,
	`honoree_id` integer,
	`ip_hash` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `nominations_tracking_no_unique` ON `nominations` (`tracking_no`);--> statement-breakpoint
CREATE INDEX `nominations_status` ON `nominations` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `objections` (
	`id` integer PRIMARY KEY NOT NULL,
	`honoree_id` integer NOT NULL,
	`text` text NOT NULL,
	`contact` text,
	`status` text DEFAULT 'open' NOT NULL,
	`resolution` text,
	`resolved_by` integer,
	`resolved_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`honoree_id`) REFERENCES `honorees`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `objections_honoree` ON `objections` (`honoree_id`,`status`);--> statement-breakpoint
CREATE TABLE `article_revisions` (
	`id` integer PRIMARY KEY NOT NULL,
	`article_id` integer NOT NULL,
	`content` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`review_step` integer DEFAULT 0 NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `revisions_article` ON `article_revisions` (`article_id`,`id`);--> statement-breakpoint
CREATE TABLE `articles` (
	`id` integer PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`channel` text NOT NULL,
	`topic` text,
	`title` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`cover_media_id` integer,
	`body` text DEFAULT '' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`author` text DEFAULT '' NOT NULL,
	`source` text DEFAULT '' NOT NULL,
	`honoree_id` integer,
	`status` text DEFAULT 'draft' NOT NULL,
	`review_step` integer DEFAULT 0 NOT NULL,
	`publish_at` integer,
	`published_at` integer,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `articles_slug_unique` ON `articles` (`slug`);--> statement-breakpoint
CREATE INDEX `articles_status_pub` ON `articles` (`status`,`published_at`);--> statement-breakpoint
CREATE INDEX `articles_channel_pub` ON `articles` (`channel`,`status`,`published_at`);--> statement-breakpoint
CREATE TABLE `lecture_orders` (
	`id` integer PRIMARY KEY NOT NULL,
	`tracking_no` text NOT NULL,
	`requester_name` text NOT NULL,
	`requester_phone` text NOT NULL,
	`organisation` text,
	`topic` text NOT NULL,
	`town_id` integer,
	`village_id` integer,
	`audience_expected` integer NOT NULL,
	`preferred_dates` text DEFAULT '' NOT NULL,
	`note` text,
	`status` text DEFAULT 'new' NOT NULL,
	`lecturer_id` integer,
	`event_id` integer,
	`audience_actual` integer,
	`delivered_at` integer,
	`rating` integer,
	`rating_comment` text,
	`rate_token_hash` text,
	`decline_reason` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `lecture_orders_tracking_no_unique` ON `lecture_orders` (`tracking_no`);--> statement-breakpoint
CREATE INDEX `lecture_status` ON `lecture_orders` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `legal_lessons` (
	`id` integer PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`topic` text NOT NULL,
	`law_ref` text DEFAULT '' NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `legal_lessons_slug_unique` ON `legal_lessons` (`slug`);--> statement-breakpoint
CREATE TABLE `media` (
	`id` integer PRIMARY KEY NOT NULL,
	`file_key` text NOT NULL,
	`kind` text NOT NULL,
	`mime` text NOT NULL,
	`width` integer,
	`height` integer,
	`bytes` integer NOT NULL,
	`variants` text DEFAULT '[]' NOT NULL,
	`alt` text DEFAULT '' NOT NULL,
	`original_name` text,
	`uploaded_by` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `media_file_key_unique` ON `media` (`file_key`);--> statement-breakpoint
CREATE TABLE `review_steps` (
	`id` integer PRIMARY KEY NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` integer NOT NULL,
	`step` integer NOT NULL,
	`decision` text NOT NULL,
	`opinion` text DEFAULT '' NOT NULL,
	`reviewer_id` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `review_subject` ON `review_steps` (`subject_type`,`subject_id`,`at`);