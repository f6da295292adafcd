// Package devserver runs a Temporal development server (the Temporal CLI's `server start-dev`,
// persisting to SQLite) as a child process, for `evtrigger dev` and for tests. The production
// binary stays lean: workers in production talk to a cluster and carry no server.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
)

// Options configure a dev server. The zero value works: an in-memory server on a free port.
type Options struct {
	// Bin is the temporal CLI. Default: FindBinary().
	Bin string
	// DBFile is the SQLite file that keeps state across restarts. Default: in memory.
	DBFile string
	// IP the server binds. Default 127.0.0.1.
	IP string
	// Port is the frontend gRPC port. Default: a free port.
	Port int
	// UIPort is the Web UI port; 0 runs headless.
	UIPort int
	// Namespace is created at start. Default "default".
	Namespace string
	// LogLevel of the server: debug, info, warn, error. Default "error".
	LogLevel string
	// SearchAttributes to register, name to type (Keyword, Text, Int, ...).
	SearchAttributes map[string]string
	// DynamicConfig holds extra dynamic config values, "KEY=VALUE" with a JSON value (such as
	// `history.persistenceMaxQPS=20000`), passed as --dynamic-config-value. Default none.
	DynamicConfig []string
	// Output receives the server's stdout and stderr. Default: discarded.
	Output io.Writer
	// ReadyTimeout bounds the wait for the server to answer health checks. Default 60s.
	ReadyTimeout time.Duration
}

// Server is a running dev server.
type Server struct {
	opts Options
	cmd  *exec.Cmd
	done chan struct{}
	tail *tailBuffer // the end of the server's output, for the error when it exits early
	mu   sync.Mutex
	err  error
}

// errExited is wrapped by the error of a server that exited before it was ready.
var errExited = errors.New("temporal dev server exited before it was ready")

// startAttempts bounds the starts on fresh free ports when the port was not given: a port
// the kernel called free may be taken by another process before the server binds it (or one
// of the ports the server derives from it).
const startAttempts = 3

// Start starts a dev server and waits until its frontend answers a health check. With a
// DBFile, the SQLite database uses journal_mode=wal and synchronous=normal (about 2.5 times
// faster here than the default journal). Stop it with Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	autoPort := opts.Port == 0
	if err := opts.fill(); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		s := &Server{opts: opts}
		err := s.start(ctx)
		if err == nil {
			return s, nil
		}
		if !autoPort || attempt == startAttempts || !errors.Is(err, errExited) {
			return nil, err
		}
		if opts.Port, err = FreePort(opts.IP); err != nil {
			return nil, err
		}
	}
}

