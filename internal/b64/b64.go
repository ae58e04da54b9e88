// Package b64 decodes the strict standard base64 that DMP records carry.
//
// DMP writers emit RFC 4648 standard base64 with '=' padding and nothing
// else (DECISIONS W1). Go's decoder silently skips CR and LF, so this
// package refuses any byte outside the alphabet before decoding.
package b64

import (
	"encoding/base64"
	"errors"
)

// ErrInvalid is returned for input that is not strict padded base64.
var ErrInvalid = errors.New("invalid base64")

// Decode decodes s, refusing whitespace, the URL alphabet, missing
// padding and any other byte outside the standard alphabet. Non-zero
// trailing bits are refused too: no two strings decode to the same bytes.
func Decode(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '+' || c == '/' || c == '='
		if !ok {
			return nil, ErrInvalid
		}
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, ErrInvalid
	}
	return b, nil
}

// Encode returns the standard padded base64 encoding of b.
func Encode(b []byte) string {
	return base64.StdEncoding.EncodeToString(b)
}
