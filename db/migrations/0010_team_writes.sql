-- Issue 15, item 5 (docs/decisions/079): nobody confirms their own hours or certifies their own record.
-- Rows written before that rule held were never checked by anyone else, so this data migration
-- (no schema change) undoes them once: certificates issued to oneself, or counting an hour record
-- its own volunteer confirmed, are revoked with a reason the volunteer reads; such records go back
-- to pending, so another leader of the team or staff (/console/hours) confirms them. Each change is
-- audited (actor NULL = the migration) and the volunteer is told. The totals follow through the
-- hour_records triggers (db/sql/hours.sql); db/sql/hours.sql then forbids new self-reviews.
INSERT INTO audit_log (at, actor_id, action, target_type, target_id, before, after, detail)
  SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000, NULL, 'certificates.revoke', 'certificate', CAST(c.id AS TEXT), '{"status":"issued"}', '{"status":"revoked"}', 'migration 0010: self-issued, or counting self-confirmed hours'
  FROM certificates c
  WHERE c.status = 'issued' AND (c.issued_by = c.user_id OR EXISTS (
    SELECT 1 FROM hour_records h WHERE h.user_id = c.user_id AND h.team_id = c.team_id AND h.status = 'confirmed' AND h.reviewer_id = h.user_id
      AND date(h.starts_at / 1000 + 8 * 3600, 'unixepoch') BETWEEN c.period_from AND c.period_to));
--> statement-breakpoint
INSERT INTO notices (user_id, kind, title, body, link, created_at)
  SELECT c.user_id, 'certificates', '服务证明已被撤销', '理由：证明所含服务时长由本人确认，或证明由本人出具，不符合“本人不得确认、出具本人记录”的规定。请向队伍其他负责人或县文明实践中心重新申请。', '/me/certificates', CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM certificates c
  WHERE c.status = 'issued' AND (c.issued_by = c.user_id OR EXISTS (
    SELECT 1 FROM hour_records h WHERE h.user_id = c.user_id AND h.team_id = c.team_id AND h.status = 'confirmed' AND h.reviewer_id = h.user_id
      AND date(h.starts_at / 1000 + 8 * 3600, 'unixepoch') BETWEEN c.period_from AND c.period_to));
--> statement-breakpoint
UPDATE certificates SET status = 'revoked', revoked_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000,
    revoke_reason = '证明所含服务时长由本人确认，或证明由本人出具，不符合“本人不得确认、出具本人记录”的规定，已作废'
  WHERE status = 'issued' AND (issued_by = user_id OR EXISTS (
    SELECT 1 FROM hour_records h WHERE h.user_id = certificates.user_id AND h.team_id = certificates.team_id AND h.status = 'confirmed' AND h.reviewer_id = h.user_id
      AND date(h.starts_at / 1000 + 8 * 3600, 'unixepoch') BETWEEN certificates.period_from AND certificates.period_to));
--> statement-breakpoint
INSERT INTO audit_log (at, actor_id, action, target_type, target_id, before, after, detail)
  SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000, NULL, 'hours.reopen', 'hour_record', CAST(id AS TEXT), '{"status":"confirmed"}', '{"status":"pending"}', 'migration 0010: confirmed by its own volunteer'
  FROM hour_records WHERE status = 'confirmed' AND reviewer_id = user_id;
--> statement-breakpoint
INSERT INTO notices (user_id, kind, title, body, link, created_at)
  SELECT user_id, 'hours', '服务时长需重新确认', '您本人确认的服务记录已退回待确认，将由队伍其他负责人或县文明实践中心工作人员确认后计入时长。', '/me/hours', CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM hour_records WHERE status = 'confirmed' AND reviewer_id = user_id GROUP BY user_id;
--> statement-breakpoint
UPDATE hour_records SET status = 'pending', reviewer_id = NULL, reviewed_at = NULL WHERE status = 'confirmed' AND reviewer_id = user_id;
