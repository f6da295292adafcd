package event

import "testing"

// BenchmarkParseSeed parses a small seed envelope, the shape most brokers deliver.
func BenchmarkParseSeed(b *testing.B) {
	body := []byte(`{"messageId":"ev-123456","eventType":"user.login","timestamp":"2025-09-06T10:30:00Z",` +
		`"source":"auth-service","priority":"HIGH","payload":{"userId":"u-42","amount":5000,"tags":["a","b"]},` +
		`"metadata":{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"}}`)
	opts := testOptions()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body, opts); err != nil {
			b.Fatal(err)
		}
	}
}
