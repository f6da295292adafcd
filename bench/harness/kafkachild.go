package harness

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// KafkaChildArg is the argument that makes evbench run as the kfake child process.
const KafkaChildArg = "kfake-child"

// RunKafkaChild runs one kfake broker on a random port, writes its address as one line to out,
// and serves until in reaches EOF (the parent closed the pipe or died). Running the broker in a
// process of its own keeps its memory (every record produced) and CPU out of the figures of
// the process under test.
func RunKafkaChild(in io.Reader, out io.Writer) error {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		return fmt.Errorf("start kfake: %w", err)
	}
	defer c.Close()
	if _, err := fmt.Fprintln(out, strings.Join(c.ListenAddrs(), ",")); err != nil {
		return fmt.Errorf("write broker address: %w", err)
	}
	_, _ = io.Copy(io.Discard, in)
	return nil
}

// kafkaProc is the kfake child process.
type kafkaProc struct {
	cmd     *exec.Cmd
	stdin   io.Closer
	brokers []string
}

// startKafka starts self (the evbench binary) as the kfake child and reads its address.
func startKafka(self string) (*kafkaProc, error) {
	cmd := exec.Command(self, KafkaChildArg)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("kfake child stdin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("kfake child stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start kfake child %s: %w", self, err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("read kfake child's address: %w", err)
	}
	return &kafkaProc{cmd: cmd, stdin: stdin, brokers: strings.Split(strings.TrimSpace(line), ",")}, nil
}

func (k *kafkaProc) pid() int { return k.cmd.Process.Pid }

// stop closes the child's stdin and waits up to 5 s for it to exit, then kills it.
func (k *kafkaProc) stop() {
	_ = k.stdin.Close()
	done := make(chan struct{})
	go func() { _ = k.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = k.cmd.Process.Kill()
		<-done
	}
}
