//go:build faults

package faults

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// results collects the cases' rows and renders them as the Markdown table of
// docs/RELIABILITY.md.
type results struct {
	mu   sync.Mutex
	rows []outcome
}

func (r *results) add(o outcome) {
	r.mu.Lock()
	r.rows = append(r.rows, o)
	r.mu.Unlock()
}

// table renders the rows.
func (r *results) table() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("| case | events | lost | duplicates | retried (deduplicated) | recovery | runtime | notes |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, o := range r.rows {
		rec := "-"
		if o.Recovery > 0 {
			rec = o.Recovery.Round(100 * time.Millisecond).String()
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s | %s | %s |\n", o.Case, o.Events, o.Lost, o.Dups, o.Retried,
			rec, o.Runtime.Round(time.Second), o.Note)
	}
	return b.String()
}

// write prints the table to w and, when path is set, writes it to that file.
func (r *results) write(w io.Writer, path string) error {
	t := r.table()
	fmt.Fprintf(w, "\nfault suite results (%s):\n%s", time.Now().UTC().Format(time.RFC3339), t)
	if path == "" {
		return nil
	}
	return os.WriteFile(path, []byte(t), 0o644)
}
