package event

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const seedExample = `{"messageId":"msg-20250906-123456","eventType":"order.created","timestamp":"2025-09-06T10:30:00Z","source":"order-service","destination":"schedule-platform","priority":"HIGH","payload":{"orderId":"order-12345","customerId":"customer-67890","amount":999.99,"currency":"CNY"},"metadata":{"traceId":"trace-abcdef-123456","version":"1.0","schema":"order.created.v1"}}`

func TestParseSeed(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		want      Event // checked when no error is wanted
		wantErr   error
		wantField string
	}{
		{
			name:  "full example",
			input: seedExample,
			want: Event{
				ID: "msg-20250906-123456", Type: "order.created", Source: "order-service",
				Destination: "schedule-platform", Priority: PriorityHigh,
				Time: time.Date(2025, 9, 6, 10, 30, 0, 0, time.UTC),
				Payload: map[string]any{"orderId": "order-12345", "customerId": "customer-67890",
					"amount": json.Number("999.99"), "currency": "CNY"},
				Metadata: map[string]any{"traceId": "trace-abcdef-123456", "version": "1.0",
					"schema": "order.created.v1"},
			},
		},
		{
			name:  "minimal gets defaults",
			input: `{"messageId":"m1","eventType":"a.b"}`,
			want: Event{ID: "m1", Type: "a.b", Priority: PriorityMedium, Time: fixedNow.UTC(),
				Payload: map[string]any{}, Metadata: map[string]any{}},
		},
		{
			name:  "lowercase priority normalised, offset time in UTC, null payload",
			input: `{"messageId":"m1","eventType":"a","priority":"low","timestamp":"2025-09-06T18:30:00+08:00","payload":null}`,
			want: Event{ID: "m1", Type: "a", Priority: PriorityLow,
				Time:    time.Date(2025, 9, 6, 10, 30, 0, 0, time.UTC),
				Payload: map[string]any{}, Metadata: map[string]any{}},
		},
		{name: "missing eventType", input: `{"messageId":"m1"}`, wantField: "eventType"},
		{name: "missing messageId", input: `{"eventType":"a"}`, wantField: "messageId"},
		{name: "messageId with space", input: `{"messageId":"m 1","eventType":"a"}`, wantField: "messageId"},
		{name: "messageId not a string", input: `{"messageId":12,"eventType":"a"}`, wantField: "messageId"},
		{name: "bad eventType", input: `{"messageId":"m1","eventType":"order..created"}`, wantField: "eventType"},
		{name: "bad timestamp", input: `{"messageId":"m1","eventType":"a","timestamp":"06/09/2025 10:30"}`, wantField: "timestamp"},
		{name: "bad priority", input: `{"messageId":"m1","eventType":"a","priority":"URGENT"}`, wantField: "priority"},
		{name: "payload not an object", input: `{"messageId":"m1","eventType":"a","payload":[1,2]}`, wantField: "payload"},
		{name: "metadata not an object", input: `{"messageId":"m1","eventType":"a","metadata":"x"}`, wantField: "metadata"},
		{name: "malformed JSON", input: `{"messageId":"m1",`, wantErr: ErrMalformed},
		{name: "trailing garbage", input: `{"messageId":"m1","eventType":"a"} x`, wantErr: ErrMalformed},
		{name: "second object", input: `{"messageId":"m1","eventType":"a"}{}`, wantErr: ErrMalformed},
		{name: "array body", input: `[{"messageId":"m1","eventType":"a"}]`, wantErr: ErrMalformed},
		{name: "null body", input: `null`, wantErr: ErrMalformed},
		{name: "empty body", input: ``, wantErr: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.input), testOptions())
			checkErr(t, err, tt.wantErr, tt.wantField)
			if err == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse() =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestParseReportsEveryBadField(t *testing.T) {
	_, err := Parse([]byte(`{"priority":"urgent","timestamp":"yesterday"}`), testOptions())
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error = %v, want errors joined", err)
	}
	want := []string{"messageId", "eventType", "timestamp", "priority"}
	var got []string
	for _, e := range joined.Unwrap() {
		var ve *ValidationError
		if !errors.As(e, &ve) {
			t.Fatalf("joined error %v is not a *ValidationError", e)
		}
		got = append(got, ve.Field)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
	if msg := err.Error(); !strings.Contains(msg, `invalid event: field "eventType": is required`) {
		t.Errorf("message %q does not name the missing eventType", msg)
	}
}

