package event

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// headerPrefix starts the name of every CloudEvents attribute header in HTTP binary mode.
const headerPrefix = "ce-"

// IsBinaryMode reports whether an HTTP request with these headers carries a CloudEvents event
// in binary mode, that is whether it has a ce-specversion header (in any letter case).
func IsBinaryMode(header http.Header) bool {
	for name := range header {
		if strings.EqualFold(name, headerPrefix+"specversion") {
			return true
		}
	}
	return false
}

// ParseBinary converts a CloudEvents 1.0 HTTP binary-mode request into an Event. The attributes
// come from the ce- headers: ce-specversion ("1.0"), ce-id, ce-source and ce-type are required,
// ce-time is RFC 3339; every other ce- header (ce-subject included) goes into Metadata, named
// without the prefix and in lower case, as a string. Only a header's first value is used, and
// values are percent-decoded as the CloudEvents HTTP binding requires. A ce-priority header
// also sets Priority. Content-Type is the datacontenttype, kept in Metadata["datacontenttype"].
//
// The body is the data: empty (or null) gives an empty Payload, otherwise it must be a JSON
// object and the Content-Type, when present, application/json or a +json type. An absent
// Content-Type is taken to mean JSON.
//
// Defaults and errors are those of Parse; opts.DefaultID is called with the body only.
// ValidationErrors name the attribute without the prefix ("id", "type", "datacontenttype").
func ParseBinary(header http.Header, body []byte, opts Options) (Event, error) {
	if err := opts.checkSize(body); err != nil {
		return Event{}, err
	}
	b := newBuilder(body, opts)
	attrs := b.ceHeaders(header)
	b.setCloudEventsCore(attrs["specversion"], attrs["id"], attrs["source"], attrs["type"],
		attrs["time"], attrs["priority"])
	for name, value := range attrs {
		switch name {
		case "specversion", "id", "source", "type", "time":
		default:
			b.ev.Metadata[name] = value
		}
	}
	contentType := header.Get("Content-Type")
	if contentType != "" {
		b.ev.Metadata["datacontenttype"] = contentType
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return b.finish()
	}
	if contentType != "" && !isJSONMediaType(contentType) {
		b.fail("datacontenttype", fmt.Sprintf("must be application/json or a +json type when there is data (got %q)", contentType))
		return b.finish()
	}
	data, err := decodeValue(body)
	if err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if p := b.asObject("data", data); p != nil {
		b.ev.Payload = p
	}
	return b.finish()
}

// ceHeaders returns the ce- headers' first values, percent-decoded, by lower-case attribute name.
func (b *builder) ceHeaders(header http.Header) map[string]string {
	attrs := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(header)) {
		values := header[name]
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, headerPrefix) || len(values) == 0 {
			continue
		}
		attr := strings.TrimPrefix(lower, headerPrefix)
		value, err := url.PathUnescape(values[0])
		if err != nil {
			b.fail(attr, fmt.Sprintf("has an invalid percent-encoding: %v", err))
			continue
		}
		attrs[attr] = value
	}
	return attrs
}
