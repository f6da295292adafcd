package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/evtrigger/evtrigger/rules"
)

// dialect is what differs between SQLite and PostgreSQL: placeholders and notification.
type dialect struct {
	name     string
	postgres bool
}

// rebind turns the ? placeholders of q into PostgreSQL's $1, $2, ...
func (d dialect) rebind(q string) string {
	if !d.postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sqlStore is the Store on database/sql, shared by both databases.
type sqlStore struct {
	db      *sql.DB
	d       dialect
	changed chan struct{}
	stop    context.CancelFunc // ends the PostgreSQL listener
	wg      sync.WaitGroup
}

func newSQLStore(db *sql.DB, d dialect) *sqlStore {
	return &sqlStore{db: db, d: d, stop: func() {}, changed: make(chan struct{}, 1)}
}

// Close stops the listener and closes the database.
func (s *sqlStore) Close() error {
	s.stop()
	s.wg.Wait()
	return s.db.Close()
}

// Changed is fed by this handle's own changes and, for PostgreSQL, by the listener.
func (s *sqlStore) Changed() <-chan struct{} { return s.changed }

const recordColumns = `id, version, enabled, body, updated_at`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanRecord reads one row of recordColumns.
func scanRecord(sc scanner) (Record, error) {
	var id, body string
	var version, updated int64
	var enabled bool
	if err := sc.Scan(&id, &version, &enabled, &body, &updated); err != nil {
		return Record{}, err
	}
	r, err := decodeBody(id, body, version, enabled)
	return Record{Rule: r, UpdatedAt: time.UnixMicro(updated).UTC()}, err
}

// decodeBody reads a stored rule body and sets the version and enabled flag kept in columns.
func decodeBody(id, body string, version int64, enabled bool) (rules.Rule, error) {
	r, err := rules.DecodeJSON([]byte(body))
	if err != nil {
		return rules.Rule{}, fmt.Errorf("stored rule %s version %d: %w", id, version, err)
	}
	r.Version, r.Enabled = version, &enabled
	return r, nil
}

// encodeBody is the stored form of r: its JSON without version and enabled.
func encodeBody(r rules.Rule) (string, error) {
	r.Version, r.Enabled = 0, nil
	data, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("encode rule %s: %w", r.ID, err)
	}
	return string(data), nil
}

func (s *sqlStore) List(ctx context.Context, f Filter) ([]Record, int, error) {
	if f.Size <= 0 {
		f.Size = 20
	}
	where, args := []string{"1=1"}, []any{}
	if f.EventType != "" {
		where, args = append(where, "event_type = ?"), append(args, f.EventType)
	}
	if f.Enabled != nil {
		where, args = append(where, "enabled = ?"), append(args, *f.Enabled)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM rules WHERE `+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list rules: %w", err)
	}
	q := `SELECT ` + recordColumns + ` FROM rules WHERE ` + cond + ` ORDER BY id LIMIT ? OFFSET ?`
	recs, err := s.queryRecords(ctx, s.db, q, append(args, f.Size, f.Page*f.Size)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list rules: %w", err)
	}
	return recs, total, nil
}

// queryer is a *sql.DB or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *sqlStore) queryRecords(ctx context.Context, q queryer, query string, args ...any) ([]Record, error) {
	rows, err := q.QueryContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		rec, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

func (s *sqlStore) Get(ctx context.Context, id string) (Record, error) {
	return s.get(ctx, s.db, id)
}

func (s *sqlStore) get(ctx context.Context, q queryer, id string) (Record, error) {
	rec, err := scanRecord(q.QueryRowContext(ctx, s.d.rebind(`SELECT `+recordColumns+` FROM rules WHERE id = ?`), id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Record{}, fmt.Errorf("rule %s: %w", id, ErrNotFound)
	case err != nil:
		return Record{}, fmt.Errorf("get rule %s: %w", id, err)
	}
	return rec, nil
}

func (s *sqlStore) Versions(ctx context.Context, id string) ([]Version, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT version, op, enabled, body, created_at, revision
		FROM rule_versions WHERE id = ? ORDER BY version`), id)
	if err != nil {
		return nil, fmt.Errorf("versions of rule %s: %w", id, err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var body string
		var enabled bool
		var created int64
		if err := rows.Scan(&v.Rule.Version, &v.Op, &enabled, &body, &created, &v.Revision); err != nil {
			return nil, fmt.Errorf("versions of rule %s: %w", id, err)
		}
		if v.Rule, err = decodeBody(id, body, v.Rule.Version, enabled); err != nil {
			return nil, err
		}
		v.CreatedAt = time.UnixMicro(created).UTC()
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("versions of rule %s: %w", id, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("rule %s: %w", id, ErrNotFound)
	}
	return out, nil
}

func (s *sqlStore) Revision(ctx context.Context) (int64, error) {
	var rev int64
	if err := s.db.QueryRowContext(ctx, `SELECT revision FROM rules_revision WHERE id = 1`).Scan(&rev); err != nil {
		return 0, fmt.Errorf("read rule store revision: %w", err)
	}
	return rev, nil
}

func (s *sqlStore) Snapshot(ctx context.Context) (int64, []Record, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: s.snapshotIsolation()})
	if err != nil {
		return 0, nil, fmt.Errorf("snapshot rules: %w", err)
	}
	defer tx.Rollback()
	var rev int64
	if err := tx.QueryRowContext(ctx, `SELECT revision FROM rules_revision WHERE id = 1`).Scan(&rev); err != nil {
		return 0, nil, fmt.Errorf("snapshot rules: %w", err)
	}
	recs, err := s.queryRecords(ctx, tx, `SELECT `+recordColumns+` FROM rules ORDER BY id`)
	if err != nil {
		return 0, nil, fmt.Errorf("snapshot rules: %w", err)
	}
	return rev, recs, tx.Commit()
}

// snapshotIsolation makes PostgreSQL read the revision and the rules as of one moment; a SQLite
// transaction is serializable anyway.
func (s *sqlStore) snapshotIsolation() sql.IsolationLevel {
	if s.d.postgres {
		return sql.LevelRepeatableRead
	}
	return sql.LevelDefault
}

func (s *sqlStore) AsOf(ctx context.Context, t time.Time) ([]rules.Rule, error) {
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT v.id, v.version, v.op, v.enabled, v.body
		FROM rule_versions v
		JOIN (SELECT id, MAX(version) AS version FROM rule_versions WHERE created_at <= ? GROUP BY id) last
		  ON v.id = last.id AND v.version = last.version
		ORDER BY v.id`), t.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("rules as of %s: %w", t.Format(time.RFC3339), err)
	}
	defer rows.Close()
	out := []rules.Rule{}
	for rows.Next() {
		var id, op, body string
		var version int64
		var enabled bool
		if err := rows.Scan(&id, &version, &op, &enabled, &body); err != nil {
			return nil, fmt.Errorf("rules as of %s: %w", t.Format(time.RFC3339), err)
		}
		if Op(op) == OpDelete {
			continue
		}
		r, err := decodeBody(id, body, version, enabled)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