func (o *Options) fill() error {
	if o.Bin == "" {
		bin, err := FindBinary()
		if err != nil {
			return err
		}
		o.Bin = bin
	}
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if o.Port == 0 {
		p, err := FreePort(o.IP)
		if err != nil {
			return err
		}
		o.Port = p
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.LogLevel == "" {
		o.LogLevel = "error"
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	return nil
}

func (s *Server) args() []string {
	o := s.opts
	args := []string{"server", "start-dev", "--ip", o.IP, "--port", strconv.Itoa(o.Port),
		"--namespace", o.Namespace, "--log-level", o.LogLevel,
		"--dynamic-config-value", "system.enableEagerWorkflowStart=true",
		// Task priority (HIGH events first when workers are saturated) needs the new matcher.
		"--dynamic-config-value", "matching.useNewMatcher=true",
		// One partition per task queue: a single dev server gains nothing from four, and with
		// several, tasks are taken from random partitions, out of order and priority.
		"--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
		"--dynamic-config-value", "matching.numTaskqueueWritePartitions=1"}
	if o.UIPort > 0 {
		args = append(args, "--ui-port", strconv.Itoa(o.UIPort))
	} else {
		args = append(args, "--headless")
	}
	if o.DBFile != "" {
		args = append(args, "--db-filename", o.DBFile,
			"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal")
	}
	for _, kv := range o.DynamicConfig {
		args = append(args, "--dynamic-config-value", kv)
	}
	for _, name := range sortedKeys(o.SearchAttributes) {
		args = append(args, "--search-attribute", name+"="+o.SearchAttributes[name])
	}
	return args
}

func (s *Server) start(ctx context.Context) error {
	if err := portFree(s.opts.IP, s.opts.Port); err != nil {
		return err
	}
	cmd := exec.Command(s.opts.Bin, s.args()...)
	s.tail = &tailBuffer{max: 2 << 10}
	out := io.MultiWriter(s.opts.Output, s.tail)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start temporal dev server %s: %w", s.opts.Bin, err)
	}
	done := make(chan struct{})
	s.mu.Lock()
	s.cmd, s.done, s.err = cmd, done, nil
	s.mu.Unlock()
	go func() {
		err := cmd.Wait()
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
		close(done)
	}()
	if err := s.waitReady(ctx, done); err != nil {
		_ = s.Stop()
		return err
	}
	return nil
}

// waitReady polls the frontend's health check until it answers, the process exits, or the
// ReadyTimeout passes.
func (s *Server) waitReady(ctx context.Context, done <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.ReadyTimeout)
	defer cancel()
	for {
		if err := s.healthy(ctx); err == nil {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("%w on %s: %v; its output ends with:\n%s", errExited, s.Address(), s.exitErr(), s.tail)
		case <-ctx.Done():
			return fmt.Errorf("temporal dev server on %s not ready after %s: %w", s.Address(), s.opts.ReadyTimeout, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *Server) healthy(ctx context.Context) error {
	c, err := client.Dial(client.Options{HostPort: s.Address(), Namespace: s.opts.Namespace, Logger: quietLogger{}})
	if err != nil {
		return err
	}
	defer c.Close()
	hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = c.CheckHealth(hctx, &client.CheckHealthRequest{})
	return err
}

func (s *Server) exitErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Address is the frontend's host:port.
func (s *Server) Address() string {
	return net.JoinHostPort(s.opts.IP, strconv.Itoa(s.opts.Port))
}

// UIAddress is the Web UI's URL, or "" when headless.
func (s *Server) UIAddress() string {
	if s.opts.UIPort <= 0 {
		return ""
	}
	return "http://" + net.JoinHostPort(s.opts.IP, strconv.Itoa(s.opts.UIPort))
}

// PID is the server process's ID; 0 when it is not running.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Namespace is the namespace the server created.
func (s *Server) Namespace() string { return s.opts.Namespace }

// Stop ends the server: SIGTERM to its process group, SIGKILL after 10 s. It is safe to call
// twice.
func (s *Server) Stop() error {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	return nil
}

// Restart stops the server and starts it again on the same ports and database file.
func (s *Server) Restart(ctx context.Context) error {
	if err := s.Stop(); err != nil {
		return err
	}
	return s.start(ctx)
}

// portFree fails when something already listens on the port: without this check a health check
// would find that other server and call this one ready.
func portFree(ip string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("port %d is in use (another Temporal server? point evtrigger at it instead): %w", port, err)
	}
	return l.Close()
}

// FreePort asks the kernel for a free TCP port on ip.
func FreePort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ErrNoBinary is returned by FindBinary when no temporal CLI is found.
var ErrNoBinary = errors.New("temporal CLI not found: run `make temporal` or set EVTRIGGER_TEMPORAL_BIN")

// FindBinary locates the temporal CLI: $EVTRIGGER_TEMPORAL_BIN, then the copy that `make`
// installs ($HOME/.cache/evtrigger/temporal-<version>/temporal), then `temporal` on PATH.
func FindBinary() (string, error) {
	if p := os.Getenv("EVTRIGGER_TEMPORAL_BIN"); p != "" {
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := home + "/.cache/evtrigger/temporal-" + CLIVersion + "/temporal"
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	return "", ErrNoBinary
}

// CLIVersion is the temporal CLI version the Makefile installs (server 1.29.1).
const CLIVersion = "1.5.1"
