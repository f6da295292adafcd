package amqp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Conn says how to reach a RabbitMQ broker; the consumer, the publisher and redrive share it.
// Credentials (in the URL or in Username/Password) are never logged: use Redacted.
type Conn struct {
	// URL is amqp://user:pass@host:port/vhost or amqps://... (TLS). Required. A vhost other
	// than "/" is the URL's path, percent-encoded ("/" is %2F).
	URL string
	// Username and Password, when Username is set, replace the URL's credentials (so they can
	// come from the environment instead of the URL).
	Username, Password string
	// CAFile is a PEM file of the CAs that verify the broker's certificate (amqps only).
	// Default: the system's roots.
	CAFile string
	// CertFile and KeyFile are the client certificate and key, PEM, for mutual TLS (amqps only).
	// Default: none.
	CertFile, KeyFile string
	// Heartbeat is the AMQP heartbeat interval. Default 10s.
	Heartbeat time.Duration
	// DialTimeout bounds the TCP connect and the handshakes. Default 10s.
	DialTimeout time.Duration
}

// Redacted returns the URL with its password replaced by "xxxxx", for logs.
func (c Conn) Redacted() string { return RedactURL(c.URL) }

// RedactURL returns u with its password replaced by "xxxxx"; an unparsable u becomes "(invalid
// URL)", since it may still hold a password.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(invalid URL)"
	}
	return p.Redacted()
}

// dial connects; name is the connection name shown in the management UI.
func (c Conn) dial(name string) (*amqp.Connection, error) {
	if c.URL == "" {
		return nil, errors.New("amqp: no URL")
	}
	uri, err := amqp.ParseURI(c.URL)
	if err != nil {
		return nil, fmt.Errorf("amqp: parse URL %s: %w", c.Redacted(), err)
	}
	cfg := amqp.Config{
		Heartbeat:  c.Heartbeat,
		Properties: amqp.Table{"connection_name": name},
		Dial:       amqp.DefaultDial(c.DialTimeout),
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 10 * time.Second
	}
	if c.DialTimeout <= 0 {
		cfg.Dial = amqp.DefaultDial(10 * time.Second)
	}
	if c.Username != "" {
		cfg.SASL = []amqp.Authentication{&amqp.PlainAuth{Username: c.Username, Password: c.Password}}
	}
	if cfg.TLSClientConfig, err = c.tlsConfig(uri); err != nil {
		return nil, err
	}
	conn, err := amqp.DialConfig(c.URL, cfg)
	if err != nil {
		return nil, fmt.Errorf("amqp: connect to %s: %w", c.Redacted(), err)
	}
	return conn, nil
}

// tlsConfig builds the TLS configuration of an amqps URL from the CA and client files.
func (c Conn) tlsConfig(uri amqp.URI) (*tls.Config, error) {
	files := c.CAFile != "" || c.CertFile != "" || c.KeyFile != ""
	if uri.Scheme != "amqps" {
		if files {
			return nil, fmt.Errorf("amqp: TLS files given but %s is not an amqps:// URL", c.Redacted())
		}
		return nil, nil
	}
	cfg := &tls.Config{ServerName: uri.Host, MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("amqp: read CA file: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("amqp: CA file %s holds no PEM certificate", c.CAFile)
		}
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return nil, errors.New("amqp: a client certificate needs both the certificate and the key file")
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("amqp: load client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
