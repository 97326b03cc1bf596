ALTER TABLE `users` ADD `birth_date_enc` text;--> statement-breakpoint
CREATE INDEX `audit_actor` ON `audit_log` (`actor_id`);--> statement-breakpoint
-- Data (issue 15, item 2; docs/decisions/077): masks that kept first 4 + last 4 gave away the
-- sequence and check digits. Re-cut them from the old mask as maskIdNumber (src/lib/pii.ts) now
-- cuts: an 18-character ID number keeps its first 4 characters, any other document its first one.
UPDATE `users` SET `id_number_masked` = CASE
    WHEN length(`id_number_masked`) = 18 AND substr(`id_number_masked`, 1, 4) GLOB '[0-9][0-9][0-9][0-9]'
      THEN substr(`id_number_masked`, 1, 4) || '**************'
    WHEN length(`id_number_masked`) <= 4 THEN substr('****', 1, length(`id_number_masked`))
    ELSE substr(`id_number_masked`, 1, 1) || substr('****************************************', 1, length(`id_number_masked`) - 1)
  END
  WHERE `id_number_masked` IS NOT NULL AND `id_number_masked` <> '';--> statement-breakpoint
-- Certificates already issued carry the mask in their frozen snapshot (shown by /verify, the
-- print page and the PDF): the same cut.
UPDATE `certificates` SET `snapshot` = json_set(`snapshot`, '$.volunteer.idMasked', CASE
    WHEN length(json_extract(`snapshot`, '$.volunteer.idMasked')) = 18 AND substr(json_extract(`snapshot`, '$.volunteer.idMasked'), 1, 4) GLOB '[0-9][0-9][0-9][0-9]'
      THEN substr(json_extract(`snapshot`, '$.volunteer.idMasked'), 1, 4) || '**************'
    WHEN length(json_extract(`snapshot`, '$.volunteer.idMasked')) <= 4 THEN substr('****', 1, length(json_extract(`snapshot`, '$.volunteer.idMasked')))
    ELSE substr(json_extract(`snapshot`, '$.volunteer.idMasked'), 1, 1) || substr('****************************************', 1, length(json_extract(`snapshot`, '$.volunteer.idMasked')) - 1)
  END)
  WHERE `snapshot` IS NOT NULL AND json_valid(`snapshot`) AND json_type(`snapshot`, '$.volunteer.idMasked') = 'text'
    AND json_extract(`snapshot`, '$.volunteer.idMasked') <> '';--> statement-breakpoint
-- Notices to leaders no longer carry the volunteer's name (item 14: 注销 could not reach them);
-- the linked page names the person while the account exists.
UPDATE `notices` SET `body` = '有志愿者申请加入队伍，请到队伍管理页审核。' WHERE `kind` = 'team.join_request';--> statement-breakpoint
UPDATE `notices` SET `body` = '有志愿者在活动开始前 24 小时内取消了报名，详见活动报名名单。' WHERE `kind` = 'signup.late_cancel';--> statement-breakpoint
-- Login entries about an existing account name it by id only (the masked phone went with it).
UPDATE `audit_log` SET `detail` = '密码错误或账户不存在' WHERE `action` = 'login.failure' AND `target_id` IS NOT NULL;--> statement-breakpoint
-- Clear birth dates (users.birth_date) need SECRET_KEY to be encrypted: scripts/start.mjs does it
-- right after the migrations (db/migrate.ts migrateData). Nothing may follow the last
-- statement: a libSQL server refuses a trailing comment as a second statement.
UPDATE `audit_log` SET `detail` = 'IP 尝试过多' WHERE `action` = 'login.blocked' AND `target_type` = 'ip';
