package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/evtrigger/evtrigger/ingress/kafka"
	"github.com/evtrigger/evtrigger/internal/devserver"
	"github.com/evtrigger/evtrigger/workflows"
)

// devFlags are dev mode's own flags.
type devFlags struct {
	dataDir, temporalBin            string
	temporalPort, uiPort, kafkaPort int
}

// runDev runs the whole thing on one machine: a Temporal dev server on SQLite (unless
// --temporal-address names one), the worker, the HTTP ingress and the API, in one process that
// shares one Temporal client, so workflow starts are eager. Ctrl-C stops everything.
func runDev(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	var df devFlags
	var cf common
	var wf workerFlags
	var inf ingressFlags
	var kf kafkaFlags
	var af amqpFlags
	var sf scheduleFlags
	af.register(fs)
	cf.register(fs, "")
	sf.register(fs, true)
	wf.register(fs)
	inf.register(fs, "127.0.0.1:8080")
	registerSearchAttributes(fs, &inf.searchAttributes, true)
	kf.register(fs)
	wf.registerOutcomes(fs, kafka.DefaultOutcomeTopic)
	intFlag(fs, &df.kafkaPort, "kafka-port", 9092, "port of the embedded Kafka-protocol broker (when --kafka-brokers is empty)")
	stringFlag(fs, &df.dataDir, "data-dir", ".evtrigger", "directory for the dev server's SQLite file and log")
	stringFlag(fs, &df.temporalBin, "temporal-bin", "", "temporal CLI to run the dev server with (default: found as `make` installs it)")
	intFlag(fs, &df.temporalPort, "temporal-port", 7233, "port of the embedded Temporal dev server")
	intFlag(fs, &df.uiPort, "temporal-ui-port", 8233, "port of the embedded Temporal Web UI")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := cf.log.logger()
	uiURL := "(your cluster's UI)"
	if cf.temporal.address == "" {
		srv, err := startDevServer(ctx, df, inf.searchAttributes, logger)
		if err != nil {
			return err
		}
		defer srv.Stop()
		cf.temporal.address, uiURL = srv.Address(), srv.UIAddress()
	}
	kafkaNote := kf.brokers
	if kf.brokers == "" {
		kc, err := startEmbeddedKafka(df.kafkaPort, listFlag(kf.topics), kf.dlqSuffix, wf.outcomesTopic)
		if err != nil {
			return err
		}
		defer kc.Close()
		kf.brokers = kc.ListenAddrs()[0]
		kafkaNote = kf.brokers + " (embedded kfake; dead letters in <topic>" + kf.dlqSuffix + ", outcomes in " + wf.outcomesTopic + ")"
	}
	cf.useDevStore(df.dataDir)
	o, err := cf.open(ctx, logger)
	if err != nil {
		return err
	}
	defer o.close()
	_, stopWorker, err := wf.start(o, cf.temporal.taskQueue, kf.conn(), logger)
	if err != nil {
		return err
	}
	defer stopWorker()
	defer sf.start(ctx, o, cf.temporal.taskQueue)()
	l, err := net.Listen("tcp", inf.httpAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", inf.httpAddr, err)
	}
	fmt.Fprintf(stdout, "evtrigger dev is running (Ctrl-C stops everything)\n"+
		"  Temporal:     %s (namespace %s, task queue %s)\n  Temporal UI:  %s\n"+
		"  Events:       POST http://%s/api/v1/events\n  Kafka:        %s, topics %s\n"+
		"  RabbitMQ:     %s\n  Rules:        %d loaded from %s\n  Rules API:    http://%[5]s/api/v1/task-trigger-rules\n"+
		"  Metrics:      http://%[5]s/metrics (ready: /readyz)\n  Search attrs: %[11]s\n",
		cf.temporal.address, cf.temporal.namespace, cf.temporal.taskQueue, uiURL, l.Addr(),
		kafkaNote, kf.topics, af.describe(), o.rules.Current().Len(), cf.rulesFrom(), searchAttributesNote(inf.searchAttributes))
	starter := inf.starter(o, cf.temporal.taskQueue, true)
	return serveIngress(ctx, l, &inf, brokerFlags{&kf, &af}, o, starter)
}

// startDevServer runs the Temporal dev server with its state in dataDir/temporal.db and its
// output in dataDir/temporal.log.
func startDevServer(ctx context.Context, df devFlags, searchAttributes bool, logger *slog.Logger) (*devserver.Server, error) {
	if err := os.MkdirAll(df.dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	logPath := filepath.Join(df.dataDir, "temporal.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", logPath, err)
	}
	logger.Info("starting temporal dev server", "port", df.temporalPort, "ui_port", df.uiPort, "log", logPath)
	opts := devserver.Options{
		Bin: df.temporalBin, DBFile: filepath.Join(df.dataDir, "temporal.db"),
		Port: df.temporalPort, UIPort: df.uiPort, LogLevel: "warn", Output: logFile,
	}
	if searchAttributes {
		opts.SearchAttributes = workflows.SearchAttributeTypes()
	}
	srv, err := devserver.Start(ctx, opts)
	if err != nil {
		logFile.Close()
		return nil, fmt.Errorf("%w (see %s)", err, logPath)
	}
	return srv, nil
}
