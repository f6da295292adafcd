package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// groupRun is the outcome of a process run by runInGroup.
type groupRun struct {
	// waitErr is cmd.Wait's error: nil for exit 0, an *exec.ExitError otherwise.
	waitErr error
	// stopped reports that ctx ended before the process exited, so the group was killed.
	stopped bool
}

// runInGroup starts cmd in a process group of its own, with stdout and stderr both written to
// out, and waits for it. When ctx ends first, the whole group gets SIGTERM and, after
// a.KillGrace, SIGKILL. When the process exits by itself, anything it left running in its group
// is stopped the same way, so no process outlives the attempt. The error is cmd.Start's.
func (a *Activities) runInGroup(ctx context.Context, cmd *exec.Cmd, out io.Writer) (groupRun, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return groupRun{}, fmt.Errorf("create output pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	_ = w.Close() // the child holds its own copies
	if err != nil {
		_ = r.Close()
		return groupRun{}, err
	}
	pgid := cmd.Process.Pid

	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		_, _ = io.Copy(out, r) // ends at EOF, when no process holds the pipe, or when r closes
	}()
	var run groupRun
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		run.waitErr = cmd.Wait()
	}()
	gone := make(chan struct{}) // the leader is reaped and nobody holds the output pipe
	go func() {
		<-exited
		<-readDone
		close(gone)
	}()

	select {
	case <-exited:
	case <-ctx.Done():
		run.stopped = true
	}
	a.stopGroup(pgid, gone)
	<-exited
	a.drainOutput(r, readDone)
	return run, nil
}

// stopGroup sends SIGTERM to the process group, waits until gone is closed or a.KillGrace
// passes, then sends SIGKILL. It returns at once when the group is already empty.
func (a *Activities) stopGroup(pgid int, gone <-chan struct{}) {
	if err := syscall.Kill(-pgid, syscall.SIGTERM); errors.Is(err, syscall.ESRCH) {
		return
	}
	grace := time.NewTimer(a.KillGrace)
	defer grace.Stop()
	select {
	case <-gone:
	case <-grace.C:
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// drainOutput waits up to a.KillGrace for the output reader to reach EOF, then closes the pipe,
// which stops the reader even if a process that left the group still holds the pipe open.
func (a *Activities) drainOutput(r *os.File, readDone <-chan struct{}) {
	grace := time.NewTimer(a.KillGrace)
	defer grace.Stop()
	select {
	case <-readDone:
	case <-grace.C:
	}
	_ = r.Close()
	<-readDone
}
