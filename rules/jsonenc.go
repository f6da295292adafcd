package rules

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// appendJSONValue appends x as encoding/json encodes it without HTML escaping (see compactJSON)
// when x is a string, a json.Number, a bool, nil, an int or an int64; for anything else it
// appends nothing and returns false.
func appendJSONValue(dst []byte, x any) ([]byte, bool) {
	switch x := x.(type) {
	case string:
		return appendJSONString(dst, x), true
	case json.Number:
		if x == "" {
			return append(dst, '0'), true // what encoding/json writes for the zero Number
		}
		if !isJSONNumber(string(x)) {
			return dst, false
		}
		return append(dst, x...), true
	case bool:
		return strconv.AppendBool(dst, x), true
	case nil:
		return append(dst, "null"...), true
	case int:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int64:
		return strconv.AppendInt(dst, x, 10), true
	}
	return dst, false
}

// isJSONNumber reports whether s is one JSON number (RFC 8259: an optional minus, an integer
// without leading zeros, an optional fraction and an optional exponent), as encoding/json checks
// a json.Number it encodes.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		if i++; i == len(s) || !isDigit(s[i]) {
			return false
		}
		i = skipDigits(s, i)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		if i++; i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i == len(s) || !isDigit(s[i]) {
			return false
		}
		i = skipDigits(s, i)
	}
	return i == len(s)
}

// skipDigits returns the index of the first byte at or after i in s that is not a digit.
func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// appendJSONString appends s quoted as encoding/json quotes a string with HTML escaping off:
// \\, \", \b, \f, \n, \r and \t, other control characters as \u00XX, invalid UTF-8 as \ufffd,
// U+2028 and U+2029 as \u2028 and \u2029, everything else as it is.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
