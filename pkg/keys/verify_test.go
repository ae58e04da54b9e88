package keys

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// lowOrderHex lists the 14 encodings of records-server-cli.md §0.3: the
// eight small-order points, then six non-canonical aliases of them.
var lowOrderHex = []string{
	"0100000000000000000000000000000000000000000000000000000000000000",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"0000000000000000000000000000000000000000000000000000000000000080",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"0000000000000000000000000000000000000000000000000000000000000000",
	"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"0100000000000000000000000000000000000000000000000000000000000080",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
}

// forge looks for a message that the signature R = identity, S = 0
// verifies under pub with plain RFC 8032 verification: with A of small
// order d, [S]B − [k]A is the identity whenever d divides k, which one
// message in d does. It returns the message, or nil when none of the
// first 256 works (the encoding does not decode, or is not small-order).
func forge(pub []byte) (msg, sig []byte) {
	sig = make([]byte, ed25519.SignatureSize)
	sig[0] = 1 // R = (0, 1), the identity; S = 0
	for i := range 256 {
		m := binary.BigEndian.AppendUint32([]byte("dmp forged "), uint32(i))
		if ed25519.Verify(pub, m, sig) {
			return m, sig
		}
	}
	return nil, nil
}

// TestVerifyLowOrder checks every blocklisted encoding: IsLowOrder
// reports it, and a signature forged for it that plain Ed25519 accepts is
// refused by Verify.
func TestVerifyLowOrder(t *testing.T) {
	if len(lowOrder) != len(lowOrderHex) {
		t.Fatalf("blocklist has %d entries, want %d", len(lowOrder), len(lowOrderHex))
	}
	forged := 0
	for _, h := range lowOrderHex {
		t.Run(h[:8]+"…"+h[56:], func(t *testing.T) {
			pub, _ := hex.DecodeString(h)
			if !IsLowOrder(pub) {
				t.Error("IsLowOrder = false, want true")
			}
			msg, sig := forge(pub)
			if msg == nil {
				return // Go's decoder refuses this encoding outright
			}
			forged++
			if Verify(pub, msg, sig) {
				t.Fatalf("Verify accepted the forged signature of %q", msg)
			}
		})
	}
	// The canonical small-order points all decode, so at least eight
	// forgeries exist; fewer means forge no longer tests anything.
	if forged < 8 {
		t.Fatalf("forged signatures for %d keys, want at least 8", forged)
	}
}

func TestVerifyShapes(t *testing.T) {
	id, err := FromX25519(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("dmp")
	sig := id.Sign(msg)
	tests := []struct {
		name     string
		pub, sig []byte
		want     bool
	}{
		{"valid", id.Ed25519Public, sig, true},
		{"31-byte key", id.Ed25519Public[:31], sig, false},
		{"33-byte key", append(append([]byte{}, id.Ed25519Public...), 0), sig, false},
		{"63-byte signature", id.Ed25519Public, sig[:63], false},
		{"nil key", nil, sig, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Verify(tt.pub, msg, tt.sig); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
