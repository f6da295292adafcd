package celexpr

import "testing"

func BenchmarkCELGuarded(b *testing.B) { Benchmark(func() (Eval, error) { return NewCEL(true) })(b) }
func BenchmarkCELPlain(b *testing.B)   { Benchmark(func() (Eval, error) { return NewCEL(false) })(b) }
func BenchmarkExpr(b *testing.B)       { Benchmark(NewExpr)(b) }

// TestEnginesAgree checks that every engine compiles the condition and finds it true.
func TestEnginesAgree(t *testing.T) {
	for _, e := range Engines {
		eval, err := e.New()
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		if ok, err := eval(); !ok || err != nil {
			t.Errorf("%s: %v, %v; want true", e.Name, ok, err)
		}
	}
}
