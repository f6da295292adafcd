// Package store keeps trigger rules in a database, with a version per rule and the history of
// every version: SQLite (pure Go, a file) as the embedded default, PostgreSQL for several
// replicas. A single revision counter, bumped in the same transaction as every change, lets a
// Reloader notice a change with one cheap query and serve the rules as a rules.Source.
//
// The store does not validate rules: callers compile a rule (rules.Compile) before saving it and
// save the compiled form (Compiled.Rule, defaults applied). A Reloader still tolerates a stored
// rule that does not compile.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/evtrigger/evtrigger/rules"
)

// Errors of the store's methods; test with errors.Is.
var (
	// ErrNotFound: no current rule has the ID.
	ErrNotFound = errors.New("rule not found")
	// ErrExists: Create found a current rule with the ID.
	ErrExists = errors.New("rule already exists")
	// ErrConflict: the change was based on a version that is no longer current. The error is a
	// *ConflictError carrying the current version.
	ErrConflict = errors.New("rule version conflict")
)

// ConflictError is a change based on a stale version; it matches ErrConflict.
type ConflictError struct {
	ID            string
	Base, Current int64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("rule %s: based on version %d, but the current version is %d", e.ID, e.Base, e.Current)
}

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Op says what a saved version did.
type Op string

// The operations recorded in a rule's history.
const (
	OpCreate  Op = "create"
	OpUpdate  Op = "update"
	OpEnable  Op = "enable"
	OpDisable Op = "disable"
	OpDelete  Op = "delete"
)

// Record is a current rule: Rule.Version and Rule.Enabled are the store's.
type Record struct {
	Rule      rules.Rule
	UpdatedAt time.Time
}

// Version is one entry of a rule's history. A delete is recorded as a version of its own
// holding the last body.
type Version struct {
	Rule      rules.Rule
	Op        Op
	CreatedAt time.Time
	// Revision is the store revision the change produced.
	Revision int64
}

// Filter selects rules for List. The zero value lists the first page of 20 of every rule.
type Filter struct {
	// EventType keeps the rules whose eventType is exactly this string; empty: any.
	EventType string
	// Enabled keeps only enabled (true) or disabled (false) rules; nil: both.
	Enabled *bool
	// Page is 0-based; Size is the page size, 20 when <= 0.
	Page, Size int
}

// Store is a rule store. Implementations are safe for concurrent use, also by several processes
// sharing one database. Every change is one transaction that bumps the revision.
type Store interface {
	// List returns one page of the current rules matching f, by ID, and how many match in all.
	List(ctx context.Context, f Filter) ([]Record, int, error)
	// Get returns the current rule id, or ErrNotFound.
	Get(ctx context.Context, id string) (Record, error)
	// Create saves r as a new rule. Its version is 1, or one more than the last version of a
	// deleted rule of the same ID, whose history it continues. ErrExists when the ID is current.
	Create(ctx context.Context, r rules.Rule) (Record, error)
	// Update replaces rule r.ID, which must be at version base; the new version is base+1.
	// ErrNotFound, or a *ConflictError when base is stale.
	Update(ctx context.Context, r rules.Rule, base int64) (Record, error)
	// SetEnabled enables or disables rule id, as a new version; base 0 skips the version check.
	// A rule already in that state is returned unchanged.
	SetEnabled(ctx context.Context, id string, enabled bool, base int64) (Record, error)
	// Delete removes rule id, keeping its history; base 0 skips the version check.
	Delete(ctx context.Context, id string, base int64) error
	// Versions returns the history of rule id, oldest first, or ErrNotFound when it has none.
	Versions(ctx context.Context, id string) ([]Version, error)
	// Revision returns the store's revision: 0 before the first change, then one more per change.
	Revision(ctx context.Context) (int64, error)
	// Snapshot returns the revision and every current rule, by ID, as of one moment.
	Snapshot(ctx context.Context) (int64, []Record, error)
	// AsOf returns the rules that were current at t, each in the version current then, by ID.
	AsOf(ctx context.Context, t time.Time) ([]rules.Rule, error)
	// Changed delivers a value after a change through this handle and, for PostgreSQL, soon
	// after a change by another process (LISTEN/NOTIFY); SQLite cannot tell of other processes.
	// Readers poll Revision anyway: a notification only shortens the wait.
	Changed() <-chan struct{}
	// Close releases the database.
	Close() error
}