func TestParseMalformedMessage(t *testing.T) {
	_, err := Parse([]byte(`{"messageId": nope}`), testOptions())
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "invalid character") {
		t.Errorf("error = %v, want ErrMalformed naming the JSON problem", err)
	}
}

func TestParseSizeLimit(t *testing.T) {
	body := []byte(`{"messageId":"m1","eventType":"a"}`)
	pad := func(n int) []byte { // body padded with trailing whitespace to n bytes
		return append(append([]byte{}, body...), strings.Repeat(" ", n-len(body))...)
	}
	tests := []struct {
		name    string
		maxSize int
		body    []byte
		wantErr error
	}{
		{"exactly MaxSize", len(body), body, nil},
		{"MaxSize+1", len(body) - 1, body, ErrTooLarge},
		{"exactly default", 0, pad(DefaultMaxSize), nil},
		{"default+1", 0, pad(DefaultMaxSize + 1), ErrTooLarge},
		{"negative means default", -1, pad(DefaultMaxSize + 1), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions()
			opts.MaxSize = tt.maxSize
			_, err := Parse(tt.body, opts)
			checkErr(t, err, tt.wantErr, "")
		})
	}
	_, err := Parse(body, Options{MaxSize: 10})
	if want := "34 bytes, limit is 10"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want it to contain %q", err, want)
	}
}

func TestParseDefaultID(t *testing.T) {
	body := []byte(`{"eventType":"a","messageId":""}`)
	opts := testOptions()
	opts.DefaultID = ContentID
	ev, err := Parse(body, opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := ContentID(body); ev.ID != want {
		t.Errorf("ID = %q, want %q", ev.ID, want)
	}
	opts.DefaultID = func([]byte) string { return "bad id" }
	_, err = Parse(body, opts)
	checkErr(t, err, nil, "messageId")
}

func TestParseDefaultNow(t *testing.T) {
	before := time.Now()
	ev, err := Parse([]byte(`{"messageId":"m1","eventType":"a"}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Time.Before(before) || ev.Time.After(time.Now()) || ev.Time.Location() != time.UTC {
		t.Errorf("Time = %v, want the current time in UTC", ev.Time)
	}
}

func TestBigIntegerRoundTrip(t *testing.T) {
	const big = "12345678901234567890123"
	ev, err := Parse([]byte(`{"messageId":"m1","eventType":"a","payload":{"n":`+big+`,"list":[`+big+`]},"metadata":{"n":`+big+`}}`), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"n":`+big) {
		t.Errorf("marshalled %s lost the number", data)
	}
	var back Event
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, ev) {
		t.Errorf("round trip =\n%#v\nwant\n%#v", back, ev)
	}
	if n := back.Payload["n"]; n != json.Number(big) {
		t.Errorf("payload n = %#v, want json.Number(%s)", n, big)
	}
}

// TestParseStringsAsEncodingJSON checks the members Parse slices out of the body without
// decoding them against encoding/json's own decoding: escapes, non-ASCII text and invalid UTF-8
// (which encoding/json replaces with U+FFFD).
func TestParseStringsAsEncodingJSON(t *testing.T) {
	for _, src := range []string{`"plain"`, `"tab\tquote\"slash\\"`, `"\u00e9t\u00e9"`, `"été 🚀"`, "\"bad \xff utf8\"", `""`} {
		var want string
		if err := json.Unmarshal([]byte(src), &want); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		ev, err := Parse([]byte(`{"messageId":"m1","eventType":"a","source":`+src+`}`), testOptions())
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if ev.Source != want {
			t.Errorf("source %s parsed as %q, want %q", src, ev.Source, want)
		}
	}
}

// TestParseRefusesWhatIsNotOneObject checks that the one-pass decoding refuses each body the
// strict decoder refuses, with its message.
func TestParseRefusesWhatIsNotOneObject(t *testing.T) {
	for body, want := range map[string]string{
		``:                     "empty body",
		`null`:                 "not null",
		`[1]`:                  "not an array",
		`{"messageId":"m1"} x`: "unexpected data after the JSON value at byte 18",
		`{"messageId":"m1"}{}`: "unexpected data after the JSON value at byte 18",
		`{"a":1,}`:             "invalid character '}'",
	} {
		_, err := Parse([]byte(body), testOptions())
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error = %v, want ErrMalformed containing %q", body, err, want)
		}
	}
}
