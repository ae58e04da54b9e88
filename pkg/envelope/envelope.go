// Package envelope implements the DMPv2 plaintext envelope, which carries
// the sender's address inside the encrypted message (message-path.md §4).
//
// A v2 plaintext is
//
//	"DMPV2:" || header || 0x0A || body
//
// where header is the JSON object {"from":"<canonical address>"} of at
// most 256 bytes. A v1 plaintext is the body alone. Decoding is lenient in
// the reference's way: anything that is not a well-formed v2 plaintext is
// returned whole as a v1 body, so decoding never fails.
package envelope

import (
	"bytes"
	"encoding/json"
	"io"
)

const (
	// Prefix starts every v2 plaintext.
	Prefix = "DMPV2:"

	// MaxHeader is the largest header JSON, in bytes.
	MaxHeader = 256
)

// Encode wraps body in a v2 envelope naming senderAddr. When senderAddr is
// empty or not a valid address, or the header would exceed MaxHeader, it
// returns body unchanged (a v1 plaintext), as the reference does.
func Encode(body []byte, senderAddr string) []byte {
	from, ok := Canonicalize(senderAddr)
	if !ok {
		return body
	}
	// A canonical address holds only [a-z0-9_.@-], so it needs no JSON
	// escaping and the sorted, compact, ASCII-only json.dumps form of the
	// reference is exactly this.
	header := `{"from":"` + from + `"}`
	if len(header) > MaxHeader {
		return body
	}

	out := make([]byte, 0, len(Prefix)+len(header)+1+len(body))
	out = append(out, Prefix...)
	out = append(out, header...)
	out = append(out, '\n')
	return append(out, body...)
}

// Decode splits a plaintext into its body and the canonical sender address
// it claims, "" when it claims none. The address is only a claim: the
// caller checks it against the sender's identity record (§4.5).
//
// Like the reference: without the prefix, without a newline within the
// first MaxHeader+1 bytes after it, or with a header that is not ASCII
// JSON of an object, the whole plaintext is the body. A JSON object header
// makes the envelope real: the body is what follows the newline, and the
// address is "from" if it is a string that canonicalizes. Unknown keys are
// ignored and the last of duplicate keys wins.
func Decode(plaintext []byte) (body []byte, from string) {
	rest, ok := bytes.CutPrefix(plaintext, []byte(Prefix))
	if !ok {
		return plaintext, ""
	}
	nl := bytes.IndexByte(rest[:min(len(rest), MaxHeader+1)], '\n')
	if nl < 0 {
		return plaintext, ""
	}
	header, ok := parseHeader(rest[:nl])
	if !ok {
		return plaintext, ""
	}

	body = rest[nl+1:]
	claimed, isString := header["from"].(string)
	if !isString {
		return body, ""
	}
	from, ok = Canonicalize(claimed)
	if !ok {
		return body, ""
	}
	return body, from
}

// parseHeader decodes an ASCII JSON object.
func parseHeader(raw []byte) (map[string]any, bool) {
	for _, c := range raw {
		if c >= 0x80 {
			return nil, false
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // Python accepts numbers of any size
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // trailing data after the value
	}
	obj, ok := v.(map[string]any)
	return obj, ok
}
