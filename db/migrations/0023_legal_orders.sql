ALTER TABLE `service_items` ADD `kind` text DEFAULT 'service' NOT NULL;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `lecture` text;--> statement-breakpoint
ALTER TABLE `service_orders` ADD `rate_token_hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `service_orders_rate_token` ON `service_orders` (`rate_token_hash`);--> statement-breakpoint
-- 点单式普法 becomes an item of the 服务菜单 (issue 20, docs/decisions/101): ordered on /legal/order, dispatched to a lecturer; 3 days to accept (the old promise of 3 working days), 7 to schedule, 30 to deliver.
INSERT INTO `service_items` (`slug`, `category`, `name`, `description`, `skill`, `needs_visit`, `individual`, `accept_hours`, `dispatch_hours`, `finish_days`, `sort`, `kind`) VALUES
('legal-lecture', '法律服务', '法治讲座（点单式普法）', '村（社区）、学校、单位可预约一场普法讲座，由律师、法律顾问或“法律明白人”上门开讲，满 10 人即可。', '普法讲座', 1, 0, 72, 168, 30, 65, 'lecture');--> statement-breakpoint
-- Every lecture order becomes a service order with its old tracking number (PF…), its timestamps and the lecture's own facts (an old low rating opens no 回访: it was read when given); the staff dates of acceptance, scheduling and refusal come from the audit log, or the order's own time when an old row has none.
INSERT INTO `service_orders` (`tracking_no`, `item_id`, `requester_name`, `requester_phone`, `town_id`, `village_id`, `address`, `need`, `preferred_time`, `source`, `public_consent`, `status`, `dispatch_mode`, `team_id`, `reject_reason`, `rating`, `rating_comment`, `revisit_due`, `accepted_at`, `dispatched_at`, `done_at`, `rated_at`, `lecture`, `rate_token_hash`, `created_at`)
SELECT lo.tracking_no, (SELECT id FROM service_items WHERE slug = 'legal-lecture'), lo.requester_name, lo.requester_phone,
  coalesce(lo.town_id, (SELECT parent_id FROM regions WHERE id = lo.village_id), 0), coalesce(lo.village_id, 0), coalesce(lo.organisation, ''), coalesce(lo.note, ''), lo.preferred_dates, '网上', 0,
  CASE lo.status WHEN 'scheduled' THEN 'assigned' WHEN 'delivered' THEN 'done' WHEN 'declined' THEN 'rejected' ELSE lo.status END,
  CASE WHEN lo.status IN ('scheduled', 'delivered', 'rated') THEN 'lecturer' END,
  (SELECT e.team_id FROM events e WHERE e.id = lo.event_id),
  lo.decline_reason, lo.rating, lo.rating_comment, 0,
  CASE WHEN lo.status = 'new' THEN NULL ELSE coalesce((SELECT min(a.at) FROM audit_log a WHERE a.target_type = 'lecture_order' AND a.target_id = CAST(lo.id AS TEXT) AND a.action IN ('lecture.accept', 'lecture.schedule')), CASE WHEN lo.status <> 'declined' THEN lo.created_at END) END,
  CASE WHEN lo.status IN ('scheduled', 'delivered', 'rated') THEN coalesce((SELECT min(a.at) FROM audit_log a WHERE a.target_type = 'lecture_order' AND a.target_id = CAST(lo.id AS TEXT) AND a.action = 'lecture.schedule'), lo.created_at) END,
  lo.delivered_at, lo.rated_at,
  json_object('topic', lo.topic, 'audienceType', '', 'audienceExpected', lo.audience_expected, 'audienceActual', lo.audience_actual, 'organisation', lo.organisation, 'lecturerId', lo.lecturer_id,
    'photoFileIds', json(CASE WHEN json_valid(lo.photo_file_ids) THEN lo.photo_file_ids ELSE '[]' END), 'handledBy', lo.handled_by, 'legacyId', lo.id),
  lo.rate_token_hash, lo.created_at
FROM `lecture_orders` lo ORDER BY lo.id;--> statement-breakpoint
INSERT INTO `service_order_steps` (`order_id`, `at`, `kind`, `text`)
SELECT o.id, o.created_at, 'created', '网上预约普法讲座：' || json_extract(o.lecture, '$.topic') FROM `service_orders` o WHERE json_extract(o.lecture, '$.legacyId') IS NOT NULL;--> statement-breakpoint
INSERT INTO `service_order_steps` (`order_id`, `at`, `kind`, `text`)
SELECT o.id, o.accepted_at, 'accepted', '县普法办已受理' FROM `service_orders` o WHERE json_extract(o.lecture, '$.legacyId') IS NOT NULL AND o.accepted_at IS NOT NULL;--> statement-breakpoint
INSERT INTO `service_order_steps` (`order_id`, `at`, `kind`, `text`)
SELECT o.id, o.dispatched_at, 'assigned', '已安排主讲人' || coalesce('，讲座时间 ' || (SELECT strftime('%Y-%m-%d %H:%M', e.starts_at / 1000 + 8 * 3600, 'unixepoch') FROM events e JOIN lecture_orders lo ON lo.event_id = e.id WHERE lo.id = json_extract(o.lecture, '$.legacyId')), '')
FROM `service_orders` o WHERE json_extract(o.lecture, '$.legacyId') IS NOT NULL AND o.dispatched_at IS NOT NULL;--> statement-breakpoint
INSERT INTO `service_order_steps` (`order_id`, `at`, `kind`, `text`)
SELECT o.id, coalesce((SELECT min(a.at) FROM audit_log a WHERE a.target_type = 'lecture_order' AND a.target_id = CAST(json_extract(o.lecture, '$.legacyId') AS TEXT) AND a.action = 'lecture.decline'), o.created_at), 'rejected', '未能安排：' || coalesce(o.reject_reason, '')
FROM `service_orders` o WHERE json_extract(o.lecture, '$.legacyId') IS NOT NULL AND o.status = 'rejected';--> statement-breakpoint
INSERT INTO `service_order_steps` (`order_id`, `at`, `kind`, `text`)
SELECT o.id, o.done_at, 'done', '讲座已开讲，听众 ' || coalesce(json_extract(o.lecture, '$.audienceActual'), 0) || ' 人，欢迎评价' FROM `service_orders` o WHERE json_extract(o.lecture, '$.legacyId') IS NOT NULL AND o.done_at IS NOT NULL;--> statement-breakpoint
INSERT INTO `service_order_steps` (`order_id`, `at`, `kind`, `text`)
SELECT o.id, o.rated_at, 'rated', '群众评价：' || o.rating || ' 星' FROM `service_orders` o WHERE json_extract(o.lecture, '$.legacyId') IS NOT NULL AND o.rated_at IS NOT NULL;--> statement-breakpoint
-- A lecture's event keeps its link, now to the service order (events.lecture_order_id names service_orders.id from here on).
UPDATE `events` SET `lecture_order_id` = (SELECT o.id FROM `service_orders` o WHERE json_extract(o.lecture, '$.legacyId') = `events`.`lecture_order_id`) WHERE `lecture_order_id` IS NOT NULL;--> statement-breakpoint
DROP TABLE `lecture_orders`;
