package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/dnsmesh/dmp/internal/state"
)

// messageView is a message as printed with --json. Body holds the text
// exactly; JSON cannot carry bytes that are not UTF-8, so for such a body
// Body has U+FFFD in their place and BodyBase64 holds the original bytes.
type messageView struct {
	ID       uint64 `json:"id"`
	From     string `json:"from"`
	Verified bool   `json:"verified"`
	MsgID    string `json:"msg_id"`
	Sent     string `json:"sent"`
	Received string `json:"received"`
	PrekeyID uint32 `json:"prekey_id"`
	Body     string `json:"body"`

	BodyBase64 string `json:"body_base64,omitempty"`
}

// viewOf describes m: the pinned contact's name, else the verified
// address from the envelope, else a key-derived placeholder.
func viewOf(m state.Message) messageView {
	v := messageView{ID: m.ID, MsgID: hex.EncodeToString(m.MsgID),
		Sent: stamp(m.Sent), Received: stamp(m.Received), PrekeyID: m.PrekeyID,
		Body: string(m.Body)}
	if !utf8.Valid(m.Body) {
		v.BodyBase64 = base64.StdEncoding.EncodeToString(m.Body)
	}
	switch {
	case m.Contact != "":
		v.From, v.Verified = m.Contact, true
	case m.Label != "":
		v.From, v.Verified = m.Label, true
	default:
		v.From = "intro-" + shortHex(m.SenderSPK, 12)
	}
	return v
}

func stamp(ts int64) string { return time.Unix(ts, 0).UTC().Format(time.RFC3339) }

// printMessages writes ms as text blocks, or as one JSON object per line.
// A text block is a header line, then the body indented; sender text is
// made terminal-safe in both (messageTextHelp).
func printMessages(w io.Writer, ms []state.Message, asJSON bool) error {
	for _, m := range ms {
		v := viewOf(m)
		if asJSON {
			b, err := json.Marshal(v)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s\n", b)
			continue
		}
		fmt.Fprintf(w, "[%d] from %s at %s:\n%s", v.ID, terminalSafe(v.From, false), v.Sent,
			indentBody(v.Body))
	}
	return nil
}

// messageTextHelp explains the text form of messages, for the help of the
// commands that print them.
const messageTextHelp = `A message prints as a header line, "[id] from <sender> at <sent time>:",
then its body with every line indented by two spaces, so no line of a
body can pass for a header. Characters a terminal would act on, rather
than show, are printed as escapes, in the body and in the sender's name:
\r for a carriage return, \xNN for the other control characters, DEL and
bytes that are not UTF-8, \uNNNN for C1 controls (U+0080-U+009F),
bidirectional controls and the line and paragraph separators; a
backslash prints as \\. A body keeps its tabs and line breaks (a name
shows them as \t and \n). --json gives the exact text.`
