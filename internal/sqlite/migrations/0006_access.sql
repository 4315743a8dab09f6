-- Access (issue 13). Users are disabled, not deleted: disabled_at is the
-- time ('' while active). API tokens get an ID (to list and revoke them
-- without their hash), an expiry and a revocation time ('' when none);
-- a token stored before has no expiry recorded and expires 90 days after
-- its creation (tahqiq.APIToken.Expiry).
ALTER TABLE users ADD COLUMN disabled_at TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN id TEXT NOT NULL DEFAULT '';
UPDATE api_tokens SET id = 'k' || substr(hash, 1, 12);
CREATE UNIQUE INDEX api_tokens_id ON api_tokens(id);
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT NOT NULL DEFAULT '';
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE INDEX sessions_user ON sessions(user_id);
