package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/evtrigger/evtrigger/internal/health"
	"github.com/evtrigger/evtrigger/metrics"
	"github.com/evtrigger/evtrigger/workflows"
)

// processMetrics are one process's metrics: evtrigger's collectors and the Temporal SDK's, on
// one registry served at /metrics.
type processMetrics struct {
	registry *prometheus.Registry
	metrics  *metrics.Metrics
}

// openMetrics creates the process's registry and collectors, and sets the Temporal SDK's
// metrics handler on t for the client it dials.
func openMetrics(t *temporalFlags) (processMetrics, error) {
	reg := metrics.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		return processMetrics{}, fmt.Errorf("metrics: %w", err)
	}
	if t.metricsHandler, err = metrics.NewTemporalHandler(reg); err != nil {
		return processMetrics{}, fmt.Errorf("temporal sdk metrics: %w", err)
	}
	return processMetrics{registry: reg, metrics: m}, nil
}

// registerSearchAttributes defines --search-attributes, defaulting to def.
func registerSearchAttributes(fs *flag.FlagSet, p *bool, def bool) {
	boolFlag(fs, p, "search-attributes", def,
		"start workflows with the search attributes EventType, EventSource, EventPriority, TraceID and MatchedRules; the cluster must have them registered (dev registers them)")
}

// checks are the readiness checks of every process: Temporal answers, rules are loaded.
func (o *opened) checks() []health.Check {
	return []health.Check{health.Temporal(o.client), health.Rules(o.rules)}
}

// serveWorkerHTTP serves /metrics, /healthz and /readyz on addr until ctx ends: the worker's
// only HTTP endpoint.
func serveWorkerHTTP(ctx context.Context, addr string, o *opened, logger *slog.Logger) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	logger.Info("worker serving metrics and health", "addr", l.Addr().String())
	return serveHTTP(ctx, l, health.Mux(o.checks(), metrics.Path, metrics.Handler(o.obs.registry)))
}

// searchAttributesNote says how dev mode's search attributes are set up, for its banner.
func searchAttributesNote(on bool) string {
	if !on {
		return "off (--search-attributes)"
	}
	return fmt.Sprintf("%d registered, e.g. EventType = \"order.created\"", len(workflows.SearchAttributeTypes()))
}
