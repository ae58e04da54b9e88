package discovery

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
	"github.com/dnsmesh/dmp/pkg/records"
)

// Each fuzz target reads its input two ways. As a TXT value, the parser
// must not panic, must refuse with a *records.Error, and anything it
// accepts must be reproduced exactly by signing the parsed fields again.
// As a body, it is signed with the vector keys and parsed: a body that
// decodes must re-encode to the same bytes (one encoding per record), and
// when the vector keys match its embedded keys, Sign must reproduce the
// hand-signed value and the parser must accept it at a clock inside the
// record's window.

// fuzzKeys maps public keys to the vector private keys that own them.
type fuzzKeys map[string]ed25519.PrivateKey

func (k fuzzKeys) add(priv ed25519.PrivateKey) {
	k[string(priv.Public().(ed25519.PublicKey))] = priv
}

// seedBoth adds a vector's wire and its body as seeds.
func seedBoth(f *testing.F, prefix, wire string, nsig int) {
	f.Add([]byte(wire))
	if body, _, err := unframeSigned("seed", prefix, wire, nsig); err == nil {
		f.Add(body)
	}
}

// wantRecordError fails unless err is nil or a *records.Error.
func wantRecordError(t *testing.T, err error) {
	var re *records.Error
	if err != nil && !errors.As(err, &re) {
		t.Fatalf("got %T %v, want *records.Error", err, err)
	}
}

// wantSameBody fails unless rec re-encodes to body.
func wantSameBody(t *testing.T, rec interface{ Body() ([]byte, error) }, body []byte) {
	got, err := rec.Body()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("decoded body re-encodes to %x (err %v), want %x", got, err, body)
	}
}

// at returns the instant of unix second s, or false past time's range.
func at(s uint64) (time.Time, bool) {
	return time.Unix(int64(s), 0), s <= math.MaxInt64
}

func FuzzCluster(f *testing.F) {
	var vs []clusterVector
	vectors.Load(f, "reference/cluster_manifest.json", &vs)
	keys := fuzzKeys{}
	for _, v := range vs {
		keys.add(dmpKey(f, v.OperatorSeed))
		seedBoth(f, ClusterPrefix, string(vectors.Unhex(f, v.WireHex)), 1)
	}
	now := time.Unix(int64(vs[0].Inputs.Exp)-86400, 0)

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, priv := range keys {
			c, err := ParseCluster(string(data), now, priv.Public().(ed25519.PublicKey), "")
			wantRecordError(t, err)
			if err == nil && must(t)(c.Sign(priv)) != string(data) {
				t.Fatal("re-signing a parsed manifest changed it")
			}
		}

		c, err := decodeCluster(data)
		wantRecordError(t, err)
		if err != nil {
			return
		}
		wantSameBody(t, c, data)
		priv, ok := keys[string(c.OperatorSPK)]
		if !ok {
			return
		}
		wire := signRaw(ClusterPrefix, data, priv)
		signed, err := c.Sign(priv)
		if len(wire) > MaxWireLen {
			wantRecordError(t, err)
			return
		}
		if err != nil || signed != wire {
			t.Fatalf("Sign of decoded fields differs from the signed body (err %v)", err)
		}
		if when, ok := at(c.Exp); ok {
			if _, err := ParseCluster(wire, when, c.OperatorSPK, c.Name); err != nil {
				t.Fatalf("ParseCluster of a re-signed body: %v", err)
			}
		}
	})
}

func FuzzBootstrap(f *testing.F) {
	var vs []bootstrapVector
	vectors.Load(f, "reference/bootstrap_record.json", &vs)
	keys := fuzzKeys{}
	for _, v := range vs {
		keys.add(dmpKey(f, v.SignerSeed))
		seedBoth(f, BootstrapPrefix, string(vectors.Unhex(f, v.WireHex)), 1)
	}
	now := time.Unix(int64(vs[0].Inputs.Exp)-86400, 0)

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, priv := range keys {
			b, err := ParseBootstrap(string(data), now, priv.Public().(ed25519.PublicKey), "")
			wantRecordError(t, err)
			if err == nil && must(t)(b.Sign(priv)) != string(data) {
				t.Fatal("re-signing a parsed bootstrap record changed it")
			}
		}

		b, err := decodeBootstrap(data)
		wantRecordError(t, err)
		if err != nil {
			return
		}
		wantSameBody(t, b, data)
		priv, ok := keys[string(b.SignerSPK)]
		if !ok {
			return
		}
		wire := signRaw(BootstrapPrefix, data, priv)
		signed, err := b.Sign(priv)
		if len(wire) > MaxWireLen {
			wantRecordError(t, err)
			return
		}
		if err != nil || signed != wire {
			t.Fatalf("Sign of decoded fields differs from the signed body (err %v)", err)
		}
		if when, ok := at(b.Exp); ok {
			if _, err := ParseBootstrap(wire, when, b.SignerSPK, b.UserDomain); err != nil {
				t.Fatalf("ParseBootstrap of a re-signed body: %v", err)
			}
		}
	})
}

