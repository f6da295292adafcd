package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/evtrigger/evtrigger/activities"
	"github.com/evtrigger/evtrigger/api"
	"github.com/evtrigger/evtrigger/ingress"
	"github.com/evtrigger/evtrigger/ingress/httpin"
	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/internal/health"
	"github.com/evtrigger/evtrigger/metrics"
	"github.com/evtrigger/evtrigger/rules"
	"github.com/evtrigger/evtrigger/rules/store"
	"github.com/evtrigger/evtrigger/worker"
)

// temporalFlags say which Temporal cluster to use.
type temporalFlags struct {
	address, namespace, taskQueue string
	// metricsHandler receives the SDK's metrics (observability.go); nil: none.
	metricsHandler client.MetricsHandler
}

func (t *temporalFlags) register(fs *flag.FlagSet, defaultAddress string) {
	stringFlag(fs, &t.address, "temporal-address", defaultAddress, "Temporal frontend host:port")
	stringFlag(fs, &t.namespace, "temporal-namespace", "default", "Temporal namespace")
	stringFlag(fs, &t.taskQueue, "task-queue", ingress.DefaultTaskQueue, "Temporal task queue of the workers")
}

func (t *temporalFlags) dial(ctx context.Context, logger *slog.Logger) (client.Client, error) {
	c, err := client.DialContext(ctx, client.Options{
		HostPort:       t.address,
		Namespace:      t.namespace,
		Logger:         sdklog.NewStructuredLogger(logger.With("component", "temporal-sdk")),
		MetricsHandler: t.metricsHandler,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to temporal at %s: %w", t.address, err)
	}
	return c, nil
}

// common are the flags and set-up every long-running command shares: Temporal, rules, logging.
type common struct {
	temporal  temporalFlags
	log       logFlags
	rulesPath string
	// rulesDSN, when set, serves the rules from a store with hot reload (rules_store.go).
	rulesDSN string
	// seedStore loads rulesPath into a store that was never written (dev mode).
	seedStore bool
}

func (c *common) register(fs *flag.FlagSet, defaultAddress string) {
	c.temporal.register(fs, defaultAddress)
	c.log.register(fs)
	stringFlag(fs, &c.rulesPath, "rules", "rules/examples", "rules file or directory of *.yaml")
	stringFlag(fs, &c.rulesDSN, "rules-dsn", "", "rule store: a SQLite file path or a postgres:// URL; rules then come from it, hot reloaded, and --rules is ignored (dev: seeds a new store)")
}

// opened is what common's set-up yields; close releases it.
type opened struct {
	logger *slog.Logger
	rules  rules.Source
	store  store.Store // nil without --rules-dsn
	stop   func()      // stops the rule reloader and closes the store
	client client.Client
	obs    processMetrics
}

// open loads the rules and dials Temporal.
func (c *common) open(ctx context.Context, logger *slog.Logger) (*opened, error) {
	o, err := c.openRules(ctx, logger)
	if err != nil {
		return nil, err
	}
	if o.obs, err = openMetrics(&c.temporal); err != nil {
		o.stop()
		return nil, err
	}
	if o.client, err = c.temporal.dial(ctx, logger); err != nil {
		o.stop()
		return nil, err
	}
	return o, nil
}

// workerFlags configure the task activities.
type workerFlags struct {
	httpAllow, notifyURL string
	maxActivities        int
	maxWorkflowTasks     int
	outcomesTopic        string
	operatorWait         time.Duration
}

func (w *workerFlags) register(fs *flag.FlagSet) {
	stringFlag(fs, &w.httpAllow, "http-allow-hosts", "",
		"comma-separated hosts, *.domains and CIDRs HTTP tasks may call; empty allows any host except link-local and cloud metadata addresses")
	intFlag(fs, &w.maxActivities, "max-concurrent-tasks", 200, "tasks one worker runs at once")
	intFlag(fs, &w.maxWorkflowTasks, "max-concurrent-workflow-tasks", 200,
		"workflow tasks one worker runs at once (an eager start needs a free one: raise --kafka-max-in-flight with it)")
	durationFlag(fs, &w.operatorWait, "operator-wait", 7*24*time.Hour,
		"how long a workflow whose tasks failed for good waits for an operator's retry, skip or abort before it compensates; 0: at once")
	stringFlag(fs, &w.notifyURL, "notify-url", "", "Slack-compatible webhook called when a workflow starts waiting for an operator")
}

// registerOutcomes adds --outcomes-topic with its default (dev: the seed's schedule-tasks).
func (w *workerFlags) registerOutcomes(fs *flag.FlagSet, def string) {
	stringFlag(fs, &w.outcomesTopic, "outcomes-topic", def,
		"Kafka topic every task outcome (triggered, succeeded, failed) is published to, keyed by event ID; empty: none")
}

// start starts a worker; with --outcomes-topic it publishes outcomes through kafka (which must
// name brokers). stop closes the outcome publisher after the worker stopped.
func (w *workerFlags) start(o *opened, tq string, kafkaConn kafka.Conn, logger *slog.Logger) (sdkworker.Worker, func(), error) {
	c := o.client
	opts := activities.Options{HTTPAllow: listFlag(w.httpAllow), Logger: logger, Rules: o.rules, Metrics: o.obs.metrics,
		OperatorWait: w.operatorWait, NotifyURL: w.notifyURL, Temporal: c}
	closeOutcomes := func() {}
	if w.outcomesTopic != "" {
		if len(kafkaConn.Brokers) == 0 {
			return nil, nil, fmt.Errorf("%w: --outcomes-topic needs --kafka-brokers", errUsage)
		}
		pub, err := kafka.NewOutcomePublisher(kafkaConn, w.outcomesTopic)
		if err != nil {
			return nil, nil, err
		}
		opts.Outcomes, closeOutcomes = pub, pub.Close
	}
	acts, err := activities.New(opts)
	if err != nil {
		closeOutcomes()
		return nil, nil, fmt.Errorf("configure activities: %w", err)
	}
	wk := worker.New(c, acts, worker.Options{TaskQueue: tq, MaxConcurrentActivities: w.maxActivities,
		MaxConcurrentWorkflowTasks: w.maxWorkflowTasks})
	if err := wk.Start(); err != nil {
		closeOutcomes()
		return nil, nil, fmt.Errorf("start worker on task queue %s: %w", tq, err)
	}
	return wk, func() { wk.Stop(); closeOutcomes() }, nil
}

// ingressFlags configure the HTTP ingress and API.
type ingressFlags struct {
	httpAddr, apiToken string
	startTimeout       time.Duration
	workflowTimeout    time.Duration
	recordUnmatched    bool
	openReads          bool
	searchAttributes   bool // registered per command (observability.go)
}

func (i *ingressFlags) register(fs *flag.FlagSet, defaultAddr string) {
	stringFlag(fs, &i.httpAddr, "http-addr", defaultAddr, "address of the HTTP ingress and API")
	stringFlag(fs, &i.apiToken, "api-token", "", "bearer token required by mutating API endpoints; empty: none")
	durationFlag(fs, &i.startTimeout, "start-timeout", 5*time.Second, "how long a workflow start may take before the event is refused as 503")
	boolFlag(fs, &i.recordUnmatched, "record-unmatched", false, "start workflows also for events no enabled rule can match")
	durationFlag(fs, &i.workflowTimeout, "workflow-timeout", 30*24*time.Hour,
		"run timeout of an event's workflow, operator waits included (keep it above the workers' --operator-wait)")
	boolFlag(fs, &i.openReads, "api-open-reads", false, "let API reads (GET, rule dry run) through without the --api-token")
}

// starter returns the idempotent starter every source of this process shares.
func (i *ingressFlags) starter(o *opened, tq string, eager bool) *ingress.Starter {
	return ingress.NewStarter(o.client, o.rules, ingress.StarterOptions{
		TaskQueue: tq, StartTimeout: i.startTimeout, EagerStart: eager, RecordUnmatched: i.recordUnmatched,
		RunTimeout:       i.workflowTimeout,
		SearchAttributes: i.searchAttributes,
	})
}

// handler returns the HTTP ingress and API, with /metrics and /readyz (checks).
func (i *ingressFlags) handler(o *opened, starter *ingress.Starter, checks []health.Check) http.Handler {
	return api.NewHandler(api.Options{Token: i.apiToken, OpenReads: i.openReads,
		Events: httpin.New(starter, httpin.Options{Logger: o.logger, Metrics: o.obs.metrics}),
		Store:  o.store, Rules: o.rules, Temporal: o.client, Logger: o.logger,
		Metrics: metrics.Handler(o.obs.registry), Ready: health.Ready(checks, 0)})
}

// brokerFlags are the broker sources' flags.
type brokerFlags struct {
	kafka *kafkaFlags
	amqp  *amqpFlags
}

// namedSource is a configured broker source and the processor its messages go through.
type namedSource struct {
	name string
	src  ingress.Source
	proc *ingress.Processor
}

// sources returns the broker sources the flags configure (Kafka with brokers, RabbitMQ with a
// URL), each with a processor starting through starter, and adds their readiness checks to
// checks. Each source screens its messages with its processor (ingress.Processor.Screen).
func (b brokerFlags) sources(o *opened, starter *ingress.Starter, checks *[]health.Check) ([]namedSource, error) {
	processor := func(label string) *ingress.Processor {
		return ingress.NewProcessor(starter, ingress.ProcessorOptions{Logger: o.logger, Source: label, Metrics: o.obs.metrics})
	}
	var out []namedSource
	if b.kafka.brokers != "" { // a processor only for a configured source: it creates its metrics
		kp := processor(metrics.SourceKafka)
		ks, err := b.kafka.source(o.logger, o.obs.metrics, kp.Screen)
		if err != nil {
			return nil, err
		}
		out = append(out, namedSource{"kafka", ks, kp})
		*checks = append(*checks, health.Check{Name: "kafka", Func: ks.Ready})
		o.logger.Info("kafka source configured", "brokers", b.kafka.brokers, "topics", b.kafka.topics, "group", b.kafka.group)
	}
	if b.amqp.url != "" {
		ap := processor(metrics.SourceAMQP)
		as, err := b.amqp.source(o.logger.With("source", "amqp"), o.obs.metrics, ap.Screen)
		if err != nil {
			return nil, err
		}
		out = append(out, namedSource{"rabbitmq", as, ap})
		o.logger.Info("rabbitmq source configured", "queues", b.amqp.queues)
	}
	return out, nil
}

// serveIngress runs the broker sources configured and the HTTP ingress (with /metrics and
// /readyz) on l until ctx ends or one of them fails; then it stops the others, waits for the
// sources to drain and acknowledge, and returns the first error.
func serveIngress(ctx context.Context, l net.Listener, inf *ingressFlags, bf brokerFlags, o *opened, starter *ingress.Starter) error {
	checks := o.checks()
	srcs, err := bf.sources(o, starter, &checks)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(srcs)+1)
	for _, s := range srcs {
		go func() {
			err := s.src.Run(ctx, s.proc.Handle)
			cancel()
			if err != nil {
				err = fmt.Errorf("%s source: %w", s.name, err)
			}
			errc <- err
		}()
	}
	go func() {
		err := serveHTTP(ctx, l, inf.handler(o, starter, checks))
		cancel()
		errc <- err
	}()
	var first error
	for range len(srcs) + 1 {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// loadRules compiles every rule under path (a file or a directory of *.yaml).
func loadRules(path string) (*rules.Static, error) {
	env, err := rules.NewEnv(rules.EnvOptions{})
	if err != nil {
		return nil, fmt.Errorf("build CEL environment: %w", err)
	}
	compiled, err := rules.LoadPath(path, env)
	if err != nil {
		return nil, err
	}
	return rules.NewStatic(rules.NewSet(compiled)), nil
}

// serveHTTP serves h on l until ctx ends, then shuts down gracefully within 5 s.
func serveHTTP(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve http on %s: %w", l.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down http server: %w", err)
	}
	return nil
}
