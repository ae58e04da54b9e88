package discovery

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"time"
	"unicode/utf8"

	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"

	"golang.org/x/crypto/cryptobyte"
)

// Cluster manifest constants (records-server-cli.md §A.1).
const (
	// ClusterPrefix starts every cluster manifest TXT value. Claims share
	// the body magic, so only this prefix selects the cluster parser.
	ClusterPrefix = "v=dmp1;t=cluster;"
	clusterMagic  = "DMPCL01"
	clusterType   = "cluster"

	MaxClusterNodes = 32  // nodes per manifest; at least one is required
	MaxNodeIDLen    = 16  // bytes of printable ASCII
	MaxHTTPEndpoint = 128 // bytes of UTF-8
	MaxDNSEndpoint  = 64  // bytes of UTF-8; 0 means the node has none
)

// Cluster is a signed cluster manifest: the node set of the cluster named
// Name, signed by the cluster operator whose key clients pin.
type Cluster struct {
	Name        string            // DNS name, served at cluster.<Name>
	OperatorSPK ed25519.PublicKey // 32 bytes; must equal the pinned key
	Seq         uint64            // higher wins
	Exp         uint64            // unix seconds; valid while now <= Exp
	Nodes       []Node            // 1..MaxClusterNodes, unique IDs
}

// Node is one cluster member.
type Node struct {
	ID           string // 1..16 bytes of printable ASCII, unique per manifest
	HTTPEndpoint string // 1..128 bytes of UTF-8, not otherwise checked
	DNSEndpoint  string // 0..64 bytes of UTF-8; "" means none
}

// Body returns the signed body of c after checking every field. A name
// with one trailing dot is written without it.
func (c *Cluster) Body() ([]byte, error) {
	name, err := signName(clusterType, "cluster name", c.Name)
	if err != nil {
		return nil, err
	}
	if err := checkKey(clusterType, "operator key", c.OperatorSPK); err != nil {
		return nil, err
	}
	if err := checkNodes(c.Nodes); err != nil {
		return nil, err
	}

	b := []byte(clusterMagic)
	b = binary.BigEndian.AppendUint64(b, c.Seq)
	b = binary.BigEndian.AppendUint64(b, c.Exp)
	b = append(b, c.OperatorSPK...)
	b = append(append(b, byte(len(name))), name...)
	b = append(b, byte(len(c.Nodes)))
	for _, n := range c.Nodes {
		b = append(append(b, byte(len(n.ID))), n.ID...)
		b = append(binary.BigEndian.AppendUint16(b, uint16(len(n.HTTPEndpoint))), n.HTTPEndpoint...)
		b = append(binary.BigEndian.AppendUint16(b, uint16(len(n.DNSEndpoint))), n.DNSEndpoint...)
	}
	return b, nil
}

// Sign returns the TXT value of c signed by the operator key priv, whose
// public half must be c.OperatorSPK.
func (c *Cluster) Sign(priv ed25519.PrivateKey) (string, error) {
	body, err := c.Body()
	if err != nil {
		return "", err
	}
	if err := checkSigner(clusterType, "operator key", priv, c.OperatorSPK); err != nil {
		return "", err
	}
	return frameSigned(clusterType, ClusterPrefix, body, priv)
}

// ParseCluster verifies wire under the pinned operator key and returns the
// manifest. The embedded operator key must equal pinned, now must lie in
// [Exp-5y, Exp], and when name is not empty the manifest's name must equal
// it (case-insensitive, one trailing dot ignored). Every failure is a
// *records.Error.
func ParseCluster(wire string, now time.Time, pinned ed25519.PublicKey,
	name string) (*Cluster, error) {
	if err := checkKey(clusterType, "pinned operator key", pinned); err != nil {
		return nil, err
	}
	return parseCluster(wire, now, pinned, name)
}

// ParseClusterUnpinned is ParseCluster for callers that hold no pinned
// key, such as a node checking a write (DECISIONS N1): it verifies the
// signature under the embedded operator key, which proves the manifest is
// intact and well formed but not that its operator is trusted.
func ParseClusterUnpinned(wire string, now time.Time, name string) (*Cluster, error) {
	return parseCluster(wire, now, nil, name)
}

