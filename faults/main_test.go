//go:build faults

package faults

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/evtrigger/evtrigger/internal/devserver"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// suite is what the cases share: the binary under test, one Temporal dev server (cases that
// stop Temporal start their own), one kfake cluster, and the results table.
type suite struct {
	bin      string
	temporal *devserver.Server
	kafka    *kfake.Cluster
	results  *results
	// dir holds the run's files: the suite's Temporal database, each case's logs and files.
	dir string
	// events is how many events a case sends ($FAULTS_EVENTS, default 2000).
	events int
}

var env suite

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	if err := env.setUp(); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 1
	}
	code := m.Run()
	env.tearDown()
	if code == 0 {
		_ = os.RemoveAll(env.dir) // the logs are kept when a case failed
	}
	if err := env.results.write(os.Stdout, os.Getenv("FAULTS_RESULTS")); err != nil {
		fmt.Fprintln(os.Stderr, "faults: write results:", err)
		return 1
	}
	return code
}

func (s *suite) setUp() error {
	s.bin = os.Getenv("EVTRIGGER_BIN")
	if s.bin == "" {
		s.bin = "../bin/evtrigger"
	}
	bin, err := filepath.Abs(s.bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("the binary under test: %w (run `make test-faults`, which builds it)", err)
	}
	s.bin = bin
	s.events = 2000
	if v := os.Getenv("FAULTS_EVENTS"); v != "" {
		if s.events, err = strconv.Atoi(v); err != nil || s.events < 1 {
			return fmt.Errorf("FAULTS_EVENTS=%q: want a positive number", v)
		}
	}
	s.results = &results{}
	if s.dir, err = os.MkdirTemp("", "evtrigger-faults-"); err != nil {
		return err
	}
	fmt.Printf("faults: processes' logs under %s\n", s.dir)
	if s.temporal, err = testenv.StartTemporal(context.Background(), s.dir); err != nil {
		return err
	}
	if s.kafka, err = kfake.NewCluster(kfake.NumBrokers(1)); err != nil {
		_ = s.temporal.Stop()
		return fmt.Errorf("start kfake: %w", err)
	}
	return nil
}

func (s *suite) tearDown() {
	s.kafka.Close()
	_ = s.temporal.Stop()
}
