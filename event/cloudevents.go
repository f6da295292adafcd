package event

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"slices"
	"strings"
)

// specVersion is the only CloudEvents version understood.
const specVersion = "1.0"

// setCloudEventsCore handles the attributes both CloudEvents modes share: specversion, id,
// source, type, time and the priority extension.
func (b *builder) setCloudEventsCore(version, id, source, typ, when, priority string) {
	switch version {
	case specVersion:
	case "":
		b.fail("specversion", "is required")
	default:
		b.fail("specversion", fmt.Sprintf("must be %q, the only CloudEvents version supported (got %q)", specVersion, version))
	}
	b.setID("id", id)
	if source == "" {
		b.fail("source", "is required")
	}
	b.ev.Source = source
	b.setType("type", typ)
	b.setTime("time", when)
	b.setPriority("priority", priority)
}

// structured fills the builder from a CloudEvents 1.0 event in structured (JSON) mode.
func (b *builder) structured(obj map[string]json.RawMessage) {
	var priority string
	if _, ok := obj["priority"]; ok {
		priority = b.str(obj, "priority")
	}
	b.setCloudEventsCore(b.str(obj, "specversion"), b.str(obj, "id"), b.str(obj, "source"),
		b.str(obj, "type"), b.str(obj, "time"), priority)
	for _, name := range slices.Sorted(maps.Keys(obj)) {
		switch name {
		case "specversion", "id", "source", "type", "time", "data", "data_base64":
			continue
		case "subject", "datacontenttype", "dataschema":
			b.ev.Metadata[name] = b.str(obj, name)
			continue
		}
		v, err := decodeMember(obj[name])
		if err != nil {
			b.fail(name, err.Error())
			continue
		}
		b.ev.Metadata[name] = v
	}
	b.structuredData(obj)
}

// structuredData sets the Payload from "data" or "data_base64", at most one of which may be
// present; data_base64 must hold a JSON object.
func (b *builder) structuredData(obj map[string]json.RawMessage) {
	raw, hasData := obj["data"]
	encoded := b.str(obj, "data_base64")
	switch {
	case hasData && encoded != "":
		b.fail("data_base64", `must not be present together with "data"`)
	case hasData:
		if p := b.object("data", raw); p != nil {
			b.ev.Payload = p
		}
	case encoded != "":
		b.base64Data(encoded, b.str(obj, "datacontenttype"))
	}
}

func (b *builder) base64Data(encoded, contentType string) {
	if contentType != "" && !isJSONMediaType(contentType) {
		b.fail("data_base64", fmt.Sprintf("must hold JSON, but datacontenttype is %q", contentType))
		return
	}
	data, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		b.fail("data_base64", fmt.Sprintf("is not valid base64: %v", err))
		return
	}
	if p := b.object("data_base64", data); p != nil {
		b.ev.Payload = p
	}
}

// isJSONMediaType reports whether the media type (parameters allowed) is application/json or
// ends in +json.
func isJSONMediaType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}
