package event

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// screenValidBodies are seed envelopes Parse accepts, each of which Screen must accept too.
var screenValidBodies = []string{
	seedExample,
	string(benchSeedBody),
	string(benchFilteredBody),
	`{"messageId":"m1","eventType":"a.b"}`,
	`{"messageId":"m1","eventType":"a","priority":"low","timestamp":"2025-09-06T18:30:00+08:00","payload":null}`,
	`{"messageId":"m1","eventType":"a","payload":{"n":12345678901234567890123,"list":[12345678901234567890123]},"metadata":{"n":12345678901234567890123}}`,
	`{"messageId":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","eventType":"Order_Created.v-2","timestamp":"2025-09-06T10:30:00.123456789Z","priority":"Medium","source":"","destination":null,"payload":{},"metadata":{}}`,
	"{\"messageId\":\"\u00e9t\u00e9-1\",\"eventType\":\"a\",\"source\":\"\u00e9t\u00e9 \U0001F680\"}",
}

// nestedArrays returns n nested arrays around a number.
func nestedArrays(n int) string {
	return strings.Repeat("[", n) + "1" + strings.Repeat("]", n)
}

// screenTests list bodies with what Screen should say of them.
var screenTests = []struct {
	name    string
	body    string
	maxSize int
	wantOK  bool
	typ     string // wanted type when wantOK
}{
	// 1. size
	{name: "exactly maxSize", body: `{"messageId":"m1","eventType":"a"}`, maxSize: 34, wantOK: true, typ: "a"},
	{name: "one byte over maxSize", body: `{"messageId":"m1","eventType":"a"}`, maxSize: 33},
	{name: "zero maxSize means default", body: `{"messageId":"m1","eventType":"a"}`, maxSize: 0, wantOK: true, typ: "a"},
	{name: "negative maxSize means default", body: `{"messageId":"m1","eventType":"a"}`, maxSize: -1, wantOK: true, typ: "a"},
	{name: "over the default", body: `{"messageId":"m1","eventType":"a"}` + strings.Repeat(" ", DefaultMaxSize)},

	// 2. one well-formed JSON object
	{name: "minimal", body: `{"messageId":"m1","eventType":"a.b"}`, wantOK: true, typ: "a.b"},
	{name: "whitespace around and inside", body: " \t\r\n{ \"messageId\" :\t\"m1\" ,\r\n\"eventType\"\n: \"a\" } \n", wantOK: true, typ: "a"},
	{name: "every kind of ignored value", body: `{"messageId":"m1","eventType":"a","x":[true,false,null,0,-0,12,-3.25,1e5,1E+2,2.5e-3,"s",{},[],{"k":[{}]}]}`, wantOK: true, typ: "a"},
	{name: "escapes in an ignored string", body: `{"messageId":"m1","eventType":"a","x":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE80"}`, wantOK: true, typ: "a"},
	{name: "escaped key inside payload", body: `{"messageId":"m1","eventType":"a","payload":{"k\u0065y":1}}`, wantOK: true, typ: "a"},
	{name: "invalid UTF-8 in an ignored string", body: "{\"messageId\":\"m1\",\"eventType\":\"a\",\"x\":\"\xff\xfe\"}", wantOK: true, typ: "a"},
	{name: "invalid UTF-8 in an ignored key", body: "{\"messageId\":\"m1\",\"eventType\":\"a\",\"\xff\":1}", wantOK: true, typ: "a"},
	{name: "empty body", body: ``},
	{name: "whitespace only", body: " \n"},
	{name: "null body", body: `null`},
	{name: "array body", body: `[{"messageId":"m1","eventType":"a"}]`},
	{name: "string body", body: `"x"`},
	{name: "trailing data", body: `{"messageId":"m1","eventType":"a"} x`},
	{name: "two objects", body: `{"messageId":"m1","eventType":"a"}{}`},
	{name: "unclosed object", body: `{"messageId":"m1","eventType":"a"`},
	{name: "trailing comma in object", body: `{"messageId":"m1","eventType":"a",}`},
	{name: "trailing comma in array", body: `{"messageId":"m1","eventType":"a","x":[1,]}`},
	{name: "leading comma", body: `{,"messageId":"m1","eventType":"a"}`},
	{name: "missing colon", body: `{"messageId":"m1","eventType" "a"}`},
	{name: "missing value", body: `{"messageId":"m1","eventType":"a","x":}`},
	{name: "missing comma", body: `{"messageId":"m1" "eventType":"a"}`},
	{name: "unquoted key", body: `{"messageId":"m1","eventType":"a",x:1}`},
	{name: "single quotes", body: `{"messageId":"m1","eventType":"a","x":'y'}`},
	{name: "byte order mark", body: "\ufeff{\"messageId\":\"m1\",\"eventType\":\"a\"}"},
	{name: "non-JSON whitespace", body: "{\"messageId\":\"m1\",\v\"eventType\":\"a\"}"},
	{name: "number 01", body: `{"messageId":"m1","eventType":"a","x":01}`},
	{name: "number -01", body: `{"messageId":"m1","eventType":"a","x":-01}`},
	{name: "number 1.", body: `{"messageId":"m1","eventType":"a","x":1.}`},
	{name: "number .5", body: `{"messageId":"m1","eventType":"a","x":.5}`},
	{name: "number +1", body: `{"messageId":"m1","eventType":"a","x":+1}`},
	{name: "number -", body: `{"messageId":"m1","eventType":"a","x":-}`},
	{name: "number 1e", body: `{"messageId":"m1","eventType":"a","x":1e}`},
	{name: "number 1e+", body: `{"messageId":"m1","eventType":"a","x":1e+}`},
	{name: "number 0x1", body: `{"messageId":"m1","eventType":"a","x":0x1}`},
	{name: "number 1.2.3", body: `{"messageId":"m1","eventType":"a","x":1.2.3}`},
	{name: "literal tru", body: `{"messageId":"m1","eventType":"a","x":tru}`},
	{name: "literal True", body: `{"messageId":"m1","eventType":"a","x":True}`},
	{name: "literal nullx", body: `{"messageId":"m1","eventType":"a","x":nullx}`},
	{name: "raw control character in a string", body: "{\"messageId\":\"m1\",\"eventType\":\"a\",\"x\":\"a\x01b\"}"},
	{name: "raw tab in a string", body: "{\"messageId\":\"m1\",\"eventType\":\"a\",\"x\":\"a\tb\"}"},
	{name: "raw newline in a key", body: "{\"messageId\":\"m1\",\"eventType\":\"a\",\"x\ny\":1}"},
	{name: "bad escape", body: `{"messageId":"m1","eventType":"a","x":"\x41"}`},
	{name: "short unicode escape", body: `{"messageId":"m1","eventType":"a","x":"\u12"}`},
	{name: "non-hex unicode escape", body: `{"messageId":"m1","eventType":"a","x":"\u12G4"}`},
	{name: "backslash at the end", body: `{"messageId":"m1","eventType":"a","x":"\`},
	{name: "short unicode escape at the end", body: `{"messageId":"m1","eventType":"a","x":"\u12`},
	{name: "unterminated string", body: `{"messageId":"m1","eventType":"a","x":"abc}`},
	{name: "depth at the bound", body: `{"messageId":"m1","eventType":"a","payload":{"x":` + nestedArrays(maxScreenDepth-2) + `}}`, wantOK: true, typ: "a"},
	{name: "depth one over the bound", body: `{"messageId":"m1","eventType":"a","payload":{"x":` + nestedArrays(maxScreenDepth-1) + `}}`},
	{name: "depth bomb", body: `{"messageId":"m1","eventType":"a","x":` + nestedArrays(5000) + `}`},
	{name: "unclosed depth bomb", body: `{"messageId":"m1","eventType":"a","x":` + strings.Repeat(`{"a":[`, 100000)},

	// 3. CloudEvents and escaped keys
	{name: "CloudEvents", body: `{"specversion":"1.0","id":"m1","source":"s","type":"a"}`},
	{name: "seed with specversion", body: `{"messageId":"m1","eventType":"a","specversion":null}`},
	{name: "specversion in another case is ignored", body: `{"messageId":"m1","eventType":"a","specVersion":"1.0"}`, wantOK: true, typ: "a"},
	{name: "specversion in payload is ignored", body: `{"messageId":"m1","eventType":"a","payload":{"specversion":"1.0"}}`, wantOK: true, typ: "a"},
	{name: "escaped key spelling eventType", body: `{"messageId":"m1","eventType":"a","event\u0054ype":"b"}`},
	{name: "escaped key spelling specversion", body: `{"messageId":"m1","eventType":"a","spec\u0076ersion":"1.0"}`},
	{name: "any escaped key", body: `{"messageId":"m1","eventType":"a","\u0078":1}`},

	// 4. duplicates: the last counts
	{name: "duplicate eventType, last bad", body: `{"messageId":"m1","eventType":"a","eventType":"b c"}`},
	{name: "duplicate eventType, last good", body: `{"messageId":"m1","eventType":"b c","eventType":"a"}`, wantOK: true, typ: "a"},
	{name: "duplicate eventType, last wins", body: `{"messageId":"m1","eventType":"a","eventType":"b"}`, wantOK: true, typ: "b"},
	{name: "duplicate messageId, last null", body: `{"messageId":"m1","eventType":"a","messageId":null}`},
	{name: "duplicate payload, last array", body: `{"messageId":"m1","eventType":"a","payload":{},"payload":[]}`},
	{name: "duplicate payload, last object", body: `{"messageId":"m1","eventType":"a","payload":[],"payload":{}}`, wantOK: true, typ: "a"},

	// 5. messageId
	{name: "missing messageId", body: `{"eventType":"a"}`},
	{name: "null messageId", body: `{"messageId":null,"eventType":"a"}`},
	{name: "empty messageId", body: `{"messageId":"","eventType":"a"}`},
	{name: "messageId with space", body: `{"messageId":"m 1","eventType":"a"}`},
	{name: "messageId with escape", body: `{"messageId":"m\u0031","eventType":"a"}`},
	{name: "messageId with invalid UTF-8", body: "{\"messageId\":\"m\xff\",\"eventType\":\"a\"}"},
	{name: "messageId not printable", body: "{\"messageId\":\"m\u200b\",\"eventType\":\"a\"}"},
	{name: "messageId too long", body: `{"messageId":"` + strings.Repeat("m", maxIDLen+1) + `","eventType":"a"}`},
	{name: "messageId at the length limit", body: `{"messageId":"` + strings.Repeat("m", maxIDLen) + `","eventType":"a"}`, wantOK: true, typ: "a"},
	{name: "messageId a number", body: `{"messageId":12,"eventType":"a"}`},
	{name: "messageId non-ASCII", body: "{\"messageId\":\"\u00e9t\u00e9\",\"eventType\":\"a\"}", wantOK: true, typ: "a"},

	// 6. eventType
	{name: "missing eventType", body: `{"messageId":"m1"}`},
	{name: "null eventType", body: `{"messageId":"m1","eventType":null}`},
	{name: "empty eventType", body: `{"messageId":"m1","eventType":""}`},
	{name: "bad eventType", body: `{"messageId":"m1","eventType":"order..created"}`},
	{name: "eventType with escape", body: `{"messageId":"m1","eventType":"\u0061"}`},
	{name: "eventType an object", body: `{"messageId":"m1","eventType":{}}`},
	{name: "eventType too long", body: `{"messageId":"m1","eventType":"` + strings.Repeat("a", maxTypeLen+1) + `"}`},

	// 7. timestamp
	{name: "timestamp", body: `{"messageId":"m1","eventType":"a","timestamp":"2025-09-06T10:30:00Z"}`, wantOK: true, typ: "a"},
	{name: "timestamp with offset and fraction", body: `{"messageId":"m1","eventType":"a","timestamp":"2025-09-06T18:30:00.5+08:00"}`, wantOK: true, typ: "a"},
	{name: "timestamp null", body: `{"messageId":"m1","eventType":"a","timestamp":null}`, wantOK: true, typ: "a"},
	{name: "timestamp empty", body: `{"messageId":"m1","eventType":"a","timestamp":""}`, wantOK: true, typ: "a"},
	{name: "timestamp garbage", body: `{"messageId":"m1","eventType":"a","timestamp":"06/09/2025 10:30"}`},
	{name: "timestamp out of range", body: `{"messageId":"m1","eventType":"a","timestamp":"2025-13-06T10:30:00Z"}`},
	{name: "timestamp a number", body: `{"messageId":"m1","eventType":"a","timestamp":1757154600}`},
	{name: "timestamp with escape", body: `{"messageId":"m1","eventType":"a","timestamp":"2025-09-06T10:30:00\u005a"}`},

	// 8. priority
	{name: "priority low", body: `{"messageId":"m1","eventType":"a","priority":"low"}`, wantOK: true, typ: "a"},
	{name: "priority HIGH", body: `{"messageId":"m1","eventType":"a","priority":"HIGH"}`, wantOK: true, typ: "a"},
	{name: "priority null", body: `{"messageId":"m1","eventType":"a","priority":null}`, wantOK: true, typ: "a"},
	{name: "priority empty", body: `{"messageId":"m1","eventType":"a","priority":""}`, wantOK: true, typ: "a"},
	{name: "priority urgent", body: `{"messageId":"m1","eventType":"a","priority":"urgent"}`},
	{name: "priority a number", body: `{"messageId":"m1","eventType":"a","priority":1}`},
	{name: "priority with escape", body: `{"messageId":"m1","eventType":"a","priority":"\u004cOW"}`},

	// 9. source and destination
	{name: "source and destination", body: `{"messageId":"m1","eventType":"a","source":"s","destination":"d"}`, wantOK: true, typ: "a"},
	{name: "source null, destination empty", body: `{"messageId":"m1","eventType":"a","source":null,"destination":""}`, wantOK: true, typ: "a"},
	{name: "source with escapes", body: `{"messageId":"m1","eventType":"a","source":"a\"b\u00e9"}`, wantOK: true, typ: "a"},
	{name: "source with invalid UTF-8", body: "{\"messageId\":\"m1\",\"eventType\":\"a\",\"source\":\"s\xff\"}", wantOK: true, typ: "a"},
	{name: "source a number", body: `{"messageId":"m1","eventType":"a","source":1}`},
	{name: "source false", body: `{"messageId":"m1","eventType":"a","source":false}`},
	{name: "destination an object", body: `{"messageId":"m1","eventType":"a","destination":{}}`},

	// 10. payload and metadata
	{name: "payload null", body: `{"messageId":"m1","eventType":"a","payload":null}`, wantOK: true, typ: "a"},
	{name: "payload and metadata objects", body: `{"messageId":"m1","eventType":"a","payload":{"a":[1,{"b":null}]},"metadata":{"t":"x"}}`, wantOK: true, typ: "a"},
	{name: "payload array", body: `{"messageId":"m1","eventType":"a","payload":[1,2]}`},
	{name: "payload string", body: `{"messageId":"m1","eventType":"a","payload":"{}"}`},
	{name: "metadata string", body: `{"messageId":"m1","eventType":"a","metadata":"x"}`},
	{name: "metadata true", body: `{"messageId":"m1","eventType":"a","metadata":true}`},
	{name: "metadata a number", body: `{"messageId":"m1","eventType":"a","metadata":0}`},

	// 11. other members
	{name: "other members of every kind", body: `{"messageId":"m1","eventType":"a","id":5,"type":[],"data":{},"time":"x","extra":null}`, wantOK: true, typ: "a"},
}

func TestScreen(t *testing.T) {
	for _, tt := range screenTests {
		t.Run(tt.name, func(t *testing.T) {
			typ, ok := checkScreenAgainstParse(t, []byte(tt.body), tt.maxSize)
			if ok != tt.wantOK || typ != tt.typ {
				t.Errorf("Screen() = %q, %v, want %q, %v", typ, ok, tt.typ, tt.wantOK)
			}
		})
	}
}

// TestScreenAcceptsValidSeeds checks that Screen accepts, with the type Parse gives, bodies
// Parse accepts: it is not trivially false.
func TestScreenAcceptsValidSeeds(t *testing.T) {
	for _, body := range screenValidBodies {
		if _, err := Parse([]byte(body), Options{}); err != nil {
			t.Fatalf("corpus body %s: %v", body, err)
		}
		if _, ok := checkScreenAgainstParse(t, []byte(body), 0); !ok {
			t.Errorf("Screen(%s) = false, want true", body)
		}
	}
}

// TestScreenTypeIsACopy checks that the type Screen returns does not share the body's memory.
func TestScreenTypeIsACopy(t *testing.T) {
	body := []byte(`{"messageId":"m1","eventType":"abc"}`)
	typ, ok := Screen(body, 0)
	if !ok {
		t.Fatal("Screen refused the body")
	}
	copy(body, strings.Repeat("x", len(body)))
	if typ != "abc" {
		t.Errorf("type = %q after the body changed, want %q", typ, "abc")
	}
}

func TestScreenAllocs(t *testing.T) {
	for name, body := range map[string][]byte{"filtered": benchFilteredBody, "seed": benchSeedBody} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, ok := Screen(body, 0); !ok {
				t.Fatalf("%s: Screen refused the body", name)
			}
		})
		if allocs > 1 {
			t.Errorf("%s: Screen allocates %v times, want at most 1 (the type)", name, allocs)
		}
	}
}