func FuzzRotation(f *testing.F) {
	var vs []rotationVector
	vectors.Load(f, "reference/rotation_record.json", &vs)
	keys := fuzzKeys{}
	for _, v := range vs {
		keys.add(dmpKey(f, v.OldSeed))
		keys.add(dmpKey(f, v.NewSeed))
		seedBoth(f, RotationPrefix, string(vectors.Unhex(f, v.WireHex)), 2)
	}
	now := time.Unix(int64(vs[0].Inputs.Exp)-86400, 0)

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRotation(string(data), now, Expect{})
		wantRecordError(t, err)
		if err == nil {
			if must(t)(r.Sign(keys[string(r.OldSPK)], keys[string(r.NewSPK)])) !=
				string(data) {
				t.Fatal("re-signing a parsed rotation changed it")
			}
		}

		r, err = decodeRotation(data)
		wantRecordError(t, err)
		if err != nil {
			return
		}
		wantSameBody(t, r, data)
		oldPriv, ok1 := keys[string(r.OldSPK)]
		newPriv, ok2 := keys[string(r.NewSPK)]
		if !ok1 || !ok2 {
			return
		}
		wire := signRaw(RotationPrefix, data, oldPriv, newPriv)
		signed, err := r.Sign(oldPriv, newPriv)
		if err != nil || signed != wire {
			t.Fatalf("Sign of decoded fields differs from the signed body (err %v)", err)
		}
		if when, ok := at(r.Exp); ok {
			if _, err := ParseRotation(wire, when, Expect{}); err != nil {
				t.Fatalf("ParseRotation of a re-signed body: %v", err)
			}
		}
	})
}

func FuzzRevocation(f *testing.F) {
	var vs []revocationVector
	vectors.Load(f, "reference/revocation_record.json", &vs)
	keys := fuzzKeys{}
	for _, v := range vs {
		keys.add(dmpKey(f, v.RevokedSeed))
		seedBoth(f, RevocationPrefix, string(vectors.Unhex(f, v.WireHex)), 1)
	}
	now := time.Unix(int64(vs[0].Inputs.TS)+60, 0)

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRevocation(string(data), now, Expect{}, 0)
		wantRecordError(t, err)
		if err == nil && must(t)(r.Sign(keys[string(r.RevokedSPK)])) != string(data) {
			t.Fatal("re-signing a parsed revocation changed it")
		}

		r, err = decodeRevocation(data)
		wantRecordError(t, err)
		if err != nil {
			return
		}
		wantSameBody(t, r, data)
		priv, ok := keys[string(r.RevokedSPK)]
		if !ok {
			return
		}
		wire := signRaw(RevocationPrefix, data, priv)
		signed, err := r.Sign(priv)
		if err != nil || signed != wire {
			t.Fatalf("Sign of decoded fields differs from the signed body (err %v)", err)
		}
		if when, ok := at(r.TS); ok {
			if _, err := ParseRevocation(wire, when, Expect{}, 0); err != nil {
				t.Fatalf("ParseRevocation of a re-signed body: %v", err)
			}
		}
	})
}

// FuzzHeartbeat is seeded from the hand-built heartbeat known answers
// (heartbeat_test.go): there is no reference heartbeat vector file.
func FuzzHeartbeat(f *testing.F) {
	h, priv := testHeartbeat()
	for _, legacy := range []bool{false, true} {
		body := hbKnownBody(f, legacy)
		f.Add(body)
		f.Add([]byte(signRaw(HeartbeatPrefix, body, priv)))
	}
	now := time.Unix(int64(h.TS), 0)

	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseHeartbeat(string(data), now, DefaultHeartbeatSkew)
		wantRecordError(t, err)
		if err == nil {
			body, _, _ := unframeSigned(heartbeatType, HeartbeatPrefix, string(data), 1)
			wantSameBody(t, got, body)
			if !got.Legacy && must(t)(got.Sign(priv)) != string(data) {
				t.Fatal("re-signing a parsed heartbeat changed it")
			}
		}

		got, err = decodeHeartbeat(data)
		wantRecordError(t, err)
		if err != nil {
			return
		}
		wantSameBody(t, got, data)
		if !bytes.Equal(got.OperatorSPK, h.OperatorSPK) {
			return
		}
		wire := signRaw(HeartbeatPrefix, data, priv)
		if !got.Legacy {
			if signed, err := got.Sign(priv); err != nil || signed != wire {
				t.Fatalf("Sign of decoded fields differs from the signed body (err %v)", err)
			}
		}
		if when, ok := at(got.TS); ok && got.Exp-got.TS <= maxHeartbeatFuture {
			if _, err := ParseHeartbeat(wire, when, 0); err != nil {
				t.Fatalf("ParseHeartbeat of a re-signed body: %v", err)
			}
		}
	})
}

// must returns a function that passes on a Sign result, failing the test
// on error.
func must(t *testing.T) func(wire string, err error) string {
	return func(wire string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatalf("Sign of a parsed record: %v", err)
		}
		return wire
	}
}
