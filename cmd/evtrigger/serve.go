package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
)

// runWorker runs a worker against a Temporal cluster until interrupted.
func runWorker(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	var cf common
	var wf workerFlags
	var kc kafkaConnFlags
	var metricsAddr string
	var sf scheduleFlags
	cf.register(fs, "127.0.0.1:7233")
	sf.register(fs, false)
	wf.register(fs)
	wf.registerOutcomes(fs, "")
	kc.register(fs)
	stringFlag(fs, &metricsAddr, "metrics-addr", ":9464", "address serving /metrics, /healthz and /readyz")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o, err := cf.open(ctx, cf.log.logger())
	if err != nil {
		return err
	}
	defer o.close()
	_, stopWorker, err := wf.start(o, cf.temporal.taskQueue, kc.conn(), o.logger)
	if err != nil {
		return err
	}
	defer stopWorker()
	defer sf.start(ctx, o, cf.temporal.taskQueue)()
	o.logger.Info("worker running", "temporal", cf.temporal.address, "task_queue", cf.temporal.taskQueue,
		"rules", o.rules.Current().Len())
	err = serveWorkerHTTP(ctx, metricsAddr, o, o.logger)
	o.logger.Info("worker stopping")
	return err
}

// runIngress runs the HTTP ingress, API and broker sources against a Temporal cluster until interrupted.
func runIngress(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ingress", flag.ContinueOnError)
	var cf common
	var inf ingressFlags
	var kf kafkaFlags
	var af amqpFlags
	var sf scheduleFlags
	af.register(fs)
	cf.register(fs, "127.0.0.1:7233")
	inf.register(fs, ":8080")
	registerSearchAttributes(fs, &inf.searchAttributes, false)
	sf.register(fs, false)
	kf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	o, err := cf.open(ctx, cf.log.logger())
	if err != nil {
		return err
	}
	defer o.close()
	defer sf.start(ctx, o, cf.temporal.taskQueue)()
	l, err := net.Listen("tcp", inf.httpAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", inf.httpAddr, err)
	}
	o.logger.Info("ingress running", "http", l.Addr().String(), "temporal", cf.temporal.address)
	starter := inf.starter(o, cf.temporal.taskQueue, false)
	return serveIngress(ctx, l, &inf, brokerFlags{&kf, &af}, o, starter)
}
