package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/dnsmesh/dmp/internal/state"
)

// messageView is a message as printed.
type messageView struct {
	ID       uint64 `json:"id"`
	From     string `json:"from"`
	Verified bool   `json:"verified"`
	MsgID    string `json:"msg_id"`
	Sent     string `json:"sent"`
	Received string `json:"received"`
	PrekeyID uint32 `json:"prekey_id"`
	Body     string `json:"body"`
}

// viewOf describes m: the pinned contact's name, else the verified
// address from the envelope, else a key-derived placeholder.
func viewOf(m state.Message) messageView {
	v := messageView{ID: m.ID, MsgID: hex.EncodeToString(m.MsgID),
		Sent: stamp(m.Sent), Received: stamp(m.Received), PrekeyID: m.PrekeyID,
		Body: string(m.Body)}
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
		fmt.Fprintf(w, "[%d] from %s at %s:\n%s\n", v.ID, v.From, v.Sent, v.Body)
	}
	return nil
}
