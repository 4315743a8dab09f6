package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tahqiq/tahqiq"
)

// scoped runs fn with a querier that sees what the organisation ctx is
// scoped to may see (tahqiq.WithOrg): a read-only transaction with
// tahqiq.org set, which the row-level security policies of migration
// 0003 read. Unscoped contexts use the pool and see everything.
func (db *DB) scoped(ctx context.Context, fn func(q querier) error) error {
	org := tahqiq.OrgOf(ctx)
	if org == "" {
		return fn(db.pool)
	}
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

// setScope sets tahqiq.org for the rest of tx when ctx is scoped.
func setScope(ctx context.Context, tx pgx.Tx) error {
	if org := tahqiq.OrgOf(ctx); org != "" {
		if _, err := tx.Exec(ctx, `SELECT set_config('tahqiq.org', $1, true)`, org); err != nil {
			return fmt.Errorf("postgres: scope: %w", err)
		}
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
