package rules

import (
	"fmt"
	"reflect"

	"cel.dev/cel-go/common/types"
	celref "cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// eventValue is the CEL value of the variable event: the map of the event's fields id, type,
// source, destination, time, priority, payload and metadata, read from the event. A field
// lookup (event.type, has(event.type)) reads the one field, and a string field is converted once
// per event; anything else (size, in, iteration, equality, conversion) works on the map of all
// the fields, built on first use as the map Event.Activation describes. So the variable reads
// as that map would, without building it for every event. It is the activation of the event,
// which holds what it converted.
type eventValue activation

// The string fields of the event, by index in activation.strs.
const (
	fieldID = iota
	fieldType
	fieldSource
	fieldDestination
	fieldPriority
	numStringFields
)

// FindStringKey is the lookup CEL's interpreter uses for event.<name>: the field's value, as
// the interpreter's own lookup in a map[string]any gives it (a Go value it then converts, or a
// CEL value), and false for a name that is not a field.
func (e *eventValue) FindStringKey(name string) (any, bool) {
	ev := e.ev
	i := -1
	switch name {
	case "id":
		i = fieldID
	case "type":
		i = fieldType
	case "source":
		i = fieldSource
	case "destination":
		i = fieldDestination
	case "priority":
		i = fieldPriority
	case "time":
		return ev.Time, true
	case "payload":
		return orEmpty(ev.Payload), true
	case "metadata":
		return orEmpty(ev.Metadata), true
	default:
		return nil, false
	}
	if e.strs[i] == nil {
		var s string
		switch i {
		case fieldID:
			s = ev.ID
		case fieldType:
			s = ev.Type
		case fieldSource:
			s = ev.Source
		case fieldDestination:
			s = ev.Destination
		default:
			s = string(eventPriority(ev.Priority))
		}
		e.strs[i] = types.String(s)
	}
	return e.strs[i], true
}

// fields returns the map of all fields, with the current adapter.
func (e *eventValue) fields() traits.Mapper {
	if e.full == nil || e.fullWith != e.adapter {
		ev := e.ev
		m := map[string]any{
			"id": ev.ID, "type": ev.Type, "source": ev.Source, "destination": ev.Destination,
			"time": ev.Time, "priority": string(eventPriority(ev.Priority)),
			"payload": orEmpty(ev.Payload), "metadata": orEmpty(ev.Metadata),
		}
		e.full, e.fullWith = types.NewStringInterfaceMap(e.adapter, m), e.adapter
	}
	return e.full
}

// Find implements traits.Mapper: a field by its name, converted; anything else as the map.
func (e *eventValue) Find(key celref.Val) (celref.Val, bool) {
	if name, ok := key.(types.String); ok {
		v, found := e.FindStringKey(string(name))
		if !found {
			return nil, false
		}
		return e.adapter.NativeToValue(v), true
	}
	return e.fields().Find(key)
}

// Get implements traits.Indexer.
func (e *eventValue) Get(key celref.Val) celref.Val {
	if v, found := e.Find(key); found {
		return v
	}
	return e.fields().Get(key)
}

// Contains implements traits.Container.
func (e *eventValue) Contains(key celref.Val) celref.Val { return e.fields().Contains(key) }

// Size implements traits.Sizer.
func (e *eventValue) Size() celref.Val { return e.fields().Size() }

// Iterator implements traits.Iterable.
func (e *eventValue) Iterator() traits.Iterator { return e.fields().Iterator() }

// ConvertToNative implements celref.Val.
func (e *eventValue) ConvertToNative(typeDesc reflect.Type) (any, error) {
	return e.fields().ConvertToNative(typeDesc)
}

// ConvertToType implements celref.Val.
func (e *eventValue) ConvertToType(typeValue celref.Type) celref.Val {
	return e.fields().ConvertToType(typeValue)
}

// Equal implements celref.Val.
func (e *eventValue) Equal(other celref.Val) celref.Val { return e.fields().Equal(other) }

// Type implements celref.Val.
func (e *eventValue) Type() celref.Type { return types.MapType }

// Value implements celref.Val: the map of all fields.
func (e *eventValue) Value() any { return e.fields().Value() }

// String implements fmt.Stringer as the map does.
func (e *eventValue) String() string { return e.fields().(fmt.Stringer).String() }

// IsZeroValue implements traits.Zeroer as the map does.
func (e *eventValue) IsZeroValue() bool { return e.fields().(traits.Zeroer).IsZeroValue() }

// Fold implements traits.Foldable as the map does.
func (e *eventValue) Fold(f traits.Folder) { e.fields().(traits.Foldable).Fold(f) }

// AggregateSize implements types.AggregateSizeVisitor as the map does.
func (e *eventValue) AggregateSize(sizer types.AggregateSizer) uint32 {
	return e.fields().(types.AggregateSizeVisitor).AggregateSize(sizer)
}
