package regapi

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"testing"
)

func TestSigningPayload(t *testing.T) {
	challenge := bytes.Repeat([]byte{0xab}, ChallengeSize)
	got := SigningPayload(challenge, "alice@example.org", "node.example.org")
	want := append(append(append(bytes.Clone(challenge), "alice@example.org"...),
		"node.example.org"...), 0x01)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x, want %x", got, want)
	}
}

// TestPossessionMAC checks the MAC against one computed independently
// with Python's hmac module:
// hmac.new(b"k"*32, b"\x01"*32 + b"a@b" + b"\x02"*32, "sha256").hexdigest()
func TestPossessionMAC(t *testing.T) {
	got := PossessionMAC(bytes.Repeat([]byte("k"), 32), bytes.Repeat([]byte{1}, 32), "a@b",
		bytes.Repeat([]byte{2}, 32))
	const want = "f6d85dc026a1a3b7752f926b2c0bbcf3d2397cf617d04f861947dc3d40f5c7fd"
	if hex.EncodeToString(got) != want {
		t.Fatalf("got %x, want %s", got, want)
	}
}

// TestFieldNames pins the JSON names the reference uses.
func TestFieldNames(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"challenge", Challenge{Challenge: "c", Node: "n", ExpiresAt: 1, ServerPub: "p",
			Version: 1},
			`{"challenge":"c","node":"n","expires_at":1,"server_x25519_pub":"p","version":1}`},
		{"confirm without proof", ConfirmRequest{Subject: "s", Ed25519SPK: "k",
			Challenge: "c", Signature: "g"},
			`{"subject":"s","ed25519_spk":"k","challenge":"c","signature":"g"}`},
		{"confirm with proof", ConfirmRequest{Subject: "s", Ed25519SPK: "k", Challenge: "c",
			Signature: "g", X25519Pub: "x", X25519PoP: "m"},
			`{"subject":"s","ed25519_spk":"k","challenge":"c","signature":"g",` +
				`"x25519_pub":"x","x25519_pop":"m"}`},
		{"minted", Minted{KeyName: "k", SecretHex: "s", Algorithm: "hmac-sha256",
			Suffixes: []string{"a"}, Subject: "u", Zone: "z", ExpiresAt: 2},
			`{"tsig_key_name":"k","tsig_secret_hex":"s","tsig_algorithm":"hmac-sha256",` +
				`"allowed_suffixes":["a"],"subject":"u","zone":"z","expires_at":2}`},
		{"error", ErrorReply{Error: "no"}, `{"error":"no"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Fatalf("got %s, want %s", b, tt.want)
			}
		})
	}
}
