package names

import (
	"sort"
	"testing"

	"github.com/dnsmesh/dmp/internal/vectors"
)

// mpVectors holds what this package needs from message-path.json, which the
// reference client v0.7.5 produced (message-path.md §16.3).
type mpVectors struct {
	Identities []struct {
		X25519Pub string `json:"x25519_pub_hex"`
		Ed25519   string `json:"ed25519_pub_hex"`
		UserID    string `json:"user_id_hex"`
		Username  string `json:"username"`
	} `json:"identities"`
	Messages []struct {
		MsgID     string              `json:"msg_id_hex"`
		N         int                 `json:"n"`
		PrekeyID  int                 `json:"prekey_id"`
		Published map[string][]string `json:"published"`
	} `json:"messages"`
	Claims []struct {
		Owner string `json:"owner_name"`
	} `json:"claims"`
}

func loadVectors(t testing.TB) mpVectors {
	t.Helper()
	var v mpVectors
	vectors.Load(t, "message-path.json", &v)
	return v
}

// TestMessageOwners rebuilds every owner name the reference client
// published for the three messages Alice sent Bob in zone mesh.example.
func TestMessageOwners(t *testing.T) {
	const zone = "mesh.example"
	v := loadVectors(t)
	alice, bob := v.Identities[1], v.Identities[2]
	bobID := vectors.Unhex(t, bob.UserID)
	aliceSPK := vectors.Unhex(t, alice.Ed25519)

	for _, m := range v.Messages {
		t.Run(m.MsgID, func(t *testing.T) {
			msgID := vectors.Unhex(t, m.MsgID)
			var got []string
			got = append(got, Slot(SlotIndex(msgID), bobID, zone))
			key := MsgKey(msgID, bobID, aliceSPK)
			for i := 0; i < m.N; i++ {
				got = append(got, Chunk(i, key, zone))
			}
			if m.PrekeyID != 0 {
				got = append(got, PrekeyPool(bob.Username, zone+"."))
			}
			var want []string
			for name := range m.Published {
				want = append(want, name)
			}
			sort.Strings(got)
			sort.Strings(want)
			if len(got) != len(want) {
				t.Fatalf("got %d names %v, want %d %v", len(got), got, len(want), want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("name %d: got %q, want %q", i, got[i], want[i])
				}
			}
		})
	}
}

func TestClaimOwner(t *testing.T) {
	v := loadVectors(t)
	bobID := vectors.Unhex(t, v.Identities[2].UserID)
	got := Claim(8, bobID, "provider.example")
	if want := v.Claims[0].Owner; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestFixedOwners(t *testing.T) {
	mustName := func(s string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// hash16("alice") = 2bd806c97f0e00af (SHA-256 of the UTF-8 username).
	tests := []struct{ name, got, want string }{
		{"identity hashed", IdentityHashed("alice", "example.com.."),
			"id-2bd806c97f0e00af.example.com"},
		{"identity anchored", IdentityAnchored("example.com."), "dmp.example.com"},
		{"rotation hashed", RotationUserHashed("alice", "example.com"),
			"rotate.id-2bd806c97f0e00af.example.com"},
		{"rotation anchored", RotationUserAnchored("example.com."),
			"rotate.dmp.example.com"},
		{"rotation cluster", mustName(RotationCluster("mesh.example.")),
			"rotate.cluster.mesh.example"},
		{"rotation bootstrap", mustName(RotationBootstrap("example.com")),
			"rotate._dmp.example.com"},
		{"cluster", mustName(Cluster("Mesh.Example.")), "cluster.Mesh.Example"},
		{"bootstrap", mustName(Bootstrap("example.com.")), "_dmp.example.com"},
		{"heartbeat", Heartbeat("mesh.example"), "_dnsmesh-heartbeat.mesh.example"},
		{"seen", Seen("mesh.example"), "_dnsmesh-seen.mesh.example"},
		{"chunk index over 9999", Chunk(12345, "abc", "z"), "chunk-12345-abc.z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestValidatedOwnersRefuse(t *testing.T) {
	for _, in := range []string{"", "bad_name.example", "a..", "-a.example"} {
		if _, err := Cluster(in); err == nil {
			t.Errorf("Cluster(%q) succeeded, want error", in)
		}
		if _, err := Bootstrap(in); err == nil {
			t.Errorf("Bootstrap(%q) succeeded, want error", in)
		}
		if _, err := RotationCluster(in); err == nil {
			t.Errorf("RotationCluster(%q) succeeded, want error", in)
		}
		if _, err := RotationBootstrap(in); err == nil {
			t.Errorf("RotationBootstrap(%q) succeeded, want error", in)
		}
	}
}

func TestSlotIndex(t *testing.T) {
	tests := []struct {
		id   []byte
		want int
	}{
		{[]byte{0, 0, 0, 9}, 9},
		{[]byte{0, 0, 0, 10}, 0},
		{[]byte{0xff, 0xff, 0xff, 0xff, 1}, 5}, // 4294967295 mod 10
		{[]byte{1, 2, 3}, -1},
	}
	for _, tt := range tests {
		if got := SlotIndex(tt.id); got != tt.want {
			t.Errorf("SlotIndex(%x) = %d, want %d", tt.id, got, tt.want)
		}
	}
}
