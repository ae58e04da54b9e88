package dmp_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/store"
	"github.com/dnsmesh/dmp/pkg/records"
	"github.com/dnsmesh/dmp/pkg/txt"
	"github.com/dnsmesh/dmp/plugin/dmp"

	"github.com/miekg/dns"
)

// udpReadSize is what CoreDNS v1.15 reads of one UDP datagram: its
// dns.Server leaves UDPSize unset, so miekg/dns reads dns.MinMsgSize.
const udpReadSize = dns.MinMsgSize

const keyedCorefile = `example.org:{{PORT}} {
    bind 127.0.0.1
    dmp {
        db {{DIR}}/dmp.db
    }
}
`

// userKey is a TSIG key shaped like one the registration endpoint mints
// for alice: the name <local>-<spk8>-<subject6>.<zone>. and the default
// scope of records-server-cli.md §B.5.
type userKey struct {
	store.Key
	raw []byte // the secret's bytes
}

func newUserKey(t *testing.T) userKey {
	t.Helper()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	local := sha256.Sum256([]byte("alice"))
	lh := hex.EncodeToString(local[:])
	return userKey{raw: raw, Key: store.Key{
		Name:      "alice-0a1b2c3d-5e6f70.example.org.",
		Algorithm: dns.HmacSHA256,
		Secret:    base64.StdEncoding.EncodeToString(raw),
		Scope: []string{"id-" + lh[:16] + ".example.org", "id-" + lh[:12] + ".example.org",
			"_dnsmesh-claim-*.example.org", "slot-*.mb-*.example.org",
			"chunk-*-*.example.org", "claim-*.mb-*.example.org"},
	}}
}

// startKeyedNode runs coredns-dmp on an embedded store that holds k.
func startKeyedNode(t *testing.T, k userKey) *nodetest.Node {
	t.Helper()
	if testing.Short() {
		t.Skip("starts coredns-dmp")
	}
	dir := t.TempDir()
	nodetest.PutKeys(t, filepath.Join(dir, "dmp.db"), k.Key)
	return nodetest.StartIn(t, dir, keyedCorefile)
}

// manifest returns a signed slot manifest for a message of chunks chunks
// and its owner name: the largest record a DMP sender publishes, about
// 60 bytes per chunk.
func manifest(t *testing.T, chunks int) (owner, value string) {
	t.Helper()
	seed := sha256.Sum256([]byte("udp node test sender"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	now := uint64(time.Now().Unix())
	m := records.Manifest{TotalChunks: uint32(chunks), DataChunks: uint32(chunks) / 2,
		TS: now, Exp: now + 3600}
	copy(m.SenderSPK[:], priv.Public().(ed25519.PublicKey))
	m.RecipientID = sha256.Sum256([]byte("recipient x25519 key"))
	for i := range chunks {
		m.ChunkHashes = append(m.ChunkHashes, sha256.Sum256([]byte{byte(i)}))
	}
	v, err := m.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	return "slot-3.mb-" + hex.EncodeToString(m.RecipientID[:6]) + ".example.org.", v
}

// chunk returns a chunk record and its owner name, a value well under 512
// bytes with its UPDATE.
func chunk(t *testing.T) (owner, value string) {
	t.Helper()
	data := make([]byte, records.ChunkSize)
	copy(data, "udp node test chunk")
	v, err := records.EncodeChunk(data)
	if err != nil {
		t.Fatal(err)
	}
	return "chunk-0001-0123456789ab.example.org.", v
}

// signedUpdate packs an UPDATE adding value at owner, TSIG-signed by k now.
func signedUpdate(t *testing.T, k userKey, owner, value string) []byte {
	t.Helper()
	return sign(t, k, addUpdate(owner, value))
}

// addUpdate is an UPDATE of example.org adding value at owner.
func addUpdate(owner, value string) *dns.Msg {
	m := new(dns.Msg)
	m.SetUpdate("example.org.")
	m.Insert([]dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeTXT,
		Class: dns.ClassINET, Ttl: 300}, Txt: txt.Split(value)}})
	return m
}

// sign packs m with a TSIG RR by k, signed now. k's algorithm is
// HMAC-SHA256 (newUserKey), the one dmp.SignAs signs with.
func sign(t *testing.T, k userKey, m *dns.Msg) []byte {
	t.Helper()
	wire, _ := dmp.SignAs(t, k.Name, k.Secret, m, time.Now())
	return wire
}

// exchangeRaw sends wire over network and returns the reply, unpacked,
// and its bytes.
func exchangeRaw(t *testing.T, network, addr string, wire []byte) (*dns.Msg, []byte) {
	t.Helper()
	conn, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	co := &dns.Conn{Conn: conn}
	if _, err := co.Write(wire); err != nil {
		t.Fatal(err)
	}
	b, err := co.ReadMsgHeader(nil)
	if err != nil {
		t.Fatalf("%s reply: %v", network, err)
	}
	r := new(dns.Msg)
	if err := r.Unpack(b); err != nil {
		t.Fatalf("%s reply: %v", network, err)
	}
	return r, b
}

