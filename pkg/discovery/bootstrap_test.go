package discovery

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
	"github.com/dnsmesh/dmp/pkg/txt"
)

// bootstrapVector is one case of bootstrap_record.json.
type bootstrapVector struct {
	Description string `json:"description"`
	Inputs      *struct {
		UserDomain string `json:"user_domain"`
		Exp        uint64 `json:"exp"`
		Seq        uint64 `json:"seq"`
		SignerSPK  string `json:"signer_spk_hex"`
		Entries    []struct {
			Priority    uint16 `json:"priority"`
			BaseDomain  string `json:"cluster_base_domain"`
			OperatorSPK string `json:"operator_spk_hex"`
		} `json:"entries"`
	} `json:"inputs"`
	SignerSeed    string `json:"signer_seed_hex"`
	WireHex       string `json:"expected_wire_hex"`
	ParseResult   string `json:"expected_parse_result"`
	ParseDomain   string `json:"expected_parse_user_domain"`
	ParseSeq      uint64 `json:"expected_parse_seq"`
	MultiString   bool   `json:"expected_multi_string"`
	VerifyWithSPK string `json:"verify_with_signer_spk_hex"`
	VerifyWithNow *int64 `json:"verify_with_now"`
	WireFromCase  *int   `json:"wire_from_case"`
}

// bootstrap builds the record a vector's inputs describe.
func (v *bootstrapVector) bootstrap(tb testing.TB) *Bootstrap {
	b := &Bootstrap{
		UserDomain: v.Inputs.UserDomain,
		SignerSPK:  vectors.Unhex(tb, v.Inputs.SignerSPK),
		Seq:        v.Inputs.Seq,
		Exp:        v.Inputs.Exp,
	}
	for _, e := range v.Inputs.Entries {
		b.Entries = append(b.Entries, BootstrapEntry{e.Priority, e.BaseDomain,
			vectors.Unhex(tb, e.OperatorSPK)})
	}
	return b
}

func TestBootstrapVectors(t *testing.T) {
	var vs []bootstrapVector
	vectors.Load(t, "reference/bootstrap_record.json", &vs)
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range vs {
		t.Run(v.Description, func(t *testing.T) {
			key := dmpKey(t, v.SignerSeed)
			wire := string(vectors.Unhex(t, v.WireHex))
			src := v
			if v.WireFromCase != nil {
				src = vs[*v.WireFromCase]
			}
			b := src.bootstrap(t)

			if v.Inputs != nil {
				got, err := b.Sign(key)
				if err != nil {
					t.Fatalf("Sign: %v", err)
				}
				if got != wire {
					t.Fatalf("Sign:\ngot  %s\nwant %s", got, wire)
				}
			}
			if v.MultiString && len(txt.Split(wire)) < 2 {
				t.Errorf("wire of %d bytes fits one TXT string, want several", len(wire))
			}

			pinned := b.SignerSPK
			if v.VerifyWithSPK != "" {
				pinned = vectors.Unhex(t, v.VerifyWithSPK)
			}
			now := vectorNow(v.VerifyWithNow, b.Exp)
			got, err := ParseBootstrap(wire, now, pinned, src.Inputs.UserDomain)
			if v.ParseResult == "none" {
				wantRefusal(t, err, "bootstrap", vectorReason(t, v.Description))
				return
			}
			if err != nil {
				t.Fatalf("ParseBootstrap: %v", err)
			}
			if got.UserDomain != v.ParseDomain || got.Seq != v.ParseSeq {
				t.Errorf("got %q seq %d, want %q %d", got.UserDomain, got.Seq,
					v.ParseDomain, v.ParseSeq)
			}
			if again, err := got.Sign(key); err != nil || again != wire {
				t.Errorf("re-sign of parsed record differs (err %v)", err)
			}
		})
	}
}

// testBootstrap returns a valid record and its signing key.
func testBootstrap() (*Bootstrap, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	op := otherKey().Public().(ed25519.PublicKey)
	return &Bootstrap{
		UserDomain: "example.com",
		SignerSPK:  priv.Public().(ed25519.PublicKey),
		Seq:        1,
		Exp:        2_000_000_000,
		Entries: []BootstrapEntry{
			{20, "mesh2.example.com", op},
			{10, "mesh1.example.com", op},
			{20, "mesh3.example.com", op},
		},
	}, priv
}

