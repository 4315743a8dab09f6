package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tahqiq/tahqiq"
)

// SystemScope is the value of tahqiq.org that sees every row: the scope of
// callers not scoped to an organisation (the CLI, background jobs,
// tahqiq migrate). Without any tahqiq.org the policies of migration 0004
// show no organisation's rows.
const SystemScope = "*"

// scoped runs fn in a read-only transaction that sees what ctx is scoped
// to (tahqiq.WithOrg; unscoped contexts see everything): tahqiq.org is
// set, which the row-level security policies read.
func (db *DB) scoped(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := setScope(ctx, tx); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// begin starts a read-write transaction scoped as ctx is.
func (db *DB) begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: begin: %w", err)
	}
	if err := setScope(ctx, tx); err != nil {
		tx.Rollback(ctx)
		return nil, err
	}
	return tx, nil
}

// BeginSystem starts a transaction in the system scope, which sees and may
// write every row (for tahqiq migrate).
func (db *DB) BeginSystem(ctx context.Context, opt pgx.TxOptions) (pgx.Tx, error) {
	tx, err := db.pool.BeginTx(ctx, opt)
	if err != nil {
		return nil, fmt.Errorf("postgres: begin: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('tahqiq.org', $1, true)`, SystemScope); err != nil {
		tx.Rollback(ctx)
		return nil, fmt.Errorf("postgres: scope: %w", err)
	}
	return tx, nil
}

// setScope sets tahqiq.org for the rest of tx: the organisation ctx is
// scoped to, else the system scope.
func setScope(ctx context.Context, tx pgx.Tx) error {
	org := tahqiq.OrgOf(ctx)
	switch org {
	case "":
		org = SystemScope
	case SystemScope:
		return tahqiq.Errorf(tahqiq.EINVALID, "organisation id %q is reserved", org)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('tahqiq.org', $1, true)`, org); err != nil {
		return fmt.Errorf("postgres: scope: %w", err)
	}
	return nil
}

// RLSEnforced reports whether the row-level security policies apply to
// this connection's role (not a superuser, no BYPASSRLS).
func (db *DB) RLSEnforced(ctx context.Context) (bool, error) {
	var bypass bool
	err := db.pool.QueryRow(ctx, `SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&bypass)
	if err != nil {
		return false, fmt.Errorf("postgres: role: %w", err)
	}
	return !bypass, nil
}
