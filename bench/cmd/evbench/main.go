// Command evbench measures evtrigger on the embedded stack (one Temporal dev server on SQLite
// with WAL, one kfake broker) and prints a table of absolute figures, ratios measured in the
// same run, and the targets; with --doc it also writes them into docs/BENCHMARKS.md.
// `make bench` and `make bench-full` run it. It is not part of the evtrigger binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/evtrigger/evtrigger/bench/harness"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == harness.KafkaChildArg {
		if err := harness.RunKafkaChild(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "evbench kfake child:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "evbench:", err)
		os.Exit(1)
	}
}

// flags are evbench's options.
type flags struct {
	runs          int
	opts          harness.RunOptions
	doc, label    string
	serverLog     string
	temporalBin   string
	soak          time.Duration
	dynamicConfig []string
}

func parse(args []string) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("evbench", flag.ContinueOnError)
	p := &f.opts.Phases
	fs.IntVar(&f.runs, "runs", 3, "runs; the table shows each figure's median")
	fs.IntVar(&p.N, "n", 2000, "events offered at once in each saturated phase")
	fs.IntVar(&p.Concurrency, "concurrency", 200, "ceiling programs: workflow starts in flight at most (default: the worker's workflow task slots)")
	fs.IntVar(&p.MaxInFlight, "max-in-flight", 0, "end to end: the Kafka source's MaxInFlight (default: the source's default, 200)")
	fs.IntVar(&p.WorkerSlots, "worker-slots", 0, "end to end: the worker's workflow task and activity slots (default: the worker's default, 200)")
	fs.Float64Var(&p.Rate, "rate", 20, "events per second in each latency phase")
	fs.DurationVar(&p.Paced, "paced", 30*time.Second, "length of each latency phase")
	fs.IntVar(&p.Blocks, "blocks", 5, "latency phases of the systems compared (ceiling (b), end to end, split, without the broker, the Kafka hop): blocks each, the systems taking turns")
	fs.DurationVar(&p.Timeout, "timeout", 10*time.Minute, "how long a phase may wait for its tasks")
	fs.IntVar(&f.opts.FilteredN, "filtered-n", 500000, "records each consumer reads in the filtered comparison")
	fs.BoolVar(&f.opts.Split, "split", true, "also run end to end with starter and worker on separate clients (no eager start)")
	fs.StringVar(&f.doc, "doc", "", "update this markdown file between its evbench markers (such as docs/BENCHMARKS.md)")
	fs.StringVar(&f.label, "label", "", "how the run was invoked, for the report (such as `make bench`)")
	fs.StringVar(&f.serverLog, "server-log", "", "file for the dev server's output (default: discarded)")
	fs.StringVar(&f.temporalBin, "temporal-bin", "", "temporal CLI (default: $EVTRIGGER_TEMPORAL_BIN, then as `make` installs it)")
	fs.DurationVar(&f.soak, "soak", 0, "instead of the table: a steady load at --rate for this long, RSS every 30s")
	fs.Func("dynamic-config", "extra dev server dynamic config KEY=VALUE (repeatable)", func(s string) error {
		f.dynamicConfig = append(f.dynamicConfig, s)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if f.runs < 1 || p.N < 1 || p.Rate <= 0 || p.Paced < time.Duration(float64(time.Second)/p.Rate) || f.opts.FilteredN < 1 || p.Blocks < 1 {
		return f, errors.New("--runs, --n, --filtered-n and --blocks must be at least 1, --rate positive, --paced at least one event long")
	}
	return f, nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	f, err := parse(args)
	if err != nil {
		return err
	}
	var serverLog io.Writer
	if f.serverLog != "" {
		lf, err := os.Create(f.serverLog)
		if err != nil {
			return fmt.Errorf("server log: %w", err)
		}
		defer lf.Close()
		serverLog = lf
	}
	env, err := harness.StartEnv(ctx, harness.EnvOptions{TemporalBin: f.temporalBin, DynamicConfig: f.dynamicConfig,
		ServerLog: serverLog})
	if err != nil {
		return err
	}
	defer env.Close()
	if f.soak > 0 {
		return soak(ctx, env, f, stdout)
	}
	return table(ctx, env, f, stdout)
}

// table runs every comparison --runs times and prints (and with --doc writes) the table.
func table(ctx context.Context, env *harness.Env, f flags, stdout io.Writer) error {
	machine, err := harness.ReadMachine()
	if err != nil {
		return err
	}
	rep := harness.Report{Label: f.label, Command: command(), Machine: machine, Options: f.opts}
	start := time.Now()
	progress := func(format string, a ...any) { fmt.Fprintf(os.Stderr, "evbench: "+format+"\n", a...) }
	for i := 1; i <= f.runs; i++ {
		r, err := env.RunOnce(ctx, i, f.opts, progress)
		if err != nil {
			return fmt.Errorf("run %d: %w", i, err)
		}
		rep.Runs = append(rep.Runs, r)
	}
	rep.Took = time.Since(start)
	rep.WriteMarkdown(stdout)
	if f.doc != "" {
		if err := rep.UpdateDoc(f.doc); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwrote %s\n", f.doc)
	}
	return nil
}

// soak runs the steady load and reports whether RSS stayed flat.
func soak(ctx context.Context, env *harness.Env, f flags, stdout io.Writer) error {
	samples, err := env.Soak(ctx, f.soak, f.opts.Phases.Rate, 30*time.Second, stdout)
	if err != nil {
		return err
	}
	dev := harness.Flatness(samples)
	verdict := "met"
	if dev > 0.10 {
		verdict = "not met"
	}
	fmt.Fprintf(stdout, "RSS under load: largest deviation from the median %.1f%% (target ±10%%: %s)\n", dev*100, verdict)
	return nil
}

// command is the invocation as the report shows it, arguments with spaces quoted.
func command() string {
	args := []string{filepath.Join("bin", filepath.Base(os.Args[0]))}
	for _, a := range os.Args[1:] {
		if strings.ContainsAny(a, " '\"") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		args = append(args, a)
	}
	return strings.Join(args, " ")
}
