package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/evtrigger/evtrigger/internal/devserver"
)

// EnvOptions configure the stack every comparison runs against.
type EnvOptions struct {
	// TemporalBin is the temporal CLI; default devserver.FindBinary().
	TemporalBin string
	// DynamicConfig holds extra dynamic config values for the dev server ("KEY=VALUE").
	DynamicConfig []string
	// Self is the evbench executable, started again as the kfake child. Default os.Executable().
	Self string
	// ServerLog receives the dev server's output; default discarded.
	ServerLog io.Writer
}

// Env is the stack: one dev server persisting to SQLite (WAL) in a temporary directory, and
// one kfake broker in a child process, with a producer and an admin client.
type Env struct {
	Temporal *devserver.Server
	// Logger is for the SDK clients and evtrigger's pieces: warnings are counted per phase
	// (see LogCounter), errors go to stderr.
	Logger   *slog.Logger
	warnings *LogCounter
	dir      string
	kafka    *kafkaProc
	producer *kgo.Client
	admin    *kadm.Client
}

// StartEnv starts the dev server and the broker. Close the Env when done.
func StartEnv(ctx context.Context, opts EnvOptions) (_ *Env, err error) {
	if opts.Self == "" {
		if opts.Self, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find own executable: %w", err)
		}
	}
	e := &Env{warnings: NewLogCounter(slog.NewTextHandler(os.Stderr, nil))}
	e.Logger = slog.New(e.warnings)
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	if e.dir, err = os.MkdirTemp("", "evbench-"); err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	e.Temporal, err = devserver.Start(ctx, devserver.Options{Bin: opts.TemporalBin,
		DBFile: filepath.Join(e.dir, "temporal.db"), DynamicConfig: opts.DynamicConfig, Output: opts.ServerLog})
	if err != nil {
		return nil, fmt.Errorf("start dev server: %w", err)
	}
	if e.kafka, err = startKafka(opts.Self); err != nil {
		return nil, err
	}
	e.producer, err = kgo.NewClient(kgo.SeedBrokers(e.kafka.brokers...), kgo.ProducerBatchMaxBytes(4<<20),
		kgo.ProducerLinger(0))
	if err != nil {
		return nil, fmt.Errorf("kafka producer: %w", err)
	}
	e.admin = kadm.NewClient(e.producer)
	return e, nil
}

// Close stops the broker and the dev server and removes the temporary directory.
func (e *Env) Close() {
	if e.producer != nil {
		e.producer.Close()
	}
	if e.kafka != nil {
		e.kafka.stop()
	}
	if e.Temporal != nil {
		_ = e.Temporal.Stop()
	}
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
}

// Brokers are the broker's addresses.
func (e *Env) Brokers() []string { return e.kafka.brokers }

// Dial returns a new Temporal client. Each client has its own connection; eager start works
// only between a starter and a worker sharing one.
func (e *Env) Dial() (client.Client, error) {
	c, err := client.Dial(client.Options{HostPort: e.Temporal.Address(), Namespace: e.Temporal.Namespace(),
		Logger: sdklog.NewStructuredLogger(e.Logger)})
	if err != nil {
		return nil, fmt.Errorf("dial temporal: %w", err)
	}
	return c, nil
}

// CreateTopics creates topics with partitions each.
func (e *Env) CreateTopics(ctx context.Context, partitions int32, topics ...string) error {
	resps, err := e.admin.CreateTopics(ctx, partitions, 1, nil, topics...)
	if err != nil {
		return fmt.Errorf("create topics %v: %w", topics, err)
	}
	for _, r := range resps.Sorted() {
		if r.Err != nil {
			return fmt.Errorf("create topic %s: %w", r.Topic, r.Err)
		}
	}
	return nil
}

// Produce sends one record asynchronously; a failure is reported through errs (non-blocking:
// only the first is kept).
func (e *Env) Produce(ctx context.Context, topic, key string, value []byte, errs chan<- error) {
	e.producer.Produce(ctx, &kgo.Record{Topic: topic, Key: []byte(key), Value: value}, func(_ *kgo.Record, err error) {
		if err != nil {
			select {
			case errs <- fmt.Errorf("produce to %s: %w", topic, err):
			default:
			}
		}
	})
}

// Flush waits until every produced record was acknowledged.
func (e *Env) Flush(ctx context.Context) error {
	if err := e.producer.Flush(ctx); err != nil {
		return fmt.Errorf("flush producer: %w", err)
	}
	return nil
}

// waitIdle polls until no workflow on taskQueue is running any more, or ctx ends.
func (e *Env) waitIdle(ctx context.Context, c client.Client, taskQueue string) error {
	q := fmt.Sprintf("TaskQueue = %q AND ExecutionStatus = 'Running'", taskQueue)
	for {
		resp, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
		if err == nil && resp.GetCount() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(fmt.Errorf("workflows of %s still running: %w", taskQueue, ctx.Err()), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
