package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/evtrigger/evtrigger/api"
	"github.com/evtrigger/evtrigger/rules"
)

// runRulesApply syncs rule files into the store through the API: rules the files have and the
// store lacks are created, rules that differ are updated (based on the version just read, so a
// concurrent change makes it fail with 409 rather than be overwritten), and with --prune rules
// the files lack are deleted. The files are compiled first: a bad rule stops the apply before
// anything changes, with file:line:col.
func runRulesApply(ctx context.Context, args []string, stdout io.Writer) error {
	var prune, dryRun bool
	c, paths, err := parseRemote("apply", args, -1, "apply FILE|DIR... [--prune] [--dry-run]", func(fs *flag.FlagSet) {
		fs.BoolVar(&prune, "prune", false, "delete the stored rules the files lack")
		fs.BoolVar(&dryRun, "dry-run", false, "print what would change, change nothing")
	})
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return fmt.Errorf("%w: evtrigger rules apply FILE|DIR... [--prune] [--dry-run]", errUsage)
	}
	want, err := loadForApply(paths)
	if err != nil {
		return err
	}
	have, err := listAll(ctx, c, "", "")
	if err != nil {
		return err
	}
	a := &applier{c: c, out: stdout, dryRun: dryRun}
	for _, r := range want {
		i := slices.IndexFunc(have, func(h remoteRule) bool { return h.ID == r.ID })
		if i < 0 {
			err = a.create(ctx, r)
		} else {
			err = a.update(ctx, r, have[i].Rule)
		}
		if err != nil {
			return fmt.Errorf("rule %s: %w", r.ID, err)
		}
	}
	for _, h := range have {
		if prune && !slices.ContainsFunc(want, func(r rules.Rule) bool { return r.ID == h.ID }) {
			if err := a.delete(ctx, h.Rule); err != nil {
				return fmt.Errorf("rule %s: %w", h.ID, err)
			}
		}
	}
	fmt.Fprintf(stdout, "%d created, %d updated, %d deleted, %d unchanged\n", a.created, a.updated, a.deleted, a.unchanged)
	return nil
}

// loadForApply compiles the rules of every path; a ruleId may appear once across them.
func loadForApply(paths []string) ([]rules.Rule, error) {
	var all []rules.Rule
	from := map[string]string{}
	for _, p := range paths {
		rs, err := compiledRules(p)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if prev, dup := from[r.ID]; dup {
				return nil, fmt.Errorf("rule %s is in both %s and %s", r.ID, prev, p)
			}
			from[r.ID] = p
			all = append(all, r)
		}
	}
	slices.SortFunc(all, func(a, b rules.Rule) int { return strings.Compare(a.ID, b.ID) })
	return all, nil
}

// applier makes the changes of one apply and counts them.
type applier struct {
	c                                    *apiClient
	out                                  io.Writer
	dryRun                               bool
	created, updated, deleted, unchanged int
}

func (a *applier) verb(done, would string) string {
	if a.dryRun {
		return would
	}
	return done
}

func (a *applier) create(ctx context.Context, r rules.Rule) error {
	a.created++
	var got remoteRule
	if !a.dryRun {
		if err := a.c.do(ctx, "POST", api.RulesPath, r, 0, &got); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.out, "%s %s (v%d)\n", a.verb("created", "would create"), r.ID, got.Version)
	return nil
}

func (a *applier) update(ctx context.Context, r, stored rules.Rule) error {
	if sameRule(r, stored) {
		a.unchanged++
		fmt.Fprintf(a.out, "unchanged %s (v%d)\n", r.ID, stored.Version)
		return nil
	}
	a.updated++
	r.Version = stored.Version
	var got remoteRule
	if !a.dryRun {
		if err := a.c.do(ctx, "PUT", rulePath(r.ID), r, stored.Version, &got); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.out, "%s %s (v%d -> v%d)\n", a.verb("updated", "would update"), r.ID, stored.Version, got.Version)
	return nil
}

func (a *applier) delete(ctx context.Context, stored rules.Rule) error {
	a.deleted++
	if !a.dryRun {
		if err := a.c.do(ctx, "DELETE", rulePath(stored.ID), nil, stored.Version, nil); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.out, "%s %s (was v%d)\n", a.verb("deleted", "would delete"), stored.ID, stored.Version)
	return nil
}

// sameRule compares two rules, both with defaults applied, ignoring their versions.
func sameRule(a, b rules.Rule) bool {
	a.Version, b.Version = 0, 0
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
