package discovery

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
	"github.com/dnsmesh/dmp/pkg/records"
	"github.com/dnsmesh/dmp/pkg/txt"
)

// clusterVector is one case of cluster_manifest.json.
type clusterVector struct {
	Description string `json:"description"`
	Inputs      *struct {
		ClusterName string `json:"cluster_name"`
		Exp         uint64 `json:"exp"`
		Seq         uint64 `json:"seq"`
		OperatorSPK string `json:"operator_spk_hex"`
		Nodes       []struct {
			NodeID       string  `json:"node_id"`
			HTTPEndpoint string  `json:"http_endpoint"`
			DNSEndpoint  *string `json:"dns_endpoint"`
		} `json:"nodes"`
	} `json:"inputs"`
	OperatorSeed  string `json:"operator_seed_hex"`
	WireHex       string `json:"expected_wire_hex"`
	ParseResult   string `json:"expected_parse_result"`
	ParseName     string `json:"expected_parse_cluster_name"`
	ParseSeq      uint64 `json:"expected_parse_seq"`
	MultiString   bool   `json:"expected_multi_string"`
	VerifyWithSPK string `json:"verify_with_operator_spk_hex"`
	VerifyWithNow *int64 `json:"verify_with_now"`
	WireFromCase  *int   `json:"wire_from_case"`
}

// cluster builds the record a vector's inputs describe.
func (v *clusterVector) cluster(tb testing.TB) *Cluster {
	c := &Cluster{
		Name:        v.Inputs.ClusterName,
		OperatorSPK: vectors.Unhex(tb, v.Inputs.OperatorSPK),
		Seq:         v.Inputs.Seq,
		Exp:         v.Inputs.Exp,
	}
	for _, n := range v.Inputs.Nodes {
		node := Node{ID: n.NodeID, HTTPEndpoint: n.HTTPEndpoint}
		if n.DNSEndpoint != nil {
			node.DNSEndpoint = *n.DNSEndpoint
		}
		c.Nodes = append(c.Nodes, node)
	}
	return c
}

func TestClusterVectors(t *testing.T) {
	var vs []clusterVector
	vectors.Load(t, "reference/cluster_manifest.json", &vs)
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for i, v := range vs {
		t.Run(v.Description, func(t *testing.T) {
			key := dmpKey(t, v.OperatorSeed)
			wire := string(vectors.Unhex(t, v.WireHex))
			src := v
			if v.WireFromCase != nil {
				src = vs[*v.WireFromCase]
				if want := string(vectors.Unhex(t, src.WireHex)); wire != want {
					t.Fatalf("case %d wire differs from case %d", i, *v.WireFromCase)
				}
			}
			c := src.cluster(t)

			if v.Inputs != nil {
				got, err := c.Sign(key)
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

			pinned := c.OperatorSPK
			if v.VerifyWithSPK != "" {
				pinned = vectors.Unhex(t, v.VerifyWithSPK)
			}
			now := vectorNow(v.VerifyWithNow, c.Exp)
			got, err := ParseCluster(wire, now, pinned, src.Inputs.ClusterName)
			if v.ParseResult == "none" {
				wantRefusal(t, err, "cluster", vectorReason(t, v.Description))
				return
			}
			if err != nil {
				t.Fatalf("ParseCluster: %v", err)
			}
			if got.Name != v.ParseName || got.Seq != v.ParseSeq {
				t.Errorf("got name %q seq %d, want %q %d", got.Name, got.Seq, v.ParseName, v.ParseSeq)
			}
			if again, err := got.Sign(key); err != nil || again != wire {
				t.Errorf("re-sign of parsed record differs (err %v)", err)
			}
		})
	}
}

// testCluster returns a valid manifest signed by a fixed key.
func testCluster(t *testing.T) (*Cluster, ed25519.PrivateKey) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	return &Cluster{
		Name:        "mesh.example.com",
		OperatorSPK: priv.Public().(ed25519.PublicKey),
		Seq:         3,
		Exp:         2_000_000_000,
		Nodes: []Node{
			{ID: "n1", HTTPEndpoint: "https://n1.example.com", DNSEndpoint: "192.0.2.1:53"},
			{ID: "n2", HTTPEndpoint: "https://n2.example.com"},
		},
	}, priv
}