func FuzzScreen(f *testing.F) {
	for _, body := range screenValidBodies {
		f.Add([]byte(body), 0)
	}
	for _, tt := range screenTests {
		if len(tt.body) <= 1<<14 {
			f.Add([]byte(tt.body), tt.maxSize)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, maxSize int) {
		checkScreenAgainstParse(t, body, maxSize)
	})
}

// checkScreenAgainstParse returns what Screen says of body, and fails the test when it says ok
// but Parse with the same size limit refuses the body or gives another type.
func checkScreenAgainstParse(t testing.TB, body []byte, maxSize int) (string, bool) {
	t.Helper()
	typ, ok := Screen(body, maxSize)
	if !ok {
		if typ != "" {
			t.Errorf("Screen(%q) = %q, false, want an empty type with false", body, typ)
		}
		return typ, ok
	}
	ev, err := Parse(body, Options{MaxSize: maxSize})
	switch {
	case err != nil:
		t.Errorf("Screen(%q) = %q, true, but Parse fails: %v", body, typ, err)
	case ev.Type != typ:
		t.Errorf("Screen(%q) = %q, true, but Parse gives type %q", body, typ, ev.Type)
	}
	return typ, ok
}

// nextSpecial reads 8 bytes at a time; it must find what a byte-by-byte look finds.
func TestNextSpecialFindsTheFirstSpecialByte(t *testing.T) {
	naive := func(b []byte, i int) int {
		for ; i < len(b); i++ {
			if stringSpecial[b[i]] {
				return i
			}
		}
		return i
	}
	rng := rand.New(rand.NewPCG(1, 2))
	plain := []byte("abcdefghijklmnopqrstuvwxyz0123456789 !#$%&'()*+,-./:;<=>?@[]^_`{|}~")
	for range 20000 {
		b := make([]byte, rng.IntN(40))
		for j := range b {
			b[j] = plain[rng.IntN(len(plain))]
			if rng.IntN(12) == 0 { // now and then any byte at all
				b[j] = byte(rng.IntN(256))
			}
		}
		for i := 0; i <= len(b); i++ {
			if got, want := nextSpecial(b, i), naive(b, i); got != want {
				t.Fatalf("nextSpecial(%q, %d) = %d, want %d", b, i, got, want)
			}
		}
	}
}
