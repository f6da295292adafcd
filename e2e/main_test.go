// Package e2e tests evtrigger end to end: events posted to the real HTTP ingress, workflows on a
// real Temporal dev server (SQLite), tasks hitting real local processes and HTTP servers.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evtrigger/evtrigger/internal/devserver"
	"github.com/evtrigger/evtrigger/workflows"
)

// temporal is the dev server shared by the tests of this package; tests that stop a server
// start their own.
var temporal *devserver.Server

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "evtrigger-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	logPath := filepath.Join(dir, "temporal.log")
	log, err := os.Create(logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer log.Close()
	temporal, err = devserver.Start(context.Background(), devserver.Options{DBFile: filepath.Join(dir, "temporal.db"),
		SearchAttributes: workflows.SearchAttributeTypes(), LogLevel: "warn", Output: log})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer temporal.Stop()
	code := m.Run()
	if code != 0 { // the shared server's own account, in case it is why tests failed
		printTail(logPath, 40)
	}
	return code
}

// printTail writes the last n lines of the file at path to stderr.
func printTail(path string, n int) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	fmt.Fprintf(os.Stderr, "e2e: last lines of the shared Temporal dev server's log (%s):\n", path)
	for _, l := range lines[max(0, len(lines)-n):] {
		fmt.Fprintln(os.Stderr, "  ", l)
	}
}
