-- The web UI's per-user preferences (interface language and time zone;
-- '' is the browser's own). Not evidence: no custody-log entry names
-- them.
CREATE TABLE user_preferences (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  lang TEXT NOT NULL DEFAULT '', time_zone TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL);
-- A closed case (case.close, undone by case.reopen): who closed it and
-- when ('' while open). Its record omits them while open, so that cases
-- written before keep their digest.
ALTER TABLE cases ADD COLUMN closed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN closed_at TEXT NOT NULL DEFAULT '';
