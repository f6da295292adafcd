package event

import "testing"

// benchSeedBody is a small seed envelope, the shape most brokers deliver.
var benchSeedBody = []byte(`{"messageId":"ev-123456","eventType":"user.login","timestamp":"2025-09-06T10:30:00Z",` +
	`"source":"auth-service","priority":"HIGH","payload":{"userId":"u-42","amount":5000,"tags":["a","b"]},` +
	`"metadata":{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"}}`)

// benchFilteredBody is the body of the events evbench's filtered benchmark sends, whose type no
// rule listens to.
var benchFilteredBody = []byte(`{"messageId":"evbench-filtered-1","eventType":"user.login","source":"evbench",` +
	`"payload":{"userId":"evbench-filtered-1","amount":5000}}`)

// BenchmarkParseSeed parses a small seed envelope, the shape most brokers deliver.
func BenchmarkParseSeed(b *testing.B) {
	benchmarkParse(b, benchSeedBody)
}

// BenchmarkParseFiltered parses the body of evbench's filtered events.
func BenchmarkParseFiltered(b *testing.B) {
	benchmarkParse(b, benchFilteredBody)
}

// BenchmarkScreenSeed screens the body BenchmarkParseSeed parses.
func BenchmarkScreenSeed(b *testing.B) {
	benchmarkScreen(b, benchSeedBody)
}

// BenchmarkScreenFiltered screens the body BenchmarkParseFiltered parses.
func BenchmarkScreenFiltered(b *testing.B) {
	benchmarkScreen(b, benchFilteredBody)
}

func benchmarkParse(b *testing.B, body []byte) {
	opts := testOptions()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(body, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkScreen(b *testing.B, body []byte) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Screen(body, 0); !ok {
			b.Fatal("Screen refused the body")
		}
	}
}
