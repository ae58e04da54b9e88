package main

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// bodyIndent starts every line of a message body in text output, so no
// line a sender writes can pass for a "[N] from ..." header.
const bodyIndent = "  "

// terminalSafe returns s with everything a terminal would act on, rather
// than show, written as a visible escape: a sender's text must not clear
// the screen, move the cursor, ring the bell or reorder what follows, and
// must not pass for our own output.
//
//   - \r, \t and \n become \r, \t and \n (\t and \n only when keepLayout
//     is false: a body keeps its tabs and line breaks, a name does not);
//   - the other C0 controls, DEL and bytes that are not UTF-8 become \xNN;
//   - C1 controls (U+0080-U+009F), bidirectional controls (U+061C,
//     U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the line and
//     paragraph separators (U+2028, U+2029) become \uNNNN;
//   - a backslash becomes \\, so every escape in the output stands for
//     the escaped character, never for the same characters typed.
func terminalSafe(s string, keepLayout bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case (r == '\n' || r == '\t') && keepLayout:
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafeRune reports whether r is a C1 control, a bidirectional control
// or a line or paragraph separator: printed raw, each can change how the
// text around it shows.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f, r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// indentBody returns body made terminal-safe with every line, the first
// included, started by bodyIndent and ended by a newline. Empty lines stay
// empty, so the output has no trailing blanks.
func indentBody(body string) string {
	var b strings.Builder
	for _, line := range strings.Split(terminalSafe(body, true), "\n") {
		if line != "" {
			b.WriteString(bodyIndent)
			b.WriteString(line)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
