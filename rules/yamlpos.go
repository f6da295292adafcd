package rules

import (
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// addCEL reports a CEL problem in the expression of field, placing it at the offending character:
// in the YAML file when the field came from YAML, else (a rule compiled from a Rule value, such
// as one posted as JSON) at its 1-based line and column inside the expression.
func (r *reporter) addCEL(field, expr string, is celIssue) {
	n := r.values[field]
	if n == nil && r.rule == nil && is.line > 0 {
		// A rule compiled from a Rule value: the position inside the condition itself.
		r.add(field, is.line, is.col+1, is.msg)
		return
	}
	if n == nil || is.line <= 0 {
		line, col := r.position(r.values, field)
		r.add(field, line, col, is.msg)
		return
	}
	line, col := scalarPosition(n, r.lines, expr, is.line, is.col)
	r.add(field, line, col, is.msg)
}

// piece is a run of a scalar's text on one line of the file: the scalar's value is its pieces
// joined by one character (a space or a newline).
type piece struct {
	line, col int // of the first character, 1-based
	len       int // in characters
}

// scalarPosition maps a CEL location (1-based line, 0-based column in expr) to the file. It is
// exact for single-line plain scalars and literal (|) block scalars; for quoted scalars it
// assumes no escape sequences before the location, for folded (>) and multi-line flow scalars
// that each line break folded into one character.
func scalarPosition(n *yaml.Node, lines []string, expr string, celLine, celCol int) (int, int) {
	if n.Style&yaml.LiteralStyle != 0 {
		return n.Line + celLine, blockIndent(lines, n.Line) + 1 + celCol
	}
	var pieces []piece
	if n.Style&yaml.FoldedStyle != 0 {
		pieces = blockPieces(lines, n.Line)
	} else {
		col := n.Column
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			col++ // the opening quote
		}
		pieces = flowPieces(lines, n.Line, col)
	}
	offset := runeOffset(expr, celLine, celCol)
	for i, p := range pieces {
		if offset <= p.len || i == len(pieces)-1 {
			return p.line, p.col + offset
		}
		offset -= p.len + 1
	}
	return n.Line, n.Column
}

// runeOffset converts a 1-based line and 0-based column in s into a character offset.
func runeOffset(s string, line, col int) int {
	off := 0
	for i, l := range strings.Split(s, "\n") {
		if i >= line-1 {
			break
		}
		off += utf8.RuneCountInString(l) + 1
	}
	return off + col
}

// blockIndent is the indentation of a block scalar whose header is on (1-based) line header: that
// of its first non-blank line.
func blockIndent(lines []string, header int) int {
	for i := header; i < len(lines); i++ {
		if t := strings.TrimLeft(lines[i], " "); t != "" {
			return len(lines[i]) - len(t)
		}
	}
	return 0
}

// blockPieces returns the non-blank lines of a block scalar whose header is on line header.
func blockPieces(lines []string, header int) []piece {
	indent := blockIndent(lines, header)
	var out []piece
	for i := header; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t\r")
		if l == "" {
			continue // a blank line folds into the separator
		}
		if len(l)-len(strings.TrimLeft(l, " ")) < indent {
			break
		}
		out = append(out, piece{line: i + 1, col: indent + 1, len: utf8.RuneCountInString(l[indent:])})
	}
	return out
}

// flowPieces returns the pieces of a plain or quoted scalar starting at line:col: the rest of
// that line, then the following non-blank lines without their indentation.
func flowPieces(lines []string, line, col int) []piece {
	if line < 1 || line > len(lines) {
		return nil
	}
	first := []rune(lines[line-1])
	rest := 0
	if col-1 < len(first) {
		rest = len(first) - (col - 1)
	}
	out := []piece{{line: line, col: col, len: rest}}
	for i := line; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t\r")
		t := strings.TrimLeft(l, " \t")
		if t == "" {
			continue
		}
		out = append(out, piece{line: i + 1, col: len(l) - len(t) + 1, len: utf8.RuneCountInString(t)})
	}
	return out
}
