package event

import (
	"errors"
	"testing"
	"time"
)

// fixedNow is the receipt time the tests' clock reports.
var fixedNow = time.Date(2025, 9, 7, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

func testOptions() Options {
	return Options{Now: func() time.Time { return fixedNow }}
}

// checkErr fails the test unless err matches: wantErr (errors.Is) when set, a *ValidationError
// for wantField when set, no error when both are empty.
func checkErr(t *testing.T, err, wantErr error, wantField string) {
	t.Helper()
	switch {
	case wantErr != nil:
		if !errors.Is(err, wantErr) {
			t.Fatalf("error = %v, want one wrapping %v", err, wantErr)
		}
	case wantField != "":
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("error = %v, want a *ValidationError", err)
		}
		if ve.Field != wantField {
			t.Fatalf("ValidationError.Field = %q (%v), want %q", ve.Field, err, wantField)
		}
	case err != nil:
		t.Fatalf("unexpected error: %v", err)
	}
}