// signRaw frames an arbitrary body with signatures by privs, so tests can
// hand parsers bodies that Sign would refuse to build.
func signRaw(prefix string, body []byte, privs ...ed25519.PrivateKey) string {
	blob := append([]byte(nil), body...)
	for _, p := range privs {
		blob = append(blob, ed25519.Sign(p, body)...)
	}
	return records.Frame(prefix, blob)
}

// wantRefusal fails unless err is a *records.Error of type typ whose reason
// contains substr.
func wantRefusal(t *testing.T, err error, typ, substr string) {
	t.Helper()
	var re *records.Error
	if !errors.As(err, &re) {
		t.Fatalf("got error %v, want *records.Error containing %q", err, substr)
	}
	if re.Type != typ || !strings.Contains(re.Reason, substr) {
		t.Fatalf("got %q, want type %q reason containing %q", err, typ, substr)
	}
}

func TestClusterSignRules(t *testing.T) {
	long := strings.Repeat("a", 60) + ".com" // 64 bytes
	tests := []struct {
		name   string
		edit   func(c *Cluster)
		reason string // "" means Sign must succeed
	}{
		{"name at 64 bytes", func(c *Cluster) { c.Name = long }, ""},
		{"name at 64 bytes plus dot", func(c *Cluster) { c.Name = long + "." }, ""},
		{"name at 65 bytes", func(c *Cluster) { c.Name = "a" + long }, "over the 64-byte cap"},
		{"name with two dots", func(c *Cluster) { c.Name = "mesh.example.com.." }, `ends in ".."`},
		{"name with underscore", func(c *Cluster) { c.Name = "_mesh.example.com" }, "outside"},
		{"no nodes", func(c *Cluster) { c.Nodes = nil }, "has 0 nodes"},
		{"33 nodes", func(c *Cluster) { c.Nodes = manyNodes(33) }, "has 33 nodes"},
		{"32 nodes over wire cap", func(c *Cluster) { c.Nodes = manyNodes(32) },
			"over the 1200-byte cap"},
		{"duplicate id", func(c *Cluster) { c.Nodes[1].ID = "n1" }, "appears twice"},
		{"id of 17 bytes", func(c *Cluster) { c.Nodes[0].ID = strings.Repeat("x", 17) }, "node id"},
		{"id not ASCII", func(c *Cluster) { c.Nodes[0].ID = "nœud" }, "node id"},
		{"empty http", func(c *Cluster) { c.Nodes[0].HTTPEndpoint = "" }, "http endpoint"},
		{"http of 129 bytes", func(c *Cluster) {
			c.Nodes[0].HTTPEndpoint = strings.Repeat("h", 129)
		}, "http endpoint"},
		{"dns of 65 bytes", func(c *Cluster) {
			c.Nodes[0].DNSEndpoint = strings.Repeat("d", 65)
		}, "dns endpoint"},
		{"short key", func(c *Cluster) { c.OperatorSPK = c.OperatorSPK[:31] }, "operator key"},
		{"other signer", func(c *Cluster) { c.OperatorSPK = make([]byte, 32) }, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, priv := testCluster(t)
			tt.edit(c)
			wire, err := c.Sign(priv)
			if tt.reason != "" {
				wantRefusal(t, err, "cluster", tt.reason)
				return
			}
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			got, err := ParseCluster(wire, time.Unix(1_900_000_000, 0), c.OperatorSPK, c.Name)
			if err != nil {
				t.Fatalf("ParseCluster: %v", err)
			}
			if got.Name != strings.TrimSuffix(c.Name, ".") {
				t.Errorf("got name %q, want %q", got.Name, c.Name)
			}
		})
	}
}

// manyNodes returns n distinct nodes with long endpoints.
func manyNodes(n int) []Node {
	out := make([]Node, n)
	for i := range out {
		id := hex.EncodeToString([]byte{byte(i)})
		out[i] = Node{ID: id, HTTPEndpoint: "https://node-" + id + ".example.com:8053"}
	}
	return out
}

