-- A post's shares packed in its row, as in
-- internal/sqlite/migrations/0014_packed_shares.sql (the encoding is
-- internal/sqlstore/packed.go's); they are visible with their post
-- (0005_rls_content.sql). Adding columns with a constant
-- default (empty: no packed shares) rewrites neither table.
ALTER TABLE posts ADD COLUMN shares BYTEA NOT NULL DEFAULT ''::bytea;
ALTER TABLE datasets ADD COLUMN packed_shares BIGINT NOT NULL DEFAULT 0;
