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
	var tf temporalFlags
	var wf workerFlags
	var lf logFlags
	var rulesPath string
	tf.register(fs, "127.0.0.1:7233")
	wf.register(fs)
	lf.register(fs)
	stringFlag(fs, &rulesPath, "rules", "rules/examples", "rules file or directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := lf.logger()
	rs, err := loadRules(rulesPath)
	if err != nil {
		return err
	}
	c, err := tf.dial(ctx, logger)
	if err != nil {
		return err
	}
	defer c.Close()
	w, err := wf.start(c, rs, tf.taskQueue, logger)
	if err != nil {
		return err
	}
	defer w.Stop()
	logger.Info("worker running", "temporal", tf.address, "task_queue", tf.taskQueue, "rules", rs.Current().Len())
	<-ctx.Done()
	logger.Info("worker stopping")
	return nil
}

// runIngress runs the HTTP ingress and API against a Temporal cluster until interrupted.
func runIngress(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ingress", flag.ContinueOnError)
	var tf temporalFlags
	var inf ingressFlags
	var lf logFlags
	var rulesPath string
	tf.register(fs, "127.0.0.1:7233")
	inf.register(fs, ":8080")
	lf.register(fs)
	stringFlag(fs, &rulesPath, "rules", "rules/examples", "rules file or directory (for the pre-filter)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := lf.logger()
	rs, err := loadRules(rulesPath)
	if err != nil {
		return err
	}
	c, err := tf.dial(ctx, logger)
	if err != nil {
		return err
	}
	defer c.Close()
	l, err := net.Listen("tcp", inf.httpAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", inf.httpAddr, err)
	}
	logger.Info("ingress running", "http", l.Addr().String(), "temporal", tf.address)
	return serveHTTP(ctx, l, inf.handler(c, rs, tf.taskQueue, false, logger))
}
