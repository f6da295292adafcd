package event

import (
	"crypto/sha256"
	"encoding/hex"
)

// ContentID derives an event ID from a message body: "sha256-" followed by the first 32 hex
// digits (128 bits) of the body's SHA-256. The same body always gives the same ID, so an
// identical message sent again without an ID maps to the same workflow. Bodies that differ in
// any byte (whitespace, member order) give different IDs. Use it as Options.DefaultID.
func ContentID(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256-" + hex.EncodeToString(sum[:16])
}
