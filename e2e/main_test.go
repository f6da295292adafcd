// Package e2e tests evtrigger end to end: events posted to the real HTTP ingress, workflows on a
// real Temporal dev server (SQLite), tasks hitting real local processes and HTTP servers.
package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/evtrigger/evtrigger/internal/devserver"
	"github.com/evtrigger/evtrigger/internal/testenv"
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
	temporal, err = testenv.StartTemporal(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer temporal.Stop()
	return m.Run()
}
