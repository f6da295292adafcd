package celexpr

import "testing"

func BenchmarkCELBounded(b *testing.B) { Benchmark(func() (Eval, error) { return NewCEL(Bounded) })(b) }
func BenchmarkCELCounted(b *testing.B) { Benchmark(func() (Eval, error) { return NewCEL(Counted) })(b) }
func BenchmarkCELGuarded(b *testing.B) { Benchmark(func() (Eval, error) { return NewCEL(Guarded) })(b) }
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
