package register

import (
	"context"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/pkg/dnsio"
)

// TestZoneFor checks which served zone a subject's key is scoped under.
func TestZoneFor(t *testing.T) {
	cfg := Config{Zone: "a.example.", Zones: []string{"a.example.", "B.example.",
		"sub.b.example."}}
	cases := []struct {
		subject string
		want    string
	}{
		{"alice@a.example", "a.example"},
		{"bob@b.example", "b.example"},
		{"carol@x.b.example", "b.example"},
		{"dave@y.sub.b.example", "sub.b.example"},
		{"erin@other.example", "a.example"},
		{"frank@notb.example", "a.example"},
	}
	for _, c := range cases {
		t.Run(c.subject, func(t *testing.T) {
			if got := cfg.ZoneFor(c.subject); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestRegisterMultiZone registers on a node serving two zones: a subject
// of the second zone gets a key named and scoped under it, and the
// reply says so.
func TestRegisterMultiZone(t *testing.T) {
	srv, st := newServer(t, Config{Zone: "mesh.example.",
		Zones: []string{"mesh.example.", "other.example."}})
	id := identity(t, "bob")
	m, err := dnsio.RegisterTSIG(context.Background(), srv.Client(), srv.URL,
		"bob@other.example", id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Zone != "other.example" || !strings.HasSuffix(m.KeyName, ".other.example.") {
		t.Fatalf("got zone %q, key %q; want other.example", m.Zone, m.KeyName)
	}
	for _, s := range m.Suffixes {
		if !strings.HasSuffix(s, ".other.example") {
			t.Fatalf("got scope %v, want every pattern under other.example", m.Suffixes)
		}
	}
	if _, err := st.GetKey(context.Background(), m.KeyName); err != nil {
		t.Fatalf("minted key not stored: %v", err)
	}
}
