-- One link from an event to the service order it delivers (docs/decisions/101, 099): a 普法讲座 event's
-- lecture_order_id has named service_orders.id since 0023; it moves to service_order_id, then goes.
UPDATE `events` SET `service_order_id` = `lecture_order_id` WHERE `lecture_order_id` IS NOT NULL AND `service_order_id` IS NULL;--> statement-breakpoint
ALTER TABLE `events` DROP COLUMN `lecture_order_id`;
