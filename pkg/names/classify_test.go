package names

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	const zone = "mesh.example"
	const h12 = "66446940f5ce"
	const h16 = "2bd806c97f0e00af"
	tests := []struct {
		owner string
		want  Owner
	}{
		{"slot-8.mb-" + h12 + ".mesh.example",
			Owner{Kind: KindManifest, Slot: 8, Hash: h12, Domain: zone}},
		{"SLOT-0.MB-66446940F5CE.Mesh.Example.",
			Owner{Kind: KindManifest, Slot: 0, Hash: h12, Domain: zone}},
		{"slot-3.mb-" + h12 + ".alice.mesh.example",
			Owner{Kind: KindManifest, Slot: 3, Hash: h12, Domain: "alice.mesh.example"}},
		{"claim-9.mb-" + h12 + ".mesh.example",
			Owner{Kind: KindClaim, Slot: 9, Hash: h12, Domain: zone}},
		{"chunk-0000-87152f435383.mesh.example",
			Owner{Kind: KindChunk, Index: 0, Hash: "87152f435383", Domain: zone}},
		{"chunk-1023-87152f435383.mesh.example",
			Owner{Kind: KindChunk, Index: 1023, Hash: "87152f435383", Domain: zone}},
		{"id-" + h16 + ".mesh.example",
			Owner{Kind: KindIdentityHashed, Hash: h16, Domain: zone}},
		{"dmp.mesh.example", Owner{Kind: KindIdentityAnchored, Domain: zone}},
		{"dmp.alice.mesh.example",
			Owner{Kind: KindIdentityAnchored, Domain: "alice.mesh.example"}},
		{"prekeys.id-81b637d8fcd2.mesh.example",
			Owner{Kind: KindPrekeys, Hash: "81b637d8fcd2", Domain: zone}},
		{"rotate.id-" + h16 + ".mesh.example",
			Owner{Kind: KindRotation, Of: KindIdentityHashed, Hash: h16, Domain: zone}},
		{"rotate.dmp.mesh.example",
			Owner{Kind: KindRotation, Of: KindIdentityAnchored, Domain: zone}},
		{"rotate.cluster.mesh.example",
			Owner{Kind: KindRotation, Of: KindCluster, Domain: zone}},
		{"rotate._dmp.example.mesh.example",
			Owner{Kind: KindRotation, Of: KindBootstrap, Domain: "example.mesh.example"}},
		{"cluster.mesh.example", Owner{Kind: KindCluster, Domain: zone}},
		{"_dmp.mesh.example", Owner{Kind: KindBootstrap, Domain: zone}},
		{"_dnsmesh-heartbeat.mesh.example", Owner{Kind: KindHeartbeat, Domain: zone}},
		{"_dnsmesh-seen.mesh.example", Owner{Kind: KindSeen, Domain: zone}},

		// Unknown shapes.
		{"mesh.example", Owner{}},
		{"example", Owner{}},
		{"slot-8.mb-" + h12 + ".other.example", Owner{}},
		{"xmesh.example", Owner{}},
		{"slot-10.mb-" + h12 + ".mesh.example", Owner{}},
		{"claim-12345.mb-" + h12 + ".mesh.example", Owner{}},
		{"claim-a.mb-" + h12 + ".mesh.example", Owner{}},
		{"claim-1.mb-66446940f5c.mesh.example", Owner{}},
		{"claim-1.mb-66446940f5cg.mesh.example", Owner{}},
		{"claim-1.mesh.example", Owner{}},
		{"mb-" + h12 + ".mesh.example", Owner{}},
		{"chunk-1024-87152f435383.mesh.example", Owner{}},
		{"chunk-001-87152f435383.mesh.example", Owner{}},
		{"chunk-00001-87152f435383.mesh.example", Owner{}},
		{"chunk-0001_87152f435383.mesh.example", Owner{}},
		{"id-" + h12 + ".mesh.example", Owner{}},
		{"prekeys.id-" + h16 + ".mesh.example", Owner{}},
		{"prekeys.mesh.example", Owner{}},
		{"rotate.mesh.example", Owner{}},
		{"rotate.prekeys.id-81b637d8fcd2.mesh.example", Owner{}},
		{"_dnsmesh-heartbeat.sub.mesh.example", Owner{}},
		{"_dnsmesh-seen.sub.mesh.example", Owner{}},
		{"_dnsmesh-claim-0011223344556677.mesh.example", Owner{}},
		{"www.mesh.example", Owner{}},
		{"dmp..mesh.example", Owner{}},
		{"dmp.a b.mesh.example", Owner{}},
		{"dmp." + strings.Repeat("a", 64) + ".mesh.example", Owner{}},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			got := Classify(tt.owner, zone)
			if got != tt.want {
				t.Fatalf("Classify(%q, %q) = %+v, want %+v", tt.owner, zone, got, tt.want)
			}
		})
	}
}

func TestClassifyZoneForms(t *testing.T) {
	for _, zone := range []string{"mesh.example", "mesh.example.", "MESH.example"} {
		got := Classify("dmp.mesh.example.", zone)
		if got.Kind != KindIdentityAnchored || got.Domain != "mesh.example" {
			t.Errorf("zone %q: got %+v, want zone-anchored identity in mesh.example", zone, got)
		}
	}
	if got := Classify("dmp.mesh.example", ""); got.Kind != KindUnknown {
		t.Errorf("empty zone: got %v, want unknown", got.Kind)
	}
}

func TestClassifyRoundTrip(t *testing.T) {
	v := loadVectors(t)
	for _, m := range v.Messages {
		for name := range m.Published {
			if got := Classify(name, "mesh.example"); got.Kind == KindUnknown {
				t.Errorf("published owner %q classified unknown", name)
			}
		}
	}
	if got := Classify(v.Claims[0].Owner, "provider.example"); got.Kind != KindClaim ||
		got.Slot != 8 {
		t.Errorf("claim owner: got %+v, want claim in slot 8", got)
	}
}

func TestKindString(t *testing.T) {
	if got := KindManifest.String(); got != "manifest" {
		t.Errorf("got %q, want manifest", got)
	}
	if got := Kind(99).String(); got != "kind(99)" {
		t.Errorf("got %q, want kind(99)", got)
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"slot-8.mb-66446940f5ce.mesh.example", "chunk-0003-87152f435383.mesh.example",
		"rotate._dmp.x.mesh.example", "claim-1.mb-66446940f5ce.mesh.example.",
	} {
		f.Add(s, "mesh.example")
	}
	f.Fuzz(func(t *testing.T, owner, zone string) {
		o := Classify(owner, zone)
		if o.Kind == KindUnknown && o != (Owner{}) {
			t.Fatalf("unknown kind with parts %+v", o)
		}
		if o.Kind != KindUnknown && o.Domain == "" {
			t.Fatalf("kind %v without a domain", o.Kind)
		}
	})
}
