package discovery

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
)

// revocationVector is one case of revocation_record.json.
type revocationVector struct {
	Description string `json:"description"`
	Inputs      *struct {
		SubjectType SubjectType `json:"subject_type"`
		Subject     string      `json:"subject"`
		RevokedSPK  string      `json:"revoked_spk_hex"`
		Reason      Reason      `json:"reason_code"`
		TS          uint64      `json:"ts"`
	} `json:"inputs"`
	RevokedSeed   string `json:"revoked_seed_hex"`
	WireHex       string `json:"expected_wire_hex"`
	ParseResult   string `json:"expected_parse_result"`
	ParseSubject  string `json:"expected_parse_subject"`
	ParseReason   Reason `json:"expected_parse_reason_code"`
	VerifyWithNow *int64 `json:"verify_with_now"`
	VerifyWithSPK string `json:"verify_with_expected_revoked_spk_hex"`
	VerifyMaxAge  int64  `json:"verify_with_max_age_seconds"`
	WireFromCase  *int   `json:"wire_from_case"`
}

func TestRevocationVectors(t *testing.T) {
	var vs []revocationVector
	vectors.Load(t, "reference/revocation_record.json", &vs)
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range vs {
		t.Run(v.Description, func(t *testing.T) {
			key := dmpKey(t, v.RevokedSeed)
			wire := string(vectors.Unhex(t, v.WireHex))
			src := v
			if v.WireFromCase != nil {
				src = vs[*v.WireFromCase]
			}
			in := src.Inputs
			r := &Revocation{in.SubjectType, in.Subject, vectors.Unhex(t, in.RevokedSPK), in.Reason, in.TS}

			if v.Inputs != nil {
				got, err := r.Sign(key)
				if err != nil {
					t.Fatalf("Sign: %v", err)
				}
				if got != wire {
					t.Fatalf("Sign:\ngot  %s\nwant %s", got, wire)
				}
			}

			// DECISIONS W2: verify_with_now, else ts + 60.
			now := time.Unix(int64(r.TS)+60, 0)
			if v.VerifyWithNow != nil {
				now = time.Unix(*v.VerifyWithNow, 0)
			}
			want := Expect{SPK: r.RevokedSPK, Subject: r.Subject}
			if v.VerifyWithSPK != "" {
				want.SPK = vectors.Unhex(t, v.VerifyWithSPK)
			}
			maxAge := time.Duration(v.VerifyMaxAge) * time.Second
			got, err := ParseRevocation(wire, now, want, maxAge)
			if v.ParseResult == "none" {
				wantRefusal(t, err, "revocation", vectorReason(t, v.Description))
				if maxAge > 0 {
					// The same wire is accepted without the opt-in cap.
					if _, err := ParseRevocation(wire, now, want, 0); err != nil {
						t.Errorf("without max age: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRevocation: %v", err)
			}
			if got.Subject != v.ParseSubject || got.Reason != v.ParseReason {
				t.Errorf("got %q reason %d, want %q %d", got.Subject, got.Reason,
					v.ParseSubject, v.ParseReason)
			}
			if again, err := got.Sign(key); err != nil || again != wire {
				t.Errorf("re-sign of parsed record differs (err %v)", err)
			}
		})
	}
}

// testRevocation returns a valid revocation and its key.
func testRevocation() (*Revocation, ed25519.PrivateKey) {
	priv := otherKey()
	return &Revocation{
		SubjectType: SubjectBootstrap,
		Subject:     "example.com",
		RevokedSPK:  priv.Public().(ed25519.PublicKey),
		Reason:      ReasonLostKey,
		TS:          1_800_000_000,
	}, priv
}

func TestRevocationRules(t *testing.T) {
	r, priv := testRevocation()
	wire, err := r.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := r.Body()
	ts := int64(r.TS)
	bad := append([]byte{}, body...)
	bad[len(bad)-9] = 5 // the reason code

	tests := []struct {
		name   string
		wire   string
		now    int64
		maxAge time.Duration
		reason string
	}{
		{"ten years old", wire, ts + 10*365*86400, 0, ""},
		{"at max age", wire, ts + 3600, time.Hour, ""},
		{"past max age", wire, ts + 3601, time.Hour, "older than"},
		{"ts 300 s ahead", wire, ts - MaxRevocationSkew, 0, ""},
		{"ts 301 s ahead", wire, ts - MaxRevocationSkew - 1, 0, "future"},
		{"reason 5", signRaw(RevocationPrefix, bad, priv), ts, 0, "reason code 5"},
		{"signed by another key", signRaw(RevocationPrefix, body, ed25519.NewKeyFromSeed(
			make([]byte, 32))), ts, 0, "signature does not verify"},
		{"trailing byte", signRaw(RevocationPrefix, append(append([]byte{}, body...), 0), priv),
			ts, 0, "trailing"},
		{"rotation prefix", strings.Replace(wire, RevocationPrefix, RotationPrefix, 1), ts, 0,
			"does not start with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRevocation(tt.wire, time.Unix(tt.now, 0), Expect{}, tt.maxAge)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			wantRefusal(t, err, "revocation", tt.reason)
		})
	}
}

func TestRevocationSignRules(t *testing.T) {
	for _, tt := range []struct {
		name   string
		edit   func(r *Revocation)
		reason string
	}{
		{"reason 0", func(r *Revocation) { r.Reason = 0 }, "reason code 0"},
		{"reason 5", func(r *Revocation) { r.Reason = 5 }, "reason code 5"},
		{"bad subject", func(r *Revocation) { r.Subject = "ex ample.com" }, "subject"},
		{"other key", func(r *Revocation) { r.RevokedSPK = make([]byte, 32) }, "does not match"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, priv := testRevocation()
			tt.edit(r)
			_, err := r.Sign(priv)
			wantRefusal(t, err, "revocation", tt.reason)
		})
	}
}
