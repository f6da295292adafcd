package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/evtrigger/evtrigger/rules"
)

// notifyChannel is the PostgreSQL channel every change is announced on, with the new revision.
const notifyChannel = "evtrigger_rules"

// errUnchanged makes change roll back without an error: there was nothing to do.
var errUnchanged = errors.New("unchanged")

// change runs fn in a write transaction that first bumps the revision, which also serialises
// the writers of PostgreSQL on the revision row (SQLite's transactions take the write lock when
// they begin). fn gets the new revision and the time of the change.
func (s *sqlStore) change(ctx context.Context, fn func(tx *sql.Tx, rev int64, now time.Time) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var rev int64
	if err := tx.QueryRowContext(ctx, `UPDATE rules_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision`).Scan(&rev); err != nil {
		return fmt.Errorf("bump revision: %w", err)
	}
	if err := fn(tx, rev, time.Now()); err != nil {
		return err
	}
	if s.d.postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, strconv.FormatInt(rev, 10)); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.signal() // a reader on this handle need not wait for its next poll
	return nil
}

// record writes the history entry of a change.
func (s *sqlStore) record(ctx context.Context, tx *sql.Tx, r rules.Rule, op Op, rev int64, now time.Time) error {
	body, err := encodeBody(r)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.d.rebind(`INSERT INTO rule_versions (id, version, op, enabled, body, created_at, revision)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), r.ID, r.Version, string(op), r.IsEnabled(), body, now.UnixMicro(), rev)
	return err
}

func (s *sqlStore) Create(ctx context.Context, r rules.Rule) (Record, error) {
	var out Record
	err := s.change(ctx, func(tx *sql.Tx, rev int64, now time.Time) error {
		if _, err := s.get(ctx, tx, r.ID); err == nil {
			return fmt.Errorf("rule %s: %w", r.ID, ErrExists)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		var last int64
		if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COALESCE(MAX(version), 0) FROM rule_versions WHERE id = ?`), r.ID).Scan(&last); err != nil {
			return err
		}
		enabled := r.IsEnabled()
		r.Version, r.Enabled = last+1, &enabled
		body, err := encodeBody(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO rules (id, version, event_type, enabled, body, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`), r.ID, r.Version, r.EventType, enabled, body, now.UnixMicro()); err != nil {
			return err
		}
		out = Record{Rule: r, UpdatedAt: time.UnixMicro(now.UnixMicro()).UTC()}
		return s.record(ctx, tx, r, OpCreate, rev, now)
	})
	if err != nil {
		return Record{}, wrap("create rule", r.ID, err)
	}
	return out, nil
}

func (s *sqlStore) Update(ctx context.Context, r rules.Rule, base int64) (Record, error) {
	var out Record
	err := s.change(ctx, func(tx *sql.Tx, rev int64, now time.Time) error {
		if _, err := s.current(ctx, tx, r.ID, base); err != nil {
			return err
		}
		r.Version = base + 1
		enabled := r.IsEnabled()
		r.Enabled = &enabled
		var err error
		out, err = s.replace(ctx, tx, r, OpUpdate, rev, now)
		return err
	})
	if err != nil {
		return Record{}, wrap("update rule", r.ID, err)
	}
	return out, nil
}

func (s *sqlStore) SetEnabled(ctx context.Context, id string, enabled bool, base int64) (Record, error) {
	var out Record
	err := s.change(ctx, func(tx *sql.Tx, rev int64, now time.Time) error {
		cur, err := s.current(ctx, tx, id, base)
		if err != nil {
			return err
		}
		if cur.Rule.IsEnabled() == enabled {
			out = cur
			return errUnchanged
		}
		r, op := cur.Rule, OpDisable
		if enabled {
			op = OpEnable
		}
		r.Version, r.Enabled = cur.Rule.Version+1, &enabled
		out, err = s.replace(ctx, tx, r, op, rev, now)
		return err
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return Record{}, wrap("set enabled of rule", id, err)
	}
	return out, nil
}

func (s *sqlStore) Delete(ctx context.Context, id string, base int64) error {
	err := s.change(ctx, func(tx *sql.Tx, rev int64, now time.Time) error {
		cur, err := s.current(ctx, tx, id, base)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM rules WHERE id = ?`), id); err != nil {
			return err
		}
		r := cur.Rule
		r.Version++
		return s.record(ctx, tx, r, OpDelete, rev, now)
	})
	return wrap("delete rule", id, err)
}

// current reads rule id inside tx and checks it is at version base (unless base is 0).
func (s *sqlStore) current(ctx context.Context, tx *sql.Tx, id string, base int64) (Record, error) {
	cur, err := s.get(ctx, tx, id)
	if err != nil {
		return Record{}, err
	}
	if base != 0 && cur.Rule.Version != base {
		return Record{}, &ConflictError{ID: id, Base: base, Current: cur.Rule.Version}
	}
	return cur, nil
}

// replace overwrites the current row of r.ID with r and records the change.
func (s *sqlStore) replace(ctx context.Context, tx *sql.Tx, r rules.Rule, op Op, rev int64, now time.Time) (Record, error) {
	body, err := encodeBody(r)
	if err != nil {
		return Record{}, err
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE rules SET version = ?, event_type = ?, enabled = ?, body = ?, updated_at = ?
		WHERE id = ?`), r.Version, r.EventType, r.IsEnabled(), body, now.UnixMicro(), r.ID); err != nil {
		return Record{}, err
	}
	if err := s.record(ctx, tx, r, op, rev, now); err != nil {
		return Record{}, err
	}
	return Record{Rule: r, UpdatedAt: time.UnixMicro(now.UnixMicro()).UTC()}, nil
}

// wrap adds what was done to err, leaving the store's own errors (which name the rule) as they are.
func wrap(what, id string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrExists), errors.Is(err, ErrConflict):
		return err
	}
	return fmt.Errorf("%s %s: %w", what, id, err)
}
