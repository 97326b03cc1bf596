-- teams.member_count follows the active rows of team_members.
DROP TRIGGER IF EXISTS team_members_count_insert;
CREATE TRIGGER team_members_count_insert AFTER INSERT ON team_members
WHEN NEW.status = 'active'
BEGIN
  UPDATE teams SET member_count = member_count + 1 WHERE id = NEW.team_id;
END;

DROP TRIGGER IF EXISTS team_members_count_update;
CREATE TRIGGER team_members_count_update AFTER UPDATE OF status ON team_members
WHEN (OLD.status = 'active') <> (NEW.status = 'active')
BEGIN
  UPDATE teams SET member_count = member_count + (CASE WHEN NEW.status = 'active' THEN 1 ELSE -1 END) WHERE id = NEW.team_id;
END;
