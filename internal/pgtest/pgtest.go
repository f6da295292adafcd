// Package pgtest gives tests a fresh PostgreSQL database on the local server (127.0.0.1:5432,
// user postgres, trust authentication; override with $EVTRIGGER_TEST_POSTGRES, the URL of a
// database to connect to for CREATE DATABASE). There is no skipping: a test that needs
// PostgreSQL fails when it is not running (.ci/run starts it).
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// DefaultAdminURL is the database connected to for CREATE DATABASE.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// NewDatabase creates the database evtrigger_test_<random>, drops it (closing its sessions)
// when the test ends, and returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("EVTRIGGER_TEST_POSTGRES")
	if admin == "" {
		admin = DefaultAdminURL
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "evtrigger_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database on %s (is PostgreSQL running? see .ci/run): %v", admin, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
