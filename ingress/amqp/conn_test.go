package amqp_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/evtrigger/evtrigger/ingress/amqp"
	"github.com/evtrigger/evtrigger/ingress/amqp/amqptest"
	"github.com/evtrigger/evtrigger/internal/testcerts"
)

func TestRedactURLHidesThePassword(t *testing.T) {
	for in, want := range map[string]string{
		"amqp://user:s3cret@host:5672/vh": "amqp://user:xxxxx@host:5672/vh",
		"amqps://host/":                   "amqps://host/",
		"amqp://u:p@h/%zz":                "(invalid URL)",
	} {
		if got := amqp.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCredentialsOutsideTheURL: Username and Password (from the environment in the CLI)
// authenticate a URL without userinfo.
func TestCredentialsOutsideTheURL(t *testing.T) {
	vh := amqptest.NewVhost(t)
	u, err := url.Parse(vh.URL())
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	user := u.User.Username()
	u.User = nil
	p, err := amqp.DialPublisher(amqp.Conn{URL: u.String(), Username: user, Password: pass})
	if err != nil {
		t.Fatalf("dial with separate credentials: %v", err)
	}
	defer p.Close()
	if err := p.Publish(context.Background(), "amq.fanout", "", amqp091.Publishing{Body: []byte("x")}); err == nil {
		t.Fatal("a message no queue takes was confirmed without an error")
	}
	wrong := amqp.Conn{URL: u.String(), Username: user, Password: pass + "-wrong"}
	if _, err = amqp.DialPublisher(wrong); err == nil || strings.Contains(err.Error(), pass+"-wrong") {
		t.Fatalf("wrong password: %v", err)
	}
	src, err := amqp.New(amqp.Options{Conn: wrong, DeadLetterExchange: "amq.fanout"})
	if err != nil {
		t.Fatal(err)
	}
	if err := runUntilError(t, src); !errors.Is(err, amqp091.ErrCredentials) {
		t.Fatalf("Run with a wrong password: %v, want it to stop with ErrCredentials", err)
	}
}

func TestTLSOptionsNeedAnAMQPSURL(t *testing.T) {
	_, err := amqp.DialPublisher(amqp.Conn{URL: "amqp://127.0.0.1:1/", CAFile: "ca.pem"})
	if err == nil || !strings.Contains(err.Error(), "not an amqps:// URL") {
		t.Fatalf("error %v", err)
	}
	_, err = amqp.DialPublisher(amqp.Conn{URL: "amqps://127.0.0.1:1/", CertFile: "c.pem"})
	if err == nil || !strings.Contains(err.Error(), "both the certificate and the key") {
		t.Fatalf("error %v", err)
	}
}

// TestTLSVerifiesTheBrokerAndPresentsTheClientCertificate dials amqps:// to a TLS server that
// requires a client certificate: the handshake succeeds with the CA and the client pair, and
// the server sees the client's certificate. (The server speaks no AMQP, so the dial fails after.)
func TestTLSVerifiesTheBrokerAndPresentsTheClientCertificate(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := testcerts.New(t, dir, "ca", nil, nil)
	testcerts.New(t, dir, "server", ca, caKey)
	testcerts.New(t, dir, "client", ca, caKey)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srvPair, err := tls.LoadX509KeyPair(filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{srvPair},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	peer := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			peer <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		tc := c.(*tls.Conn)
		if err := tc.Handshake(); err != nil {
			peer <- "handshake: " + err.Error()
			return
		}
		peer <- tc.ConnectionState().PeerCertificates[0].Subject.CommonName
	}()
	_, err = amqp.DialPublisher(amqp.Conn{URL: "amqps://guest:guest@" + l.Addr().String() + "/",
		CAFile: filepath.Join(dir, "ca.pem"), CertFile: filepath.Join(dir, "client.pem"),
		KeyFile: filepath.Join(dir, "client-key.pem"), DialTimeout: 5 * time.Second})
	if err == nil {
		t.Fatal("dial succeeded against a server that speaks no AMQP")
	}
	select {
	case got := <-peer:
		if got != "client" {
			t.Fatalf("server saw %q, want the client certificate", got)
		}
	case <-time.After(amqptest.Timeout):
		t.Fatal("the server never saw a handshake")
	}
}
