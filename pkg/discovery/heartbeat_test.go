package discovery

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
)

// There is no reference vector file for heartbeats. These known answers
// are built by hand from the DMPHB03 and DMPHB02 layouts in
// records-server-cli.md §A.5 (see doc.go), independently of Body, and
// signed with an Ed25519 key whose seed is used directly, as the
// reference's OperatorSigner does.

// hbSeed is the operator seed of the known-answer heartbeats.
var hbSeed = bytes.Repeat([]byte{0x42}, 32)

// hbKnownBody returns the hand-assembled body of testHeartbeat, in the
// DMPHB03 layout or, when legacy, the DMPHB02 one (no zone field).
func hbKnownBody(t testing.TB, legacy bool) []byte {
	pub := ed25519.NewKeyFromSeed(hbSeed).Public().(ed25519.PublicKey)
	h := "444d5048423033" + // "DMPHB03"
		"001c" + hex.EncodeToString([]byte("https://dmp.example.net:8053")) +
		hex.EncodeToString(pub) +
		"05" + hex.EncodeToString([]byte("0.7.5")) +
		"8001" + // capabilities: claim provider plus an unknown bit 15
		"0f" + hex.EncodeToString([]byte("dmp.example.net")) +
		"0000000071f1a300" + // ts 1911661312
		"0000000071f1a42c" // exp = ts + 300
	if legacy {
		h = strings.Replace(h, "444d5048423033", "444d5048423032", 1)
		h = strings.Replace(h, "0f"+hex.EncodeToString([]byte("dmp.example.net")), "", 1)
	}
	return vectors.Unhex(t, h)
}

// testHeartbeat is the record hbKnownBody describes.
func testHeartbeat() (*Heartbeat, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(hbSeed)
	return &Heartbeat{
		Endpoint:          "https://dmp.example.net:8053",
		OperatorSPK:       priv.Public().(ed25519.PublicKey),
		Version:           "0.7.5",
		Capabilities:      0x8001,
		ClaimProviderZone: "dmp.example.net",
		TS:                1911661312,
		Exp:               1911661612,
	}, priv
}

func TestHeartbeatKnownAnswer(t *testing.T) {
	h, priv := testHeartbeat()
	want := hbKnownBody(t, false)
	body, err := h.Body()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, want) {
		t.Fatalf("Body:\ngot  %x\nwant %x", body, want)
	}

	wire, err := h.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	sig := ed25519.Sign(priv, want)
	wantWire := "v=dmp1;t=heartbeat;" + base64.StdEncoding.EncodeToString(append(want, sig...))
	if wire != wantWire {
		t.Fatalf("Sign:\ngot  %s\nwant %s", wire, wantWire)
	}

	got, err := ParseHeartbeat(wire, time.Unix(int64(h.TS), 0), DefaultHeartbeatSkew)
	if err != nil {
		t.Fatalf("ParseHeartbeat: %v", err)
	}
	if got.Endpoint != h.Endpoint || got.Version != h.Version || got.Capabilities != 0x8001 ||
		got.ClaimProviderZone != h.ClaimProviderZone || got.TS != h.TS || got.Exp != h.Exp ||
		got.Legacy || !bytes.Equal(got.OperatorSPK, h.OperatorSPK) {
		t.Errorf("got %+v, want %+v", got, h)
	}
}

func TestHeartbeatLegacy(t *testing.T) {
	h, priv := testHeartbeat()
	body := hbKnownBody(t, true)
	wire := signRaw(HeartbeatPrefix, body, priv)

	got, err := ParseHeartbeat(wire, time.Unix(int64(h.TS), 0), DefaultHeartbeatSkew)
	if err != nil {
		t.Fatalf("ParseHeartbeat of DMPHB02: %v", err)
	}
	if !got.Legacy || got.ClaimProviderZone != "" || got.Endpoint != h.Endpoint {
		t.Errorf("got %+v, want legacy record without zone", got)
	}
	again, err := got.Body()
	if err != nil || !bytes.Equal(again, body) {
		t.Errorf("Body of parsed legacy record:\ngot  %x\nwant %x (err %v)", again, body, err)
	}
	if _, err := got.Sign(priv); err == nil {
		t.Error("Sign of a legacy heartbeat succeeded, want refusal")
	}
}

