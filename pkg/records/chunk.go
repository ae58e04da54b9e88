package records

// Chunk wire constants (message-path.md §7.1, §8).
const (
	ChunkPrefix = "v=dmp1;t=chunk;d="

	// ChunkSize is the decoded size of every chunk: an 8-byte checksum,
	// a 128-byte data block and 32 Reed–Solomon parity bytes.
	ChunkSize = 8 + 128 + 32

	// ChunkWireSize is the length of a chunk's TXT value.
	ChunkWireSize = len(ChunkPrefix) + (ChunkSize+2)/3*4 // 241

	chunkType = "chunk"
)

// EncodeChunk returns the TXT value carrying one wire chunk, refusing data
// that is not ChunkSize bytes.
func EncodeChunk(data []byte) (string, error) {
	if len(data) != ChunkSize {
		return "", Refuse(chunkType, "chunk is %d bytes, want %d", len(data), ChunkSize)
	}
	return Frame(ChunkPrefix, data), nil
}

// ParseChunk returns the wire chunk a chunk TXT value carries. The value
// must be exactly the prefix and the strict base64 of ChunkSize bytes; the
// reference's lenient key=value parsing is not copied, since its writers
// only emit this form (DECISIONS W1). Chunks are unsigned and carry no
// time; the receiver checks H(chunk) against the manifest. Errors are
// *Error values.
func ParseChunk(wire string) ([]byte, error) {
	data, err := Unframe(chunkType, ChunkPrefix, ChunkWireSize, wire)
	if err != nil {
		return nil, err
	}
	if len(data) != ChunkSize {
		return nil, Refuse(chunkType, "chunk is %d bytes, want %d", len(data), ChunkSize)
	}
	return data, nil
}
