package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/evtrigger/evtrigger/internal/testcerts"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

// TestKafkaOverMutualTLS: publish reaches a broker that only speaks TLS and demands a client
// certificate, with --kafka-ca, --kafka-cert and --kafka-key; without the CA it is refused.
func TestKafkaOverMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := testcerts.New(t, dir, "ca", nil, nil)
	testcerts.New(t, dir, "broker", ca, caKey)
	testcerts.New(t, dir, "client", ca, caKey)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	brokerCert, err := tls.LoadX509KeyPair(filepath.Join(dir, "broker.pem"), filepath.Join(dir, "broker-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	serverTLS := &tls.Config{Certificates: []tls.Certificate{brokerCert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "secure"),
		kfake.ListenFn(func(network, addr string) (net.Listener, error) {
			l, err := net.Listen(network, addr)
			if err != nil {
				return nil, err
			}
			return tls.NewListener(l, serverTLS), nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	event := filepath.Join(dir, "event.json")
	if err := os.WriteFile(event, []byte(`{"messageId":"tls-1","eventType":"order.created"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"publish", "--kafka-brokers", c.ListenAddrs()[0], "--topic", "secure",
		"--kafka-cert", filepath.Join(dir, "client.pem"), "--kafka-key", filepath.Join(dir, "client-key.pem")}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, append(args, event), &out); err == nil {
		t.Fatal("published without trusting the broker's CA")
	}
	if err := run(context.Background(), append(args, "--kafka-ca", filepath.Join(dir, "ca.pem"), event), &out); err != nil {
		t.Fatalf("publish over TLS: %v", err)
	}
	clientCert, _ := tls.LoadX509KeyPair(filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem"))
	reader, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics("secure"),
		kgo.DialTLSConfig(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{clientCert}}),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	var got []string
	testenv.Eventually(t, 30*time.Second, "the record is in the topic", func() bool {
		pctx, pcancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer pcancel()
		reader.PollFetches(pctx).EachRecord(func(r *kgo.Record) { got = append(got, string(r.Key)) })
		return strings.Join(got, ",") == "tls-1"
	})
}
