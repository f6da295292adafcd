package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"

	"github.com/evtrigger/evtrigger/api"
	"github.com/evtrigger/evtrigger/rules"
)

// remoteRule is a rule as the API answers it.
type remoteRule struct {
	rules.Rule
	UpdatedAt string `json:"updatedAt"`
}

// parseRemote parses the flags of a rules command that talks to the API, allowing flags after
// positional arguments, and checks the number of positional arguments.
func parseRemote(name string, args []string, nargs int, usage string, setup func(fs *flag.FlagSet)) (*apiClient, []string, error) {
	fs := flag.NewFlagSet("rules "+name, flag.ContinueOnError)
	var sf serverFlags
	sf.register(fs)
	if setup != nil {
		setup(fs)
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, nil, err
	}
	if nargs >= 0 && len(pos) != nargs {
		return nil, nil, fmt.Errorf("%w: evtrigger rules %s", errUsage, usage)
	}
	return sf.client(), pos, nil
}

// parseInterspersed parses flags anywhere among the arguments and returns the others.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func rulePath(id string) string { return api.RulesPath + "/" + url.PathEscape(id) }

// runRulesList prints every rule (all pages), optionally filtered.
func runRulesList(ctx context.Context, args []string, stdout io.Writer) error {
	var eventType, enabled string
	var asJSON bool
	c, _, err := parseRemote("list", args, 0, "list [--event-type T] [--enabled true|false] [--json]", func(fs *flag.FlagSet) {
		fs.StringVar(&eventType, "event-type", "", "only rules whose eventType is exactly this")
		fs.StringVar(&enabled, "enabled", "", "only enabled (true) or disabled (false) rules")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	})
	if err != nil {
		return err
	}
	all, err := listAll(ctx, c, eventType, enabled)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(stdout, all)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tVERSION\tENABLED\tEVENT TYPE\tTASK\tCONDITION")
	for _, r := range all {
		fmt.Fprintf(tw, "%s\t%d\t%t\t%s\t%s %s\t%s\n", r.ID, r.Version, r.IsEnabled(), r.EventType, r.TaskType, r.TaskName, r.Condition)
	}
	return tw.Flush()
}

// listAll fetches every page of the rule list.
func listAll(ctx context.Context, c *apiClient, eventType, enabled string) ([]remoteRule, error) {
	var all []remoteRule
	for page := 0; ; page++ {
		q := url.Values{"page": {fmt.Sprint(page)}, "size": {"200"}}
		if eventType != "" {
			q.Set("eventType", eventType)
		}
		if enabled != "" {
			q.Set("enabled", enabled)
		}
		var p struct {
			Content    []remoteRule `json:"content"`
			TotalPages int          `json:"totalPages"`
		}
		if err := c.do(ctx, "GET", api.RulesPath+"?"+q.Encode(), nil, 0, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Content...)
		if page+1 >= p.TotalPages {
			return all, nil
		}
	}
}

// runRulesOne runs get, delete, enable, disable and versions: one rule ID each.
func runRulesOne(ctx context.Context, verb string, args []string, stdout io.Writer) error {
	c, pos, err := parseRemote(verb, args, 1, verb+" RULE_ID [--server URL] [--token T]", nil)
	if err != nil {
		return err
	}
	id := pos[0]
	var out json.RawMessage
	switch verb {
	case "get":
		err = c.do(ctx, "GET", rulePath(id), nil, 0, &out)
	case "versions":
		err = c.do(ctx, "GET", rulePath(id)+"/versions", nil, 0, &out)
	case "enable", "disable":
		var r remoteRule
		if err = c.do(ctx, "POST", rulePath(id)+"/"+verb, nil, 0, &r); err == nil {
			fmt.Fprintf(stdout, "%s: enabled=%t (version %d)\n", id, r.IsEnabled(), r.Version)
		}
		return err
	case "delete":
		if err = c.do(ctx, "DELETE", rulePath(id), nil, 0, nil); err == nil {
			fmt.Fprintf(stdout, "%s: deleted (its history stays)\n", id)
		}
		return err
	}
	if err != nil {
		return err
	}
	return printJSON(stdout, out)
}

// runRulesTestRemote dry-runs the stored rule id against an event through the API.
func runRulesTestRemote(ctx context.Context, c *apiClient, id, eventPath string, asJSON bool, stdout io.Writer) error {
	raw, err := readFileOrStdin(eventPath)
	if err != nil {
		return err
	}
	var res struct {
		Matched bool          `json:"matched"`
		Verdict rules.Verdict `json:"verdict"`
		Reason  string        `json:"reason"`
		Task    any           `json:"task"`
		EventID string        `json:"eventId"`
	}
	if !json.Valid(raw) {
		return fmt.Errorf("event %s: not valid JSON", eventPath)
	}
	req := map[string]any{"ruleId": id, "eventMessage": json.RawMessage(raw)}
	if err := c.do(ctx, "POST", api.RulesPath+"/test", req, 0, &res); err != nil {
		return err
	}
	if asJSON {
		return printJSON(stdout, res)
	}
	if res.Matched {
		task, _ := json.Marshal(res.Task)
		fmt.Fprintf(stdout, "MATCH    %s (v%d) for event %s: %s\n", id, res.Verdict.Version, res.EventID, task)
		return nil
	}
	fmt.Fprintf(stdout, "NO MATCH %s (v%d) for event %s: %s\n", id, res.Verdict.Version, res.EventID, res.Reason)
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
