package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver
)

// Options configure Open. The zero value works.
type Options struct {
	// Logger receives the PostgreSQL listener's reconnects. Default slog.Default().
	Logger *slog.Logger
}

// IsPostgres reports whether dsn names a PostgreSQL database (postgres:// or postgresql://).
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the store at dsn and runs the schema migrations it lacks. dsn is a postgres:// or
// postgresql:// URL (PostgreSQL through pgx; changes are also announced with NOTIFY), or else
// the path of a SQLite file, created with its directory when missing (WAL journal, 5 s busy
// timeout, write transactions take the lock when they begin). Close the store when done.
func Open(ctx context.Context, dsn string, opts Options) (Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	var s *sqlStore
	var err error
	if IsPostgres(dsn) {
		s, err = openPostgres(ctx, dsn, opts.Logger)
	} else {
		s, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if s.d.postgres {
		s.listen(dsn, opts.Logger)
	}
	return s, nil
}

// openSQLite opens the SQLite file at path.
func openSQLite(path string) (*sqlStore, error) {
	path = strings.TrimPrefix(path, "sqlite:")
	if path == "" {
		return nil, fmt.Errorf("open rule store: empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("open rule store %s: %w", path, err)
		}
	}
	q := url.Values{"_txlock": {"immediate"}}
	q["_pragma"] = []string{"busy_timeout(5000)", "journal_mode(wal)", "synchronous(normal)", "foreign_keys(on)"}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open rule store %s: %w", path, err)
	}
	return newSQLStore(db, dialect{name: "sqlite"}), nil
}

// openPostgres opens the PostgreSQL database at dsn and checks it answers.
func openPostgres(ctx context.Context, dsn string, logger *slog.Logger) (*sqlStore, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open rule store %s: %w", redact(dsn), err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open rule store %s: %w", redact(dsn), err)
	}
	return newSQLStore(db, dialect{name: "postgres", postgres: true}), nil
}

// redact hides the password of a URL DSN for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	return u.Redacted()
}
