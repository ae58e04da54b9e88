package keys

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/dnsmesh/dmp/internal/vectors"
)

// mpIdentity is one entry of identities[] in message-path.json, produced by
// running the reference client v0.7.5 (message-path.md §16.3).
type mpIdentity struct {
	Passphrase  string `json:"passphrase"`
	SaltHex     string `json:"salt_hex"`
	X25519Priv  string `json:"x25519_priv_hex"`
	X25519Pub   string `json:"x25519_pub_hex"`
	Ed25519Seed string `json:"ed25519_seed_hex"`
	Ed25519Pub  string `json:"ed25519_pub_hex"`
	UserID      string `json:"user_id_hex"`
	MBHash12    string `json:"mb_hash12"`
	Fingerprint string `json:"fingerprint16"`
	Note        string `json:"note"`
}

func loadIdentities(t *testing.T) []mpIdentity {
	t.Helper()
	var f struct {
		Identities []mpIdentity `json:"identities"`
	}
	vectors.Load(t, "message-path.json", &f)
	if len(f.Identities) != 3 {
		t.Fatalf("got %d identities, want 3", len(f.Identities))
	}
	return f.Identities
}

func TestFromPassphraseVectors(t *testing.T) {
	for i, v := range loadIdentities(t) {
		t.Run(v.Passphrase, func(t *testing.T) {
			salt, _ := hex.DecodeString(v.SaltHex)
			if i == 0 {
				// The first identity is the salt=None case: derive it
				// with a nil salt and check the default is what the
				// reference used.
				if !bytes.Equal(salt, DefaultSalt) {
					t.Fatalf("vector salt %q, want the default %q", salt, DefaultSalt)
				}
				salt = nil
			}
			id, err := FromPassphrase(v.Passphrase, salt)
			if err != nil {
				t.Fatal(err)
			}
			checkIdentity(t, id, v)
		})
	}
}

func checkIdentity(t *testing.T, id *Identity, v mpIdentity) {
	t.Helper()
	uid := id.UserID()
	for _, c := range []struct{ name, got, want string }{
		{"x25519 private", hex.EncodeToString(id.X25519Private), v.X25519Priv},
		{"x25519 public", hex.EncodeToString(id.X25519Public), v.X25519Pub},
		{"ed25519 seed", hex.EncodeToString(id.Ed25519Seed), v.Ed25519Seed},
		{"ed25519 public", hex.EncodeToString(id.Ed25519Public), v.Ed25519Pub},
		{"user_id", hex.EncodeToString(uid[:]), v.UserID},
		{"mailbox hash", id.MailboxHash(), v.MBHash12},
		{"fingerprint", id.Fingerprint(), v.Fingerprint},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, c.got, c.want)
		}
	}
}

func TestFromX25519Vectors(t *testing.T) {
	for _, v := range loadIdentities(t) {
		t.Run(v.Passphrase, func(t *testing.T) {
			priv, _ := hex.DecodeString(v.X25519Priv)
			id, err := FromX25519(priv)
			if err != nil {
				t.Fatal(err)
			}
			checkIdentity(t, id, v)
		})
	}
}

func TestFromPassphraseSalt(t *testing.T) {
	tests := []struct {
		name string
		salt []byte
		err  error
	}{
		{"empty non-nil salt", []byte{}, ErrSalt},
		{"7 bytes", []byte("1234567"), ErrSalt},
		{"8 bytes", []byte("12345678"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromPassphrase("pw", tt.salt)
			if !errors.Is(err, tt.err) {
				t.Fatalf("got error %v, want %v", err, tt.err)
			}
		})
	}
}

func TestFromX25519Length(t *testing.T) {
	for _, n := range []int{0, 31, 33} {
		if _, err := FromX25519(make([]byte, n)); !errors.Is(err, ErrPrivateKey) {
			t.Errorf("FromX25519(%d bytes) error = %v, want ErrPrivateKey", n, err)
		}
	}
}

func TestSignVerifyAndShared(t *testing.T) {
	ids := loadIdentities(t)
	a, _ := hex.DecodeString(ids[1].X25519Priv)
	b, _ := hex.DecodeString(ids[2].X25519Priv)
	alice, _ := FromX25519(a)
	bob, _ := FromX25519(b)

	msg := []byte("dmp")
	sig := alice.Sign(msg)
	if !Verify(alice.Ed25519Public, msg, sig) {
		t.Fatal("alice's signature does not verify")
	}
	if Verify(bob.Ed25519Public, msg, sig) {
		t.Fatal("alice's signature verifies under bob's key")
	}

	ab, err := alice.SharedSecret(bob.X25519Public)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := bob.SharedSecret(alice.X25519Public)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ab, ba) {
		t.Fatalf("shared secrets differ: %x vs %x", ab, ba)
	}
	if _, err := alice.SharedSecret(make([]byte, 32)); err == nil {
		t.Fatal("shared secret with the all-zero point succeeded")
	}
}