func TestHeartbeatTime(t *testing.T) {
	h, priv := testHeartbeat()
	h.Exp = h.TS + 3600
	wire := mustSignHeartbeat(t, h, priv)
	far := *h
	far.Exp = h.TS + maxHeartbeatFuture + 1
	farWire := mustSignHeartbeat(t, &far, priv)

	ts, exp := int64(h.TS), int64(h.Exp)
	tests := []struct {
		name   string
		wire   string
		now    int64
		skew   time.Duration
		reason string
	}{
		{"at ts", wire, ts, DefaultHeartbeatSkew, ""},
		{"ts 300 s behind", wire, ts + 300, DefaultHeartbeatSkew, ""},
		{"ts 301 s behind", wire, ts + 301, DefaultHeartbeatSkew, "more than 300 s from now"},
		{"ts 300 s ahead", wire, ts - 300, DefaultHeartbeatSkew, ""},
		{"ts 301 s ahead", wire, ts - 301, DefaultHeartbeatSkew, "more than 300 s from now"},
		{"wider skew", wire, ts + 3000, time.Hour, ""},
		{"negative skew is zero", wire, ts + 1, -time.Second, "more than 0 s from now"},
		{"one second before exp", wire, exp - 1, time.Hour, ""},
		{"at exp", wire, exp, time.Hour, "expired"},
		{"exp 30 days out", farWire, ts + 1, DefaultHeartbeatSkew, ""},
		{"exp over 30 days out", farWire, ts, DefaultHeartbeatSkew, "in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHeartbeat(tt.wire, time.Unix(tt.now, 0), tt.skew)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			wantRefusal(t, err, "heartbeat", tt.reason)
		})
	}
}

func mustSignHeartbeat(t *testing.T, h *Heartbeat, priv ed25519.PrivateKey) string {
	t.Helper()
	w, err := h.Sign(priv)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestHeartbeatFieldRules(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(h *Heartbeat)
		reason string
	}{
		{"version 32", func(h *Heartbeat) { h.Version = strings.Repeat("v", 32) }, ""},
		{"version 33", func(h *Heartbeat) { h.Version = strings.Repeat("v", 33) }, "version"},
		{"version non-ASCII", func(h *Heartbeat) { h.Version = "0.7.5é" }, "version"},
		{"empty version", func(h *Heartbeat) { h.Version = "" }, ""},
		{"zone 64", func(h *Heartbeat) { h.ClaimProviderZone = strings.Repeat("z", 64) }, ""},
		{"zone 65", func(h *Heartbeat) { h.ClaimProviderZone = strings.Repeat("z", 65) },
			"over 64"},
		{"zone space", func(h *Heartbeat) { h.ClaimProviderZone = "a b" }, "byte 0x20"},
		{"zone newline", func(h *Heartbeat) { h.ClaimProviderZone = "a\nb" }, "byte 0x0a"},
		{"zone non-ASCII", func(h *Heartbeat) { h.ClaimProviderZone = "zoné" }, "byte 0xc3"},
		{"exp equals ts", func(h *Heartbeat) { h.Exp = h.TS }, "ts < exp"},
		{"exp at 2^63", func(h *Heartbeat) { h.Exp = 1 << 63 }, "2^63"},
		{"private endpoint", func(h *Heartbeat) { h.Endpoint = "http://192.168.0.1" },
			"non-public"},
		{"other signer", func(h *Heartbeat) { h.OperatorSPK = make([]byte, 32) },
			"does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, priv := testHeartbeat()
			tt.edit(h)
			wire, err := h.Sign(priv)
			if tt.reason != "" {
				wantRefusal(t, err, "heartbeat", tt.reason)
				body, berr := h.Body()
				if berr != nil {
					return // Body refuses it too; nothing reaches a parser
				}
				// Signed by hand, the parser must refuse it as well.
				_, err = ParseHeartbeat(signRaw(HeartbeatPrefix, body, priv),
					time.Unix(int64(h.TS), 0), DefaultHeartbeatSkew)
				if err == nil {
					t.Fatal("ParseHeartbeat accepted it")
				}
				return
			}
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if _, err := ParseHeartbeat(wire, time.Unix(int64(h.TS), 0),
				DefaultHeartbeatSkew); err != nil {
				t.Fatalf("ParseHeartbeat: %v", err)
			}
		})
	}
}

// TestHeartbeatParseChecksFields feeds the parser bodies that only a
// foreign signer would produce: each must be refused on parse (W8).
func TestHeartbeatParseChecksFields(t *testing.T) {
	h, priv := testHeartbeat()
	good := hbKnownBody(t, false)
	zoneAt := bytes.Index(good, []byte("dmp.example.net\x00"))
	epAt := bytes.Index(good, []byte("https://"))

	badZone := append([]byte{}, good...)
	badZone[zoneAt+3] = ' '
	badEndpoint := append([]byte{}, good...)
	copy(badEndpoint[epAt:], "https://10.0.0.1:8053/xxxxxxx")
	tests := []struct {
		name   string
		body   []byte
		reason string
	}{
		{"zone with space", badZone, "zone has byte 0x20"},
		{"private endpoint", badEndpoint, "endpoint"},
		{"trailing byte", append(append([]byte{}, good...), 0), "trailing"},
		{"truncated", good[:len(good)-1], "truncated"},
		{"bad magic", append([]byte("DMPHB01"), good[magicLen:]...), "magic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHeartbeat(signRaw(HeartbeatPrefix, tt.body, priv),
				time.Unix(int64(h.TS), 0), DefaultHeartbeatSkew)
			wantRefusal(t, err, "heartbeat", tt.reason)
		})
	}
}
