package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/rules/store"
	"github.com/evtrigger/evtrigger/rules/store/storetest"
)

func shellRule(id, eventType, cond string) rules.Rule {
	return rules.Rule{ID: id, EventType: eventType, Condition: cond, TaskType: "shell",
		Parameters: map[string]any{"script": "/bin/true"}}
}

func TestCRUDAndHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st := storetest.Open(t, dsn)
		if rev, _ := st.Revision(ctx); rev != 0 {
			t.Fatalf("revision of a new store = %d", rev)
		}
		rec, err := st.Create(ctx, shellRule("a", "order.created", "true"))
		if err != nil || rec.Rule.Version != 1 || !rec.Rule.IsEnabled() {
			t.Fatalf("create = %+v, %v", rec, err)
		}
		if _, err := st.Create(ctx, shellRule("a", "x", "")); !errors.Is(err, store.ErrExists) {
			t.Errorf("second create = %v, want ErrExists", err)
		}
		upd := shellRule("a", "order.paid", "false")
		if rec, err = st.Update(ctx, upd, 1); err != nil || rec.Rule.Version != 2 {
			t.Fatalf("update = %+v, %v", rec, err)
		}
		var ce *store.ConflictError
		if _, err := st.Update(ctx, upd, 1); !errors.As(err, &ce) || ce.Current != 2 {
			t.Errorf("stale update = %v, want a conflict at 2", err)
		}
		if rec, err = st.SetEnabled(ctx, "a", false, 0); err != nil || rec.Rule.IsEnabled() || rec.Rule.Version != 3 {
			t.Fatalf("disable = %+v, %v", rec, err)
		}
		if rec, err = st.SetEnabled(ctx, "a", false, 0); err != nil || rec.Rule.Version != 3 {
			t.Errorf("disable again = %+v, %v; want unchanged version 3", rec, err)
		}
		got, err := st.Get(ctx, "a")
		if err != nil || got.Rule.EventType != "order.paid" || got.Rule.IsEnabled() {
			t.Errorf("get = %+v, %v", got, err)
		}
		if err := st.Delete(ctx, "a", 2); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale delete = %v", err)
		}
		if err := st.Delete(ctx, "a", 3); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Get(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("get after delete = %v", err)
		}
		vs, err := st.Versions(ctx, "a")
		ops := []store.Op{}
		for _, v := range vs {
			ops = append(ops, v.Op)
		}
		want := []store.Op{store.OpCreate, store.OpUpdate, store.OpDisable, store.OpDelete}
		if err != nil || len(ops) != 4 || ops[0] != want[0] || ops[1] != want[1] || ops[2] != want[2] || ops[3] != want[3] {
			t.Errorf("history = %v, %v; want %v", ops, err, want)
		}
		if rec, err = st.Create(ctx, shellRule("a", "x", "")); err != nil || rec.Rule.Version != 5 {
			t.Errorf("re-create after delete = %+v, %v; want version 5", rec, err)
		}
		if rev, _ := st.Revision(ctx); rev != 5 {
			t.Errorf("revision = %d, want 5 (one per change)", rev)
		}
		if _, err := st.Versions(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("versions of unknown = %v", err)
		}
	})
}

func TestListFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st := storetest.Open(t, dsn)
		for _, id := range []string{"c", "a", "b", "d"} {
			r := shellRule(id, "order.created", "")
			if id == "d" {
				r.EventType = "payment.completed"
			}
			if _, err := st.Create(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.SetEnabled(ctx, "b", false, 1); err != nil {
			t.Fatal(err)
		}
		ids := func(f store.Filter) ([]string, int) {
			recs, total, err := st.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, r := range recs {
				out = append(out, r.Rule.ID)
			}
			return out, total
		}
		yes, no := true, false
		for _, c := range []struct {
			f     store.Filter
			want  string
			total int
		}{
			{store.Filter{}, "[a b c d]", 4},
			{store.Filter{Size: 2, Page: 1}, "[c d]", 4},
			{store.Filter{EventType: "order.created"}, "[a b c]", 3},
			{store.Filter{Enabled: &no}, "[b]", 1},
			{store.Filter{EventType: "order.created", Enabled: &yes}, "[a c]", 2},
		} {
			got, total := ids(c.f)
			if fmtList(got) != c.want || total != c.total {
				t.Errorf("List(%+v) = %v of %d, want %s of %d", c.f, got, total, c.want, c.total)
			}
		}
	})
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// TestConcurrentUpdatesOneWins: two updates based on the same version, at once; exactly one
// succeeds and the other gets a conflict, on each database.
func TestConcurrentUpdatesOneWins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st := storetest.Open(t, dsn)
		other := storetest.Open(t, dsn) // a second handle: as a second process would
		if _, err := st.Create(ctx, shellRule("r", "x", "")); err != nil {
			t.Fatal(err)
		}
		for round := int64(1); round <= 10; round++ {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, s := range []store.Store{st, other} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = s.Update(ctx, shellRule("r", "x", "true"), round)
				}()
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, store.ErrConflict):
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d updates succeeded (%v), want exactly 1", round, ok, errs)
			}
		}
	})
}

func TestAsOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st := storetest.Open(t, dsn)
		if _, err := st.Create(ctx, shellRule("a", "x", "")); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Create(ctx, shellRule("b", "x", "")); err != nil {
			t.Fatal(err)
		}
		mid := time.Now()
		waitPast(mid)
		if _, err := st.Update(ctx, shellRule("a", "y", ""), 1); err != nil {
			t.Fatal(err)
		}
		if err := st.Delete(ctx, "b", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Create(ctx, shellRule("c", "x", "")); err != nil {
			t.Fatal(err)
		}
		then, err := st.AsOf(ctx, mid)
		if err != nil || len(then) != 2 || then[0].EventType != "x" || then[1].ID != "b" {
			t.Errorf("AsOf(mid) = %+v, %v; want a@1 and b", then, err)
		}
		now, err := st.AsOf(ctx, time.Now())
		if err != nil || len(now) != 2 || now[0].Version != 2 || now[1].ID != "c" {
			t.Errorf("AsOf(now) = %+v, %v; want a@2 and c", now, err)
		}
	})
}

// waitPast returns once the wall clock has passed t by a microsecond, the store's resolution.
func waitPast(t time.Time) {
	for !time.Now().After(t.Add(time.Microsecond)) {
		// Busy-wait of at most a few microseconds; no sleep needed.
	}
}
