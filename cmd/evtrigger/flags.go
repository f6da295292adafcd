package main

import (
	"flag"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// envName is the environment variable that sets a flag: EVTRIGGER_ + upper-cased name, with
// dashes as underscores (--temporal-address → EVTRIGGER_TEMPORAL_ADDRESS).
func envName(flagName string) string {
	return "EVTRIGGER_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// stringFlag defines a string flag whose default comes from its environment variable, else def.
func stringFlag(fs *flag.FlagSet, p *string, name, def, usage string) {
	if v, ok := os.LookupEnv(envName(name)); ok {
		def = v
	}
	fs.StringVar(p, name, def, usage+" ($"+envName(name)+")")
}

func boolFlag(fs *flag.FlagSet, p *bool, name string, def bool, usage string) {
	if v, err := strconv.ParseBool(os.Getenv(envName(name))); err == nil {
		def = v
	}
	fs.BoolVar(p, name, def, usage+" ($"+envName(name)+")")
}

func intFlag(fs *flag.FlagSet, p *int, name string, def int, usage string) {
	if v, err := strconv.Atoi(os.Getenv(envName(name))); err == nil {
		def = v
	}
	fs.IntVar(p, name, def, usage+" ($"+envName(name)+")")
}

func durationFlag(fs *flag.FlagSet, p *time.Duration, name string, def time.Duration, usage string) {
	if v, err := time.ParseDuration(os.Getenv(envName(name))); err == nil {
		def = v
	}
	fs.DurationVar(p, name, def, usage+" ($"+envName(name)+")")
}

// listFlag splits a comma-separated flag value, dropping empty entries.
func listFlag(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// logFlags are the logging flags every long-running command has.
type logFlags struct {
	json  bool
	level string
}

func (l *logFlags) register(fs *flag.FlagSet) {
	boolFlag(fs, &l.json, "log-json", false, "log JSON lines instead of text")
	stringFlag(fs, &l.level, "log-level", "info", "log level: debug, info, warn, error")
}

func (l *logFlags) logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if l.json {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
