// Package vectors reads the cross-implementation test vectors in
// testdata/vectors (the reference's docs/protocol/vectors of v0.7.5 under
// reference/, and the files of message-path.md §16.3) for the tests of the
// codec packages. It is test support: its functions fail the test on error.
package vectors

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Dir is the vectors folder as seen from a package two levels below the
// module root, where every package that reads vectors lives.
const Dir = "../../testdata/vectors"

// Load decodes the JSON file name, relative to Dir (for example
// "fec.json" or "reference/prekey.json"), into v.
func Load(tb testing.TB, name string, v any) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(Dir, name))
	if err != nil {
		tb.Fatalf("read vectors: %v", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
}

// Unhex decodes a hex string from a vector file.
func Unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}
