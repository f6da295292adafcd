package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/kafka"
)

// runReplay reads past records of a topic without joining the group or committing, evaluates
// the current rules, and reports per rule how many events would fire and how many already have
// a workflow; without --dry-run it starts the missing workflows (idempotent, safe to re-run).
func runReplay(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	var cf common
	var kf kafkaConnFlags
	var topic, from, to string
	var fromOffset int64
	var dryRun bool
	cf.register(fs, "127.0.0.1:7233")
	kf.register(fs)
	fs.StringVar(&topic, "topic", "business-events", "topic to replay")
	fs.Int64Var(&fromOffset, "from-offset", 0, "first offset, in every partition")
	fs.StringVar(&from, "from-time", "", "first record time (RFC 3339); overrides --from-offset")
	fs.StringVar(&to, "to-time", "", "stop before this record time (RFC 3339); default: the end as of now")
	fs.BoolVar(&dryRun, "dry-run", false, "report only; start nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if kf.brokers == "" {
		return fmt.Errorf("%w: --kafka-brokers is required", errUsage)
	}
	rng := kafka.RangeOptions{Conn: kf.conn(), Topic: topic, FromOffset: fromOffset}
	var err error
	if rng.FromTime, err = parseTimeFlag("from-time", from); err != nil {
		return err
	}
	if rng.ToTime, err = parseTimeFlag("to-time", to); err != nil {
		return err
	}
	o, err := cf.open(ctx, cf.log.logger())
	if err != nil {
		return err
	}
	defer o.close()
	starter := ingress.NewStarter(o.client, o.rules, ingress.StarterOptions{TaskQueue: cf.temporal.taskQueue})
	r := ingress.NewReplayer(o.rules, o.client, starter, dryRun)
	if _, err := kafka.ReadRange(ctx, rng, r.Handle); err != nil {
		return fmt.Errorf("replay %s: %w", topic, err)
	}
	printReplay(stdout, topic, dryRun, r.Report())
	return nil
}

func parseTimeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: --%s %q: want RFC 3339, such as 2025-09-06T10:30:00Z", errUsage, name, v)
	}
	return t, nil
}

func printReplay(w io.Writer, topic string, dryRun bool, rep ingress.ReplayReport) {
	mode := fmt.Sprintf("started %d workflow(s)", rep.Started)
	if dryRun {
		mode = "dry run: started nothing"
	}
	fmt.Fprintf(w, "replayed %d record(s) of %s (%d not events, %d match no rule); %s\n",
		rep.Records, topic, rep.Invalid, rep.Unmatched, mode)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tWOULD FIRE\tDID FIRE\tMISSING")
	for _, id := range rep.RuleIDs() {
		rr := rep.Rules[id]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", id, rr.WouldFire, rr.DidFire, rr.WouldFire-rr.DidFire)
	}
	tw.Flush()
}
