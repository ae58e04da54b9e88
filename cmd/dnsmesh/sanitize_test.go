package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/state"
)

// hostileBody is what `printf 'evil \033[2J\033[31mRED\033[0m bell\a
// \r[99] from bob@mesh.example fake\n'` writes: a screen clear, colours, a
// bell and a carriage return that would overwrite the line with a fake
// header.
const hostileBody = "evil \x1b[2J\x1b[31mRED\x1b[0m bell\a \r[99] from bob@mesh.example fake\n"

// hostileShown is hostileBody as a text block shows it.
const hostileShown = `  evil \x1b[2J\x1b[31mRED\x1b[0m bell\x07 \r[99] from bob@mesh.example fake` +
	"\n\n"

func TestTerminalSafe(t *testing.T) {
	tests := []struct {
		name, in   string
		keepLayout bool
		want       string
	}{
		{"plain text", "héllo, wörld ✓", true, "héllo, wörld ✓"},
		{"hostile body", hostileBody, true,
			`evil \x1b[2J\x1b[31mRED\x1b[0m bell\x07 \r[99] from bob@mesh.example fake` + "\n"},
		{"layout kept in a body", "a\tb\nc", true, "a\tb\nc"},
		{"layout escaped in a name", "a\tb\nc", false, `a\tb\nc`},
		{"NUL, backspace, DEL", "\x00\b\x7f", true, `\x00\x08\x7f`},
		{"backslash doubled", `\x1b is ESC`, true, `\\x1b is ESC`},
		{"C1 controls", "\u0085next\u009b31m", true, `\u0085next\u009b31m`},
		{"bidi overrides", "abc\u202edcba\u2066x\u2069\u200f", true,
			`abc\u202edcba\u2066x\u2069\u200f`},
		{"line separators", "a\u2028b\u2029c", true, `a\u2028b\u2029c`},
		{"invalid UTF-8", "ok\xff\xfe\xc3", true, `ok\xff\xfe\xc3`},
		{"valid non-ASCII just past the C1 range", "\u00a0\u00ff", true, "\u00a0\u00ff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := terminalSafe(tt.in, tt.keepLayout); got != tt.want {
				t.Fatalf("terminalSafe(%q, %v) = %q, want %q", tt.in, tt.keepLayout, got,
					tt.want)
			}
		})
	}
}

func TestIndentBody(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"hostile body", hostileBody, hostileShown},
		{"fake header on its own line", "hi\n[99] from bob@mesh.example at x:\nfake",
			"  hi\n  [99] from bob@mesh.example at x:\n  fake\n"},
		{"empty lines stay empty", "a\n\nb", "  a\n\n  b\n"},
		{"escaped newline in a line", "a\\nb", "  a\\\\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := indentBody(tt.in); got != tt.want {
				t.Fatalf("indentBody(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestPrintMessagesHostile prints a hostile message from a hostile sender
// label: the text block has no byte below 0x20 but its line breaks, every
// body line indented; --json keeps body and sender exact.
func TestPrintMessagesHostile(t *testing.T) {
	m := state.Message{ID: 7, Label: "eve\x1b[2K\r@mesh.example", Sent: 1_700_000_000,
		Received: 1_700_000_001, MsgID: make([]byte, 16), Body: []byte(hostileBody)}
	var text bytes.Buffer
	if err := printMessages(&text, []state.Message{m}, false); err != nil {
		t.Fatal(err)
	}
	want := `[7] from eve\x1b[2K\r@mesh.example at 2023-11-14T22:13:20Z:` + "\n" + hostileShown
	if text.String() != want {
		t.Fatalf("text got %q, want %q", text.String(), want)
	}

	v, out := printedJSON(t, m)
	if v.Body != hostileBody || v.From != string(m.Label) || v.BodyBase64 != "" ||
		!strings.Contains(out, `\u001b`) {
		t.Fatalf("json got %+v (%q), want the exact body and sender, escaped", v, out)
	}
}

// printedJSON prints m with --json and returns the object and the line.
func printedJSON(t *testing.T, m state.Message) (messageView, string) {
	t.Helper()
	var out bytes.Buffer
	if err := printMessages(&out, []state.Message{m}, true); err != nil {
		t.Fatal(err)
	}
	var v messageView
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("json %q: %v", out.String(), err)
	}
	return v, out.String()
}

// TestPrintMessagesInvalidUTF8: JSON cannot carry the bytes, so body has
// U+FFFD in their place and body_base64 holds them exactly.
func TestPrintMessagesInvalidUTF8(t *testing.T) {
	raw := []byte("caf\xe9 \xff!")
	m := state.Message{ID: 1, Contact: "bob", MsgID: make([]byte, 16), Body: raw}
	v, _ := printedJSON(t, m)
	got, err := base64.StdEncoding.DecodeString(v.BodyBase64)
	if err != nil || !bytes.Equal(got, raw) || v.Body != "caf\uFFFD \uFFFD!" {
		t.Fatalf("json got body %q, body_base64 %q; want U+FFFD and the exact bytes",
			v.Body, v.BodyBase64)
	}
}
