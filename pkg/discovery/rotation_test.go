package discovery

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
)

// rotationVector is one case of rotation_record.json.
type rotationVector struct {
	Description string `json:"description"`
	Inputs      *struct {
		SubjectType SubjectType `json:"subject_type"`
		Subject     string      `json:"subject"`
		OldSPK      string      `json:"old_spk_hex"`
		NewSPK      string      `json:"new_spk_hex"`
		Seq         uint64      `json:"seq"`
		TS          uint64      `json:"ts"`
		Exp         uint64      `json:"exp"`
	} `json:"inputs"`
	OldSeed       string `json:"old_seed_hex"`
	NewSeed       string `json:"new_seed_hex"`
	WireHex       string `json:"expected_wire_hex"`
	ParseResult   string `json:"expected_parse_result"`
	ParseSubject  string `json:"expected_parse_subject"`
	ParseSeq      uint64 `json:"expected_parse_seq"`
	VerifyWithNow *int64 `json:"verify_with_now"`
	WireFromCase  *int   `json:"wire_from_case"`
}

func TestRotationVectors(t *testing.T) {
	var vs []rotationVector
	vectors.Load(t, "reference/rotation_record.json", &vs)
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range vs {
		t.Run(v.Description, func(t *testing.T) {
			oldKey, newKey := dmpKey(t, v.OldSeed), dmpKey(t, v.NewSeed)
			wire := string(vectors.Unhex(t, v.WireHex))
			src := v
			if v.WireFromCase != nil {
				src = vs[*v.WireFromCase]
			}
			in := src.Inputs
			r := &Rotation{in.SubjectType, in.Subject, vectors.Unhex(t, in.OldSPK),
				vectors.Unhex(t, in.NewSPK), in.Seq, in.TS, in.Exp}

			if v.Inputs != nil {
				got, err := r.Sign(oldKey, newKey)
				if err != nil {
					t.Fatalf("Sign: %v", err)
				}
				if got != wire {
					t.Fatalf("Sign:\ngot  %s\nwant %s", got, wire)
				}
			}

			want := Expect{SPK: r.OldSPK, SubjectType: r.SubjectType, Subject: r.Subject}
			got, err := ParseRotation(wire, vectorNow(v.VerifyWithNow, r.Exp), want)
			if v.ParseResult == "none" {
				wantRefusal(t, err, "rotation", vectorReason(t, v.Description))
				return
			}
			if err != nil {
				t.Fatalf("ParseRotation: %v", err)
			}
			if got.Subject != v.ParseSubject || got.Seq != v.ParseSeq {
				t.Errorf("got %q seq %d, want %q %d", got.Subject, got.Seq,
					v.ParseSubject, v.ParseSeq)
			}
			if again, err := got.Sign(oldKey, newKey); err != nil || again != wire {
				t.Errorf("re-sign of parsed record differs (err %v)", err)
			}
		})
	}
}

// testRotation returns a valid rotation and its two signing keys.
func testRotation() (*Rotation, ed25519.PrivateKey, ed25519.PrivateKey) {
	oldKey := ed25519.NewKeyFromSeed(make([]byte, 32))
	newKey := otherKey()
	return &Rotation{
		SubjectType: SubjectUser,
		Subject:     "Alice@Example.com.",
		OldSPK:      oldKey.Public().(ed25519.PublicKey),
		NewSPK:      newKey.Public().(ed25519.PublicKey),
		Seq:         1_700_000_000_000,
		TS:          1_700_000_000,
		Exp:         2_000_000_000,
	}, oldKey, newKey
}

