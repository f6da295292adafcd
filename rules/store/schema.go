package store

import (
	"context"
	"fmt"
)

// migrations are the schema changes, in order; migration i brings the schema to version i+1.
// Every statement is valid in SQLite and PostgreSQL. Never edit one that has shipped: append.
var migrations = [][]string{{
	`CREATE TABLE rules (
		id         TEXT PRIMARY KEY,
		version    BIGINT NOT NULL,
		event_type TEXT NOT NULL,
		enabled    BOOLEAN NOT NULL,
		body       TEXT NOT NULL,
		updated_at BIGINT NOT NULL
	)`,
	`CREATE INDEX rules_event_type ON rules (event_type)`,
	`CREATE TABLE rule_versions (
		id         TEXT NOT NULL,
		version    BIGINT NOT NULL,
		op         TEXT NOT NULL,
		enabled    BOOLEAN NOT NULL,
		body       TEXT NOT NULL,
		created_at BIGINT NOT NULL,
		revision   BIGINT NOT NULL,
		PRIMARY KEY (id, version)
	)`,
	`CREATE INDEX rule_versions_created_at ON rule_versions (created_at)`,
	`CREATE TABLE rules_revision (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL)`,
	`INSERT INTO rules_revision (id, revision) VALUES (1, 0)`,
}}

// migrate applies the migrations the database lacks, in one transaction. PostgreSQL holds an
// advisory lock meanwhile and SQLite's write lock serialises the same, so processes starting
// together migrate once.
func (s *sqlStore) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate rule store: %w", err)
	}
	defer tx.Rollback()
	if s.d.postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7201)`); err != nil {
			return fmt.Errorf("migrate rule store: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS rules_schema (version BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate rule store: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rules_schema`).Scan(&have); err != nil {
		return fmt.Errorf("migrate rule store: %w", err)
	}
	for i := have; i < len(migrations); i++ {
		for _, stmt := range migrations[i] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrate rule store to schema %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO rules_schema (version) VALUES (?)`), i+1); err != nil {
			return fmt.Errorf("migrate rule store to schema %d: %w", i+1, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate rule store: %w", err)
	}
	return nil
}
