package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"

	"github.com/evtrigger/evtrigger/workflows"
)

// runEvents runs `events status|explain|retry|skip|abort EVENT_ID` against the API.
func runEvents(ctx context.Context, args []string, stdout io.Writer) error {
	usage := fmt.Errorf("%w: evtrigger events status|explain|retry|skip|abort EVENT_ID [--rule R] [--server URL] [--token T]", errUsage)
	if len(args) == 0 {
		return usage
	}
	verb := args[0]
	var ruleID string
	var asJSON bool
	c, pos, err := parseRemote(verb, args[1:], 1, verb+" EVENT_ID", func(fs *flag.FlagSet) {
		fs.StringVar(&ruleID, "rule", "", "retry or skip only the failed task of this rule ID")
		fs.BoolVar(&asJSON, "json", false, "print the answer as JSON")
	})
	if err != nil {
		return err
	}
	path := "/api/v1/events/" + url.PathEscape(pos[0])
	switch verb {
	case "status":
		var st workflows.Status
		if err := c.do(ctx, "GET", path+"/status", nil, 0, &st); err != nil {
			return err
		}
		if asJSON {
			return printJSON(stdout, st)
		}
		printStatus(stdout, st)
		return nil
	case "explain":
		var out any
		if err := c.do(ctx, "GET", path+"/explain", nil, 0, &out); err != nil {
			return err
		}
		return printJSON(stdout, out)
	case "retry", "skip", "abort":
		if err := c.do(ctx, "POST", path+"/"+verb, workflows.OperatorSignal{RuleID: ruleID}, 0, nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "sent %s to event %s\n", verb, pos[0])
		return nil
	}
	return usage
}

func printStatus(w io.Writer, st workflows.Status) {
	fmt.Fprintf(w, "event %s (%s): %s", st.EventID, st.EventType, st.Phase)
	if !st.WaitingUntil.IsZero() {
		fmt.Fprintf(w, " until %s: retry, skip or abort", st.WaitingUntil.Format("2006-01-02 15:04:05Z07:00"))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tTASK\tSTATE\tATTEMPTS\tLAST ERROR")
	for _, ts := range st.Tasks {
		msg := ts.LastError
		if ts.Waiting != "" {
			msg = ts.Waiting
		}
		if msg == "" && ts.OrderError != "" {
			msg = ts.OrderError
		}
		if ts.CompensationError != "" {
			msg = "compensation: " + ts.CompensationError
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", ts.RuleID, ts.TaskName, ts.State, ts.Attempts, msg)
	}
	tw.Flush()
}
