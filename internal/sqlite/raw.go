package sqlite

import "database/sql"

// ReadDB returns the reader pool, for tools that read every table as it is
// (internal/storecopy moving a store to PostgreSQL). Writes must not go
// through it.
func (db *DB) ReadDB() *sql.DB { return db.read }