func TestBootstrapSortsStably(t *testing.T) {
	b, priv := testBootstrap()
	wire, err := b.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseBootstrap(wire, time.Unix(int64(b.Exp), 0), b.SignerSPK, "EXAMPLE.com.")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range got.Entries {
		order = append(order, e.ClusterBaseDomain)
	}
	want := "mesh1.example.com mesh2.example.com mesh3.example.com"
	if strings.Join(order, " ") != want {
		t.Errorf("got order %v, want %s", order, want)
	}
	if got.Best().ClusterBaseDomain != "mesh1.example.com" {
		t.Errorf("got best %q, want mesh1.example.com", got.Best().ClusterBaseDomain)
	}
	if b.Entries[0].Priority != 20 {
		t.Errorf("Sign reordered the caller's entries")
	}
}

func TestBootstrapSignRules(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(b *Bootstrap)
		reason string
	}{
		{"no entries", func(b *Bootstrap) { b.Entries = nil }, "has 0 entries"},
		{"17 entries", func(b *Bootstrap) {
			for len(b.Entries) < 17 {
				b.Entries = append(b.Entries, b.Entries[0])
			}
		}, "has 17 entries"},
		{"duplicate up to case", func(b *Bootstrap) {
			b.Entries[2].ClusterBaseDomain = "MESH2.example.com."
		}, "appears twice"},
		{"base domain underscore", func(b *Bootstrap) {
			b.Entries[0].ClusterBaseDomain = "_x.example.com"
		}, "cluster base domain"},
		{"user domain 65 bytes", func(b *Bootstrap) {
			b.UserDomain = strings.Repeat("a", 61) + ".com"
		}, "user domain"},
		{"short entry key", func(b *Bootstrap) { b.Entries[1].OperatorSPK = nil }, "entry operator key"},
		{"other signer", func(b *Bootstrap) {
			b.SignerSPK = otherKey().Public().(ed25519.PublicKey)
		}, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, priv := testBootstrap()
			tt.edit(b)
			_, err := b.Sign(priv)
			wantRefusal(t, err, "bootstrap", tt.reason)
		})
	}
}

func TestBootstrapParseRules(t *testing.T) {
	b, priv := testBootstrap()
	body, err := b.Body()
	if err != nil {
		t.Fatal(err)
	}
	const entryStart = magicLen + 8 + 8 + keyLen + 1 + len("example.com") + 1
	entryLen := 2 + 1 + len("mesh1.example.com") + keyLen

	// Swap the first two entries (priorities 10 and 20) to unsort them.
	unsorted := append([]byte{}, body[:entryStart]...)
	unsorted = append(unsorted, body[entryStart+entryLen:entryStart+2*entryLen]...)
	unsorted = append(unsorted, body[entryStart:entryStart+entryLen]...)
	unsorted = append(unsorted, body[entryStart+2*entryLen:]...)

	zero := append(append([]byte{}, body[:entryStart-1]...), 0)
	now := time.Unix(int64(b.Exp), 0)
	tests := []struct {
		name   string
		body   []byte
		reason string
	}{
		{"unsorted entries", unsorted, "not sorted"},
		{"zero entries", zero, "has 0 entries"},
		{"trailing byte", append(append([]byte{}, body...), 1), "trailing bytes"},
		{"truncated key", body[:len(body)-1], "truncated"},
		{"cluster magic", append([]byte(clusterMagic), body[magicLen:]...), "magic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBootstrap(signRaw(BootstrapPrefix, tt.body, priv), now, b.SignerSPK, "")
			wantRefusal(t, err, "bootstrap", tt.reason)
		})
	}

	t.Run("other domain", func(t *testing.T) {
		_, err := ParseBootstrap(signRaw(BootstrapPrefix, body, priv), now, b.SignerSPK,
			"example.org")
		wantRefusal(t, err, "bootstrap", "not")
	})
	t.Run("unpinned", func(t *testing.T) {
		if _, err := ParseBootstrapUnpinned(signRaw(BootstrapPrefix, body, priv), now,
			""); err != nil {
			t.Fatalf("ParseBootstrapUnpinned: %v", err)
		}
	})
}
