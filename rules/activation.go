package rules

import (
	"encoding/json"

	"cel.dev/cel-go/common/types"
	celref "cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/interpreter"

	"github.com/evtrigger/evtrigger/event"
)

// activation is what conditions of one event see: event, payload and metadata, read from the
// event itself, without a copy. CEL converts a value when a condition reads it, through
// numberAdapter, so a json.Number reads as ev.Activation() documents: an int when it is an
// integer that fits, otherwise a double, and a string when it is out of range even for a double.
// One activation serves the conditions of one event, on one goroutine; adapter is the type
// adapter of the program being evaluated (Env.run sets it). It is also the CEL value of the
// variable event (see eventValue).
type activation struct {
	ev      *event.Event
	adapter types.Adapter
	// strs are the event's string fields converted, by fieldID and the like; nil until read.
	strs [numStringFields]celref.Val
	// full is the map of all fields, built with the adapter fullWith.
	full     traits.Mapper
	fullWith types.Adapter
}

// emptyMap stands for a nil payload or metadata; CEL never writes to it.
var emptyMap = map[string]any{}

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case "payload":
		return orEmpty(a.ev.Payload), true
	case "metadata":
		return orEmpty(a.ev.Metadata), true
	case "event":
		return (*eventValue)(a), true
	}
	return nil, false
}

// Parent implements interpreter.Activation: there is none.
func (a *activation) Parent() interpreter.Activation { return nil }

// orEmpty is m, or an empty map when m is nil.
func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return emptyMap
	}
	return m
}

// numberAdapter is the CEL environment's type adapter: base, except for json.Number (see
// activation) and for the maps and lists holding them, which it wraps with itself so that
// their elements convert the same way when read.
type numberAdapter struct {
	base types.Adapter
}

// NativeToValue implements types.Adapter.
func (a numberAdapter) NativeToValue(v any) celref.Val {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return types.Int(i)
		}
		if f, err := x.Float64(); err == nil {
			return types.Double(f)
		}
		return types.String(x)
	case map[string]any:
		return types.NewStringInterfaceMap(a, x)
	case []any:
		return types.NewDynamicList(a, x)
	}
	return a.base.NativeToValue(v)
}
