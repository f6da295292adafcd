// Package amqptest gives tests a vhost of their own on the real RabbitMQ of this machine
// (127.0.0.1:5672, guest/guest, or $EVTRIGGER_TEST_AMQP_URL), created with rabbitmqctl and
// deleted when the test ends, plus helpers to publish, read queues and restart the broker.
//
// Every test holding a vhost also holds a shared lock (a file lock, across test processes);
// RestartBroker needs the exclusive one, so a broker restart never hits another package's
// tests running in parallel.
package amqptest

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Timeout bounds every wait of this package's helpers.
const Timeout = 60 * time.Second

// Vhost is a fresh vhost on the broker for one test.
type Vhost struct {
	Name string
	base *url.URL
}

// BaseURL is the broker's URL without a vhost: $EVTRIGGER_TEST_AMQP_URL, else
// amqp://guest:guest@127.0.0.1:5672/.
func BaseURL() string {
	if u := os.Getenv("EVTRIGGER_TEST_AMQP_URL"); u != "" {
		return u
	}
	return "amqp://guest:guest@127.0.0.1:5672/"
}

// NewVhost creates a vhost named after the test, gives guest (the URL's user) every
// permission on it, and deletes it when the test ends. It holds the shared broker lock.
func NewVhost(t testing.TB) *Vhost {
	t.Helper()
	lock(t, syscall.LOCK_SH)
	return newVhost(t)
}

// NewExclusiveVhost is NewVhost holding the exclusive broker lock, for a test that restarts
// the broker: no other test of any package on this machine uses RabbitMQ meanwhile.
func NewExclusiveVhost(t testing.TB) *Vhost {
	t.Helper()
	lock(t, syscall.LOCK_EX)
	return newVhost(t)
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9]+`)

func newVhost(t testing.TB) *Vhost {
	base, err := url.Parse(BaseURL())
	if err != nil {
		t.Fatalf("amqptest: base URL: %v", err)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	name = "evtrigger-test-" + name[:min(len(name), 60)] + "-" + hex.EncodeToString(suffix)
	user := base.User.Username()
	Ctl(t, "add_vhost", name)
	t.Cleanup(func() { Ctl(t, "delete_vhost", name) })
	Ctl(t, "set_permissions", "-p", name, user, ".*", ".*", ".*")
	return &Vhost{Name: name, base: base}
}

// URL is the vhost's amqp:// URL, credentials included.
func (v *Vhost) URL() string {
	u := *v.base
	u.Path = "/" + v.Name
	return u.String()
}

// Ctl runs rabbitmqctl with args and fails the test on an error.
func Ctl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("rabbitmqctl", append([]string{"-q"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("rabbitmqctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// lock takes the broker lock (LOCK_SH or LOCK_EX) until the test ends.
func lock(t testing.TB, how int) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "evtrigger-rabbitmq-tests.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatalf("amqptest: open lock file: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		t.Fatalf("amqptest: lock: %v", err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
}

// Dial connects to the vhost; the connection closes when the test ends.
func (v *Vhost) Dial(t testing.TB) *amqp.Connection {
	t.Helper()
	conn, err := amqp.Dial(v.URL())
	if err != nil {
		t.Fatalf("amqptest: dial %s: %v (is rabbitmq-server running? .ci/run starts it)", v.Name, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Channel opens a channel on a new connection to the vhost.
func (v *Vhost) Channel(t testing.TB) *amqp.Channel {
	t.Helper()
	ch, err := v.Dial(t).Channel()
	if err != nil {
		t.Fatalf("amqptest: channel: %v", err)
	}
	return ch
}
