package message

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Sizes of the header's binary fields, in bytes.
const (
	MsgIDSize  = 16
	UserIDSize = 32
)

// TypeData is the only message type ever sent. The receiver accepts any of
// the reference's types in a header, since the type only enters the AAD.
const TypeData = "DATA"

// knownTypes are the reference's MessageType values.
var knownTypes = map[string]bool{
	"DATA": true, "ACK": true, "DISCOVERY": true, "IDENTITY": true, "MAILBOX": true,
}

// errHeader reports an inner header that is not in canonical form.
var errHeader = errors.New("message: malformed inner header")

// Header is the inner DMPHeader (message-path.md §3.1). Its canonical
// bytes are compact JSON with the keys in this fixed order:
//
//	{"v":1,"type":"DATA","msg_id":"<32 hex>","sender":"<64 hex>",
//	 "recipient":"<64 hex>","total":1,"chunk":0,"ts":<int>,"ttl":<int>}
type Header struct {
	V         int64
	Type      string
	MsgID     [MsgIDSize]byte
	Sender    [UserIDSize]byte // H(sender x25519 public key)
	Recipient [UserIDSize]byte // H(recipient x25519 public key)
	Total     int64            // 1 in the outer message, 0 in the AAD
	Chunk     int64            // always 0
	TS        int64            // sender's clock, Unix seconds
	TTL       int64            // seconds
}

// Marshal returns the header's canonical JSON bytes, byte for byte what
// the reference's DMPHeader.to_bytes writes.
func (h *Header) Marshal() []byte {
	b := make([]byte, 0, 280)
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, h.V, 10)
	b = append(b, `,"type":`...)
	b = strconv.AppendQuote(b, h.Type) // only ever a plain ASCII word
	b = append(b, `,"msg_id":"`...)
	b = hex.AppendEncode(b, h.MsgID[:])
	b = append(b, `","sender":"`...)
	b = hex.AppendEncode(b, h.Sender[:])
	b = append(b, `","recipient":"`...)
	b = hex.AppendEncode(b, h.Recipient[:])
	b = append(b, `","total":`...)
	b = strconv.AppendInt(b, h.Total, 10)
	b = append(b, `,"chunk":`...)
	b = strconv.AppendInt(b, h.Chunk, 10)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, h.TS, 10)
	b = append(b, `,"ttl":`...)
	b = strconv.AppendInt(b, h.TTL, 10)
	return append(b, '}')
}

// AAD returns the associated data the message is sealed with (§3.2): the
// header with total and chunk set to 0, followed by u32(prekeyID).
func (h *Header) AAD(prekeyID uint32) []byte {
	sentinel := *h
	sentinel.Total, sentinel.Chunk = 0, 0
	return binary.BigEndian.AppendUint32(sentinel.Marshal(), prekeyID)
}

// Expired reports whether the header's lifetime ts+ttl is over at now.
// The sum is taken without overflow, since both come from the sender.
func (h *Header) Expired(now int64) bool {
	end := h.TS + h.TTL
	switch {
	case h.TTL > 0 && end < h.TS:
		return false // ends after any representable time
	case h.TTL < 0 && end > h.TS:
		return true // ended before any representable time
	}
	return now > end
}

// headerJSON mirrors the header's JSON keys for decoding.
type headerJSON struct {
	V         *int64  `json:"v"`
	Type      *string `json:"type"`
	MsgID     *string `json:"msg_id"`
	Sender    *string `json:"sender"`
	Recipient *string `json:"recipient"`
	Total     *int64  `json:"total"`
	Chunk     *int64  `json:"chunk"`
	TS        *int64  `json:"ts"`
	TTL       *int64  `json:"ttl"`
}

// ParseHeader decodes an inner header. It accepts only the canonical form
// that Marshal writes, which is the only form a reference sender emits;
// any other bytes (missing or extra keys, other key order, spacing, hex
// case or number forms, an unknown type) are refused (DECISIONS C2).
func ParseHeader(raw []byte) (*Header, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var j headerJSON
	if err := dec.Decode(&j); err != nil {
		return nil, fmt.Errorf("%w: %v", errHeader, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the object", errHeader)
	}
	if j.V == nil || j.Type == nil || j.MsgID == nil || j.Sender == nil ||
		j.Recipient == nil || j.Total == nil || j.Chunk == nil || j.TS == nil || j.TTL == nil {
		return nil, fmt.Errorf("%w: missing key", errHeader)
	}
	if !knownTypes[*j.Type] {
		return nil, fmt.Errorf("%w: unknown type %q", errHeader, *j.Type)
	}

	h := &Header{V: *j.V, Type: *j.Type, Total: *j.Total, Chunk: *j.Chunk, TS: *j.TS, TTL: *j.TTL}
	if !decodeHex(h.MsgID[:], *j.MsgID) || !decodeHex(h.Sender[:], *j.Sender) ||
		!decodeHex(h.Recipient[:], *j.Recipient) {
		return nil, fmt.Errorf("%w: bad hex field", errHeader)
	}
	if !bytes.Equal(h.Marshal(), raw) {
		return nil, fmt.Errorf("%w: not in canonical form", errHeader)
	}
	return h, nil
}

// decodeHex fills dst from s, which must be exactly 2·len(dst) hex digits.
func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	_, err := hex.Decode(dst, []byte(s))
	return err == nil
}