func parseCluster(wire string, now time.Time, pinned []byte, name string) (*Cluster, error) {
	body, sigs, err := unframeSigned(clusterType, ClusterPrefix, wire, 1)
	if err != nil {
		return nil, err
	}
	c, err := decodeCluster(body)
	if err != nil {
		return nil, err
	}

	if pinned == nil {
		pinned = c.OperatorSPK
	}
	if err := verify(clusterType, pinned, body, sigs[0]); err != nil {
		return nil, err
	}
	if !bytes.Equal(c.OperatorSPK, pinned) {
		return nil, records.Refuse(clusterType, "embedded operator key is not the pinned key")
	}

	if err := checkExpiry(clusterType, c.Exp, unixSeconds(now), maxAnchorFuture); err != nil {
		return nil, err
	}
	if name != "" && !names.SameDNSName(c.Name, name) {
		return nil, records.Refuse(clusterType, "manifest is for %q, not %q", c.Name, name)
	}
	return c, nil
}

// decodeCluster parses a cluster manifest body without verifying it.
func decodeCluster(body []byte) (*Cluster, error) {
	s := cryptobyte.String(body)
	c := new(Cluster)
	if _, err := readMagic(clusterType, &s, clusterMagic); err != nil {
		return nil, err
	}
	if !s.ReadUint64(&c.Seq) || !s.ReadUint64(&c.Exp) {
		return nil, records.Refuse(clusterType, "body truncated in header")
	}
	var err error
	if c.OperatorSPK, err = readKey(clusterType, "operator key", &s); err != nil {
		return nil, err
	}
	if c.Name, err = readName(clusterType, "cluster name", &s); err != nil {
		return nil, err
	}

	var count uint8
	if !s.ReadUint8(&count) {
		return nil, records.Refuse(clusterType, "body truncated in node count")
	}
	for range count {
		n, err := readNode(&s)
		if err != nil {
			return nil, err
		}
		c.Nodes = append(c.Nodes, n)
	}
	if !s.Empty() {
		return nil, records.Refuse(clusterType, "%d trailing bytes after the last node", len(s))
	}

	if err := checkNodes(c.Nodes); err != nil {
		return nil, err
	}
	return c, nil
}

// readNode reads one node entry.
func readNode(s *cryptobyte.String) (Node, error) {
	var id, http, dns cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&id) || !s.ReadUint16LengthPrefixed(&http) ||
		!s.ReadUint16LengthPrefixed(&dns) {
		return Node{}, records.Refuse(clusterType, "body truncated in a node entry")
	}
	return Node{ID: string(id), HTTPEndpoint: string(http), DNSEndpoint: string(dns)}, nil
}

// checkNodes applies the node rules on sign and parse alike. A manifest
// without nodes is refused on both sides (DECISIONS W3).
func checkNodes(nodes []Node) error {
	if len(nodes) == 0 || len(nodes) > MaxClusterNodes {
		return records.Refuse(clusterType, "has %d nodes, want 1..%d", len(nodes), MaxClusterNodes)
	}
	seen := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		if err := checkNode(n); err != nil {
			return err
		}
		if seen[n.ID] {
			return records.Refuse(clusterType, "node id %q appears twice", n.ID)
		}
		seen[n.ID] = true
	}
	return nil
}

// checkNode applies the per-node field rules.
func checkNode(n Node) error {
	if len(n.ID) == 0 || len(n.ID) > MaxNodeIDLen || !printableASCII(n.ID) {
		return records.Refuse(clusterType, "node id %q is not 1..%d printable ASCII bytes",
			n.ID, MaxNodeIDLen)
	}
	if len(n.HTTPEndpoint) == 0 || len(n.HTTPEndpoint) > MaxHTTPEndpoint ||
		!utf8.ValidString(n.HTTPEndpoint) {
		return records.Refuse(clusterType, "node %q http endpoint is not 1..%d bytes of UTF-8",
			n.ID, MaxHTTPEndpoint)
	}
	if len(n.DNSEndpoint) > MaxDNSEndpoint || !utf8.ValidString(n.DNSEndpoint) {
		return records.Refuse(clusterType, "node %q dns endpoint is not 0..%d bytes of UTF-8",
			n.ID, MaxDNSEndpoint)
	}
	return nil
}

// printableASCII reports whether s holds only bytes 0x20..0x7e.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
