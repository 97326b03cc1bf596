-- Issue 19 item 1 (docs/decisions/088): the demo seed confirmed its hour records with no reviewer and the
-- seed's own time as 审核时间, so every seeded 台账 row lacked 审核人. Only those seeded rows are touched
-- (demo accounts present, the seed's two fixed contents, reviewed exactly when created, no reviewer): the
-- team's leader who is not the volunteer, else a 宣传编辑 (hours.review) of the county centre, reviewed
-- one to three days after the service in office hours (Beijing), never after the seed ran. Real
-- confirmations always carry their reviewer and are not touched.
-- The same two statements run in the seed (db/seed-hours.ts reviewSeededHours).
UPDATE hour_records SET created_by = coalesce(
    (SELECT m.user_id FROM team_members m WHERE m.team_id = hour_records.team_id AND m.role IN ('leader', 'coleader') AND m.status = 'active' AND m.user_id <> hour_records.user_id ORDER BY m.role = 'leader' DESC, m.id LIMIT 1),
    (SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role IN ('editor', 'admin') AND u.status = 'active' AND r.user_id <> hour_records.user_id ORDER BY r.role = 'editor' DESC, r.user_id LIMIT 1))
  WHERE status = 'confirmed' AND reviewer_id IS NULL AND reviewed_at = created_at AND source = 'leader' AND created_by IS NULL
    AND content = '常态化志愿服务' AND EXISTS (SELECT 1 FROM users WHERE phone = '13900000001');
--> statement-breakpoint
UPDATE hour_records SET reviewer_id = coalesce(
    (SELECT m.user_id FROM team_members m WHERE m.team_id = hour_records.team_id AND m.role IN ('leader', 'coleader') AND m.status = 'active' AND m.user_id <> hour_records.user_id ORDER BY m.role = 'leader' DESC, m.id LIMIT 1),
    (SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role IN ('editor', 'admin') AND u.status = 'active' AND r.user_id <> hour_records.user_id ORDER BY r.role = 'editor' DESC, r.user_id LIMIT 1)),
  reviewed_at = min(((ends_at + 28800000) / 86400000 + 1 + id % 3) * 86400000 - 28800000 + (540 + (id * 37) % 540) * 60000, created_at)
  WHERE status = 'confirmed' AND reviewer_id IS NULL AND reviewed_at = created_at AND source IN ('attendance', 'leader')
    AND content IN ('参加志愿服务活动', '常态化志愿服务') AND EXISTS (SELECT 1 FROM users WHERE phone = '13900000001');