func TestClusterParseRules(t *testing.T) {
	c, priv := testCluster(t)
	body, err := c.Body()
	if err != nil {
		t.Fatal(err)
	}
	header := body[:magicLen+8+8+keyLen+1+len(c.Name)]
	now := time.Unix(1_900_000_000, 0)

	tests := []struct {
		name   string
		wire   string
		reason string
	}{
		{"zero nodes", signRaw(ClusterPrefix, append(append([]byte{}, header...), 0), priv),
			"has 0 nodes"},
		{"trailing byte", signRaw(ClusterPrefix, append(append([]byte{}, body...), 0), priv),
			"trailing bytes"},
		{"truncated", signRaw(ClusterPrefix, body[:len(body)-1], priv), "truncated"},
		{"claim prefix", strings.Replace(mustSign(t, c, priv), ClusterPrefix,
			"v=dmp1;t=claim;", 1), "does not start with"},
		{"trailing dot in name", signRaw(ClusterPrefix, withName(body, c.Name, c.Name+"."),
			priv), "trailing dot"},
		{"over wire cap", ClusterPrefix + strings.Repeat("A", MaxWireLen), "cap"},
		{"newline in base64", mustSign(t, c, priv)[:40] + "\n" + mustSign(t, c, priv)[40:],
			"base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCluster(tt.wire, now, c.OperatorSPK, "")
			wantRefusal(t, err, "cluster", tt.reason)
		})
	}
}

// withName rebuilds a cluster body, whose name field starts at the end of
// the fixed header, with another name.
func withName(body []byte, oldName, name string) []byte {
	const fixed = magicLen + 8 + 8 + keyLen
	out := append(append([]byte{}, body[:fixed]...), byte(len(name)))
	out = append(out, name...)
	return append(out, body[fixed+1+len(oldName):]...)
}

func mustSign(t *testing.T, c *Cluster, priv ed25519.PrivateKey) string {
	t.Helper()
	w, err := c.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestClusterWindowAndBinding(t *testing.T) {
	c, priv := testCluster(t)
	wire := mustSign(t, c, priv)
	exp := int64(c.Exp)
	tests := []struct {
		name   string
		now    int64
		pinned []byte
		bind   string
		reason string
	}{
		{"at exp", exp, c.OperatorSPK, "", ""},
		{"one second after exp", exp + 1, c.OperatorSPK, "", "expired"},
		{"exactly five years before", exp - maxAnchorFuture, c.OperatorSPK, "", ""},
		{"over five years before", exp - maxAnchorFuture - 1, c.OperatorSPK, "", "future"},
		{"name binding folds case and dot", exp, c.OperatorSPK, "MESH.Example.com.", ""},
		{"other name", exp, c.OperatorSPK, "other.example.com", "not"},
		{"unrelated pinned key", exp, otherKey().Public().(ed25519.PublicKey), "",
			"signature does not verify"},
		{"low-order pinned key", exp, make([]byte, 32), "", "signature does not verify"},
		{"short pinned key", exp, c.OperatorSPK[:16], "", "pinned operator key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCluster(wire, time.Unix(tt.now, 0), tt.pinned, tt.bind)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			wantRefusal(t, err, "cluster", tt.reason)
		})
	}
}

// otherKey is a second fixed signing key, unrelated to testCluster's.
func otherKey() ed25519.PrivateKey {
	seed := make([]byte, 32)
	seed[0] = 1
	return ed25519.NewKeyFromSeed(seed)
}

func TestClusterEmbeddedKey(t *testing.T) {
	c, priv := testCluster(t)
	now := time.Unix(int64(c.Exp), 0)
	if _, err := ParseClusterUnpinned(mustSign(t, c, priv), now, c.Name); err != nil {
		t.Fatalf("ParseClusterUnpinned of a valid manifest: %v", err)
	}

	// A body naming another operator but signed by the pinned key.
	c.OperatorSPK = otherKey().Public().(ed25519.PublicKey)
	body, err := c.Body()
	if err != nil {
		t.Fatal(err)
	}
	wire := signRaw(ClusterPrefix, body, priv)
	_, err = ParseCluster(wire, now, priv.Public().(ed25519.PublicKey), "")
	wantRefusal(t, err, "cluster", "embedded operator key is not the pinned key")
	_, err = ParseClusterUnpinned(wire, now, "")
	wantRefusal(t, err, "cluster", "signature does not verify")
}
