package update

import (
	"crypto/ed25519"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
	"github.com/dnsmesh/dmp/pkg/txt"

	"github.com/miekg/dns"
)

const zone = "mesh.example."

var (
	testNow = time.Unix(1_900_000_000, 0)
	seedA   = sha256.Sum256([]byte("writer a"))
	privA   = ed25519.NewKeyFromSeed(seedA[:])
	pubA    = privA.Public().(ed25519.PublicKey)
	seedB   = sha256.Sum256([]byte("writer b"))
	privB   = ed25519.NewKeyFromSeed(seedB[:])
	pubB    = privB.Public().(ed25519.PublicKey)
)

// recipient is a made-up recipient id and its mailbox label.
var recipient = sha256.Sum256([]byte("recipient x25519"))

func mailboxHash() string {
	return strings.TrimPrefix(names.Mailbox(recipient[:]), "mb-")
}

func claimWire(t testing.TB, slot uint8) string {
	t.Helper()
	c := records.Claim{Domain: "sender.example", Slot: slot,
		TS: uint64(testNow.Unix()), Exp: uint64(testNow.Unix() + 3600)}
	copy(c.SenderSPK[:], pubA)
	c.MsgID[0] = 7
	w, err := c.Sign(privA)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func manifestWire(t testing.TB) string {
	t.Helper()
	m := records.Manifest{TotalChunks: 1, DataChunks: 1, TS: uint64(testNow.Unix()),
		Exp: uint64(testNow.Unix() + 3600), ChunkHashes: [][32]byte{{1}}}
	copy(m.SenderSPK[:], pubA)
	m.RecipientID = recipient
	w, err := m.Sign(privA)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func identityWire(t testing.TB, user string) string {
	t.Helper()
	r := records.Identity{Username: user, TS: uint64(testNow.Unix())}
	copy(r.Ed25519[:], pubA)
	w, err := r.Sign(privA)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func prekeyWire(t testing.TB, priv ed25519.PrivateKey) string {
	t.Helper()
	p := records.Prekey{ID: 5, Exp: uint64(testNow.Unix() + 86400)}
	p.Public[0] = 9
	w, err := p.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func chunkWire(t testing.TB) string {
	t.Helper()
	w, err := records.EncodeChunk(make([]byte, records.ChunkSize))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// txtRR builds a TXT record with value split into 255-byte strings; raw
// bytes are escaped the way miekg/dns presents them.
func txtRR(owner string, class uint16, ttl uint32, value string) *dns.TXT {
	return &dns.TXT{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeTXT, Class: class, Ttl: ttl},
		Txt: txt.Presentation(value)}
}

func updateMsg(rrs ...dns.RR) *dns.Msg {
	m := new(dns.Msg)
	m.SetUpdate(zone)
	m.Ns = rrs
	return m
}