// served returns the joined TXT values the node serves at owner.
func served(t *testing.T, n *nodetest.Node, owner, network string) []string {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion(owner, dns.TypeTXT)
	r, err := n.Exchange(q, network)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rr := range r.Answer {
		if tx, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(tx.Txt, ""))
		}
	}
	return out
}

// A signed UPDATE larger than CoreDNS's UDP read buffer gets a reply with
// TC set, so the client sends it again over TCP, where it is applied.
// The node never saw the cut datagram: the very same bytes are fresh over
// TCP, not a replayed MAC.
func TestNodeUDPUpdateOver512(t *testing.T) {
	k := newUserKey(t)
	n := startKeyedNode(t, k)
	owner, value := manifest(t, 16)
	wire := signedUpdate(t, k, owner, value)
	if len(wire) <= udpReadSize {
		t.Fatalf("UPDATE is %d bytes, want more than %d", len(wire), udpReadSize)
	}

	r, _ := exchangeRaw(t, "udp", n.Addr, wire)
	if !r.Truncated || r.Rcode != dns.RcodeFormatError {
		t.Fatalf("UDP: got rcode %s tc=%v, want FORMERR with TC set",
			dns.RcodeToString[r.Rcode], r.Truncated)
	}
	if got := served(t, n, owner, "udp"); len(got) != 0 {
		t.Fatalf("stored %d values from a cut datagram", len(got))
	}

	r, reply := exchangeRaw(t, "tcp", n.Addr, wire)
	if r.Rcode != dns.RcodeSuccess || r.Truncated {
		t.Fatalf("TCP: got rcode %s tc=%v, want NOERROR", dns.RcodeToString[r.Rcode], r.Truncated)
	}
	if err := dns.TsigVerify(reply, k.Secret, requestMAC(t, wire), false); err != nil {
		t.Fatalf("TCP reply TSIG: %v", err)
	}
	if got := served(t, n, owner, "tcp"); len(got) != 1 || got[0] != value {
		t.Fatalf("served %q, want the manifest", got)
	}
}

// requestMAC returns the TSIG MAC of a signed message, which the reply's
// MAC covers (RFC 8945 §5.3).
func requestMAC(t *testing.T, wire []byte) string {
	t.Helper()
	m := new(dns.Msg)
	if err := m.Unpack(wire); err != nil || m.IsTsig() == nil {
		t.Fatalf("request: %v, tsig %v", err, m.IsTsig())
	}
	return m.IsTsig().MAC
}

// A signed UPDATE whose TSIG RR starts at byte 512 is the worst cut: the
// 512 bytes CoreDNS reads are a whole message without the TSIG, which
// miekg/dns unpacks and which would reach the plugin as an unsigned
// UPDATE. The node answers it with TC instead, and the TCP retry applies
// it signed.
func TestNodeUDPUpdateCutBeforeTSIG(t *testing.T) {
	k := newUserKey(t)
	n := startKeyedNode(t, k)
	owner, value := chunk(t)
	m := addUpdate(owner, value)
	padToTSIG(t, m, udpReadSize)
	wire := sign(t, k, m)

	r, _ := exchangeRaw(t, "udp", n.Addr, wire)
	if !r.Truncated || r.Rcode != dns.RcodeFormatError || r.Opcode != dns.OpcodeUpdate {
		t.Fatalf("UDP: got %s rcode %s tc=%v, want UPDATE FORMERR with TC set",
			dns.OpcodeToString[r.Opcode], dns.RcodeToString[r.Rcode], r.Truncated)
	}
	if got := served(t, n, owner, "udp"); len(got) != 0 {
		t.Fatalf("stored %d values from a cut datagram", len(got))
	}

	r, reply := exchangeRaw(t, "tcp", n.Addr, wire)
	if r.Rcode != dns.RcodeSuccess || r.Truncated {
		t.Fatalf("TCP: got rcode %s tc=%v, want NOERROR", dns.RcodeToString[r.Rcode], r.Truncated)
	}
	if err := dns.TsigVerify(reply, k.Secret, requestMAC(t, wire), false); err != nil {
		t.Fatalf("TCP reply TSIG: %v", err)
	}
	if got := served(t, n, owner, "tcp"); len(got) != 1 || got[0] != value {
		t.Fatalf("served %q, want the chunk", got)
	}
}

// padToTSIG adds an EDNS padding option (RFC 7830) to m so that, packed
// as TsigGenerate packs it, its TSIG RR will start at byte at.
func padToTSIG(t *testing.T, m *dns.Msg, at int) {
	t.Helper()
	m.SetEdns0(1232, false)
	pad := &dns.EDNS0_PADDING{}
	m.IsEdns0().Option = append(m.IsEdns0().Option, pad)
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > at {
		t.Fatalf("UPDATE is %d bytes before padding, want at most %d", len(b), at)
	}
	pad.Padding = make([]byte, at-len(b))
	if b, _ = m.Pack(); len(b) != at {
		t.Fatalf("padded UPDATE is %d bytes, want %d", len(b), at)
	}
}
