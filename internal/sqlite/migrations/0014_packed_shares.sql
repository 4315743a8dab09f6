-- A post's shares packed in its row (internal/sqlstore/packed.go) instead
-- of a row each in shares: an import writes one row an event where it
-- wrote two (docs/benchmarks.md, "Shares packed in their post"). The
-- shares table stays for the shares of stores written before this
-- migration (never converted: every reader reads both) and for a share a
-- later record adds to a post already written. packed_shares counts the
-- dataset's packed shares, so that its counts need not decode them.
ALTER TABLE posts ADD COLUMN shares BLOB NOT NULL DEFAULT x'';
ALTER TABLE datasets ADD COLUMN packed_shares INTEGER NOT NULL DEFAULT 0;
