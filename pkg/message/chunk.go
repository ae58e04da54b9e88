package message

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/dnsmesh/dmp/internal/rs"
	"github.com/dnsmesh/dmp/pkg/erasure"
)

const (
	// checksumSize is the truncated SHA-256 in front of each chunk.
	checksumSize = 8

	// WireChunkSize is the size of a wrapped chunk in bytes:
	// checksum(8) || share(128) || parity(32).
	WireChunkSize = checksumSize + erasure.ShareSize + rs.Parity
)

var errChunk = errors.New("message: bad chunk")

// WrapShare returns the wire chunk for one erasure share (§7.1):
// H(share)[:8] || share || RS parity(share). The share must be
// erasure.ShareSize bytes.
func WrapShare(share []byte) ([]byte, error) {
	if len(share) != erasure.ShareSize {
		return nil, fmt.Errorf("%w: share is %d bytes, want %d",
			errChunk, len(share), erasure.ShareSize)
	}
	code, err := rs.Encode(share)
	if err != nil {
		return nil, fmt.Errorf("message: chunk parity: %w", err)
	}
	sum := sha256.Sum256(share)

	out := make([]byte, 0, WireChunkSize)
	out = append(out, sum[:checksumSize]...)
	return append(out, code...), nil
}

// UnwrapShare returns the erasure share inside a wire chunk (§7.3): RS
// repair first, then the checksum over the repaired share. Only
// WireChunkSize-byte chunks are accepted.
func UnwrapShare(wire []byte) ([]byte, error) {
	if len(wire) != WireChunkSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", errChunk, len(wire), WireChunkSize)
	}
	share, err := rs.Decode(wire[checksumSize:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errChunk, err)
	}
	sum := sha256.Sum256(share)
	if !bytes.Equal(sum[:checksumSize], wire[:checksumSize]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errChunk)
	}
	return share, nil
}
