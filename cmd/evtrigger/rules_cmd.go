package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/evtrigger/evtrigger/event"
	"github.com/evtrigger/evtrigger/rules"
)

// errFindings is returned when lint found problems: they were printed, exit code 1.
type errFindings struct{ n int }

func (e errFindings) Error() string { return fmt.Sprintf("%d file(s) with errors", e.n) }

func runRules(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: evtrigger rules lint|test|list|get|apply|delete|enable|disable|versions; see README", errUsage)
	}
	switch args[0] {
	case "lint":
		return runRulesLint(args[1:], stdout)
	case "test":
		return runRulesTest(ctx, args[1:], stdout)
	case "list":
		return runRulesList(ctx, args[1:], stdout)
	case "apply":
		return runRulesApply(ctx, args[1:], stdout)
	case "get", "delete", "enable", "disable", "versions":
		return runRulesOne(ctx, args[0], args[1:], stdout)
	}
	return fmt.Errorf("%w: unknown rules command %q (lint, test, list, get, apply, delete, enable, disable, versions)", errUsage, args[0])
}

// runRulesLint compiles each file and prints every problem as file:line:col.
func runRulesLint(files []string, stdout io.Writer) error {
	if len(files) == 0 {
		return fmt.Errorf("%w: evtrigger rules lint FILE...", errUsage)
	}
	env, err := rules.NewEnv(rules.EnvOptions{})
	if err != nil {
		return err
	}
	bad := 0
	for _, f := range files {
		compiled, err := rules.LoadPath(f, env)
		if err != nil {
			bad++
			fmt.Fprintln(stdout, err)
			continue
		}
		fmt.Fprintf(stdout, "%s: %d rule(s) ok\n", f, len(compiled))
	}
	if bad > 0 {
		return errFindings{bad}
	}
	return nil
}

// runRulesTest is a dry run; nothing runs. With a RULE_ID argument it asks the API whether that
// stored rule matches the event (--server, --token). Without one it is offline: which rules of
// --rules match the event, the rendered task of each, and why every other rule did not.
func runRulesTest(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("rules test", flag.ContinueOnError)
	var rulesPath, eventPath string
	var asJSON bool
	var sf serverFlags
	fs.StringVar(&rulesPath, "rules", "rules/examples", "rules file or directory (offline dry run)")
	fs.StringVar(&eventPath, "event", "", "event file (seed envelope or CloudEvents JSON); - for stdin")
	fs.BoolVar(&asJSON, "json", false, "print the evaluation as JSON")
	sf.register(fs)
	pos, err := parseInterspersed(fs, args)
	switch {
	case err != nil:
		return err
	case eventPath == "":
		return fmt.Errorf("%w: --event is required", errUsage)
	case len(pos) == 1:
		return runRulesTestRemote(ctx, sf.client(), pos[0], eventPath, asJSON, stdout)
	case len(pos) > 1:
		return fmt.Errorf("%w: evtrigger rules test [RULE_ID] --event FILE", errUsage)
	}
	rs, err := loadRules(rulesPath)
	if err != nil {
		return err
	}
	ev, err := readEvent(eventPath)
	if err != nil {
		return err
	}
	eval := rs.Current().Explain(ctx, ev)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(eval)
	}
	printEvaluation(stdout, ev, eval)
	return nil
}

// readFileOrStdin reads a file, or stdin for "-".
func readFileOrStdin(path string) ([]byte, error) {
	var body []byte
	var err error
	if path == "-" {
		body, err = io.ReadAll(os.Stdin)
	} else {
		body, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return body, nil
}

func readEvent(path string) (event.Event, error) {
	body, err := readFileOrStdin(path)
	if err != nil {
		return event.Event{}, err
	}
	ev, err := event.Parse(body, event.Options{DefaultID: event.ContentID})
	if err != nil {
		return event.Event{}, fmt.Errorf("event %s: %w", path, err)
	}
	return ev, nil
}

func printEvaluation(w io.Writer, ev event.Event, eval rules.Evaluation) {
	fmt.Fprintf(w, "event %s (type %s): %d rule(s) match\n", ev.ID, ev.Type, len(eval.Matched))
	for _, m := range eval.Matched {
		task, _ := json.Marshal(m.Task)
		fmt.Fprintf(w, "  MATCH    %s (v%d, %s, timeout %s, %d attempts): %s\n",
			m.RuleID, m.Version, m.Priority, m.Timeout, m.Retry.MaxAttempts, task)
	}
	for _, v := range eval.Verdicts {
		if v.Outcome == rules.OutcomeMatched {
			continue
		}
		line := fmt.Sprintf("  NO MATCH %s (v%d): %s", v.RuleID, v.Version, v.Outcome)
		if v.Message != "" {
			line += ": " + v.Message
		}
		fmt.Fprintln(w, line)
	}
}
