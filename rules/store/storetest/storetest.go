// Package storetest runs a test against both rule stores: SQLite in a temporary file, and a
// fresh PostgreSQL database (see internal/pgtest).
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/evtrigger/evtrigger/internal/pgtest"
	"github.com/evtrigger/evtrigger/rules/store"
)

// Each runs fn as the subtests "sqlite" and "postgres", each with the DSN of a new, empty store.
func Each(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "rules.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.NewDatabase(t)) })
}

// Open opens the store at dsn and closes it when the test ends.
func Open(t testing.TB, dsn string) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