func TestRotationSubjects(t *testing.T) {
	tests := []struct {
		name    string
		st      SubjectType
		subject string
		reason  string
	}{
		{"user", SubjectUser, "alice@example.com", ""},
		{"user with dot", SubjectUser, "alice@example.com.", ""},
		{"user unicode", SubjectUser, "élise@example.com", ""},
		{"user 255 bytes", SubjectUser, strings.Repeat("u", 243) + "@example.com", ""},
		{"user 256 bytes", SubjectUser, strings.Repeat("u", 244) + "@example.com", "want 1..255"},
		{"user no at", SubjectUser, "alice.example.com", "not user@host"},
		{"user empty user", SubjectUser, "@example.com", "empty or padded"},
		{"user padded", SubjectUser, " alice@example.com", "empty or padded"},
		{"user bad host", SubjectUser, "alice@exa_mple.com", "host"},
		{"user second at", SubjectUser, "alice@bob@example.com", "host"},
		{"cluster", SubjectCluster, "mesh.example.com", ""},
		{"cluster 64 bytes", SubjectCluster, strings.Repeat("a", 60) + ".com", ""},
		{"cluster 64 bytes and dot", SubjectCluster, strings.Repeat("a", 60) + ".com.",
			"want 1..64"},
		{"cluster two dots", SubjectCluster, "mesh.example.com..", `".."`},
		{"bootstrap", SubjectBootstrap, "example.com.", ""},
		{"bootstrap user form", SubjectBootstrap, "a@example.com", "subject"},
		{"type 0", 0, "example.com", "subject type 0"},
		{"type 4", 4, "example.com", "subject type 4"},
		{"empty", SubjectCluster, "", "want 1..64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, oldKey, newKey := testRotation()
			r.SubjectType, r.Subject = tt.st, tt.subject
			wire, err := r.Sign(oldKey, newKey)
			if tt.reason != "" {
				wantRefusal(t, err, "rotation", tt.reason)
				return
			}
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			got, err := ParseRotation(wire, time.Unix(int64(r.Exp), 0), Expect{})
			if err != nil {
				t.Fatalf("ParseRotation: %v", err)
			}
			if got.Subject != tt.subject {
				t.Errorf("got subject %q, want %q", got.Subject, tt.subject)
			}
		})
	}
}

func TestRotationParseRules(t *testing.T) {
	r, oldKey, newKey := testRotation()
	wire, err := r.Sign(oldKey, newKey)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := r.Body()
	exp := int64(r.Exp)
	third := ed25519.NewKeyFromSeed(append(make([]byte, 31), 9))

	same := *r
	same.NewSPK = same.OldSPK
	sameBody := appendSubject([]byte(rotationMagic), same.SubjectType, same.Subject)
	sameBody = append(append(sameBody, same.OldSPK...), same.OldSPK...)
	sameBody = append(sameBody, body[len(sameBody):]...)

	tests := []struct {
		name   string
		wire   string
		now    int64
		want   Expect
		reason string
	}{
		{"valid at exp", wire, exp, Expect{}, ""},
		{"subject folds host case and dot", wire, exp,
			Expect{Subject: "Alice@example.COM", SubjectType: SubjectUser}, ""},
		{"user part keeps case", wire, exp, Expect{Subject: "alice@example.com"}, "subject is"},
		{"other type", wire, exp, Expect{SubjectType: SubjectCluster}, "subject type"},
		{"other old key", wire, exp, Expect{SPK: r.NewSPK}, "not the expected key"},
		{"expired", wire, exp + 1, Expect{}, "expired"},
		{"five years out", wire, exp - maxAnchorFuture, Expect{}, ""},
		{"over five years out", wire, exp - maxAnchorFuture - 1, Expect{}, "future"},
		{"only old signature", signRaw(RotationPrefix, body, oldKey, third), exp, Expect{},
			"signature does not verify"},
		{"only new signature", signRaw(RotationPrefix, body, third, newKey), exp, Expect{},
			"signature does not verify"},
		{"swapped signatures", signRaw(RotationPrefix, body, newKey, oldKey), exp, Expect{},
			"signature does not verify"},
		{"one signature", signRaw(RotationPrefix, body, oldKey), exp, Expect{},
			"truncated"},
		{"same keys", signRaw(RotationPrefix, sameBody, oldKey, oldKey), exp, Expect{},
			"same"},
		{"trailing byte", signRaw(RotationPrefix, append(append([]byte{}, body...), 0), oldKey,
			newKey), exp, Expect{}, "trailing"},
		{"revocation prefix", strings.Replace(wire, RotationPrefix, RevocationPrefix, 1), exp,
			Expect{}, "does not start with"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRotation(tt.wire, time.Unix(tt.now, 0), tt.want)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			wantRefusal(t, err, "rotation", tt.reason)
		})
	}
}

func TestRotationSignKeys(t *testing.T) {
	r, oldKey, newKey := testRotation()
	_, err := r.Sign(newKey, oldKey)
	wantRefusal(t, err, "rotation", "does not match the declared old key")
	_, err = r.Sign(oldKey, oldKey)
	wantRefusal(t, err, "rotation", "does not match the declared new key")
	_, err = r.Sign(oldKey, newKey[:32])
	wantRefusal(t, err, "rotation", "new key private key is 32 bytes")
}
