-- Credentials, browser sessions and API tokens of tahqiq serve.
-- Only hashes are stored: argon2id for passwords (PHC string),
-- SHA-256 of the secret for sessions and tokens.
CREATE TABLE passwords (
  user_id TEXT PRIMARY KEY REFERENCES users(id), hash TEXT NOT NULL, set_at TEXT NOT NULL);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), csrf TEXT NOT NULL,
  created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE api_tokens (
  hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), name TEXT NOT NULL,
  created_at TEXT NOT NULL);
