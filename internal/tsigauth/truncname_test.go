package tsigauth

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

// truncNameVectors are UPDATEs signed by dnspython 2.3.0 with the
// truncated algorithm names, made by this script (Debian's
// python3-dnspython), with the key of dnspython-tsig-updates.json:
//
//	import time; time.time = lambda: 1900000000.0
//	import dns.update, dns.tsig, dns.name
//	kname = dns.name.from_text("alice.mesh.example.")
//	key = dns.tsig.Key(name=kname, secret=SECRET, algorithm=ALG)
//	upd = dns.update.UpdateMessage("mesh.example."); upd.id = 0x1234
//	upd.add(dns.name.from_text("id-0123456789abcdef.mesh.example."), 300,
//	        "TXT", '"v=dmp1;t=identity;d=QUJD"')
//	upd.use_tsig({kname: key}, keyname=kname, algorithm=ALG, fudge=300)
//	print(upd.to_wire().hex())
var truncNameVectors = []struct {
	alg  string
	base string // the key's algorithm
	size int    // MAC bytes
	wire string
}{
	{"hmac-sha256-128.", dns.HmacSHA256, 16, "123428000001000000010001046d657368076578616d706c65" +
		"00000600011369642d30313233343536373839616263646566c00c001000010000012c00191876" +
		"3d646d70313b743d6964656e746974793b643d51554a4405616c696365c00c00fa00ff00000000" +
		"00310f686d61632d7368613235362d313238000000713fb300012c001088d27eacb5c5ece7dd3a" +
		"21f01ba0e0b5123400000000"},
	{"hmac-sha384-192.", dns.HmacSHA384, 24, "123428000001000000010001046d657368076578616d706c65" +
		"00000600011369642d30313233343536373839616263646566c00c001000010000012c00191876" +
		"3d646d70313b743d6964656e746974793b643d51554a4405616c696365c00c00fa00ff00000000" +
		"00390f686d61632d7368613338342d313932000000713fb300012c0018fc76875eac58c80ffe69" +
		"8479405bb9eeb4a95a86bbf399bf123400000000"},
	{"hmac-sha512-256.", dns.HmacSHA512, 32, "123428000001000000010001046d657368076578616d706c65" +
		"00000600011369642d30313233343536373839616263646566c00c001000010000012c00191876" +
		"3d646d70313b743d6964656e746974793b643d51554a4405616c696365c00c00fa00ff00000000" +
		"00410f686d61632d7368613531322d323536000000713fb300012c002038ba166ca61a105930ae" +
		"e213812bdc7f04f71c5abb69f54646409be6eece8b3d123400000000"},
}

// vectorKey is the key of dnspython-tsig-updates.json with algorithm alg.
func vectorKey(t *testing.T, alg string) store.Key {
	t.Helper()
	secret, err := hex.DecodeString(
		"06d02f0df6f2ff8c277af81bcad498cd09581d3ceb6af7b8e503b73bc2040197")
	if err != nil {
		t.Fatal(err)
	}
	return store.Key{Name: "alice.mesh.example.", Algorithm: alg,
		Secret: base64.StdEncoding.EncodeToString(secret)}
}

// TestTruncatedNames checks RFC 8945 §6 names: a key of the base
// algorithm verifies them, a key of another algorithm is BADKEY, an
// altered MAC is BADSIG, a MAC of another size is FORMERR, and a policy
// above the stated size is BADTRUNC.
func TestTruncatedNames(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	for _, vec := range truncNameVectors {
		cases := []struct {
			name     string
			keyAlg   string
			minMAC   int
			edit     func(ts *dns.TSIG)
			want     uint16
			wantErr  error
			wantSize int // of the reply MAC; 0: no MAC
		}{
			{"verifies", vec.base, 0, nil, 0, nil, vec.size},
			{"key of another algorithm", dns.HmacSHA1, 0, nil, dns.RcodeBadKey, nil, 0},
			{"altered MAC", vec.base, 0, func(ts *dns.TSIG) {
				ts.MAC = "00" + ts.MAC[2:]
			}, dns.RcodeBadSig, nil, 0},
			{"MAC one byte short", vec.base, 0, func(ts *dns.TSIG) {
				ts.MAC, ts.MACSize = ts.MAC[2:], ts.MACSize-1
			}, 0, ErrFormat, 0},
			{"MAC one byte long", vec.base, 0, func(ts *dns.TSIG) {
				ts.MAC, ts.MACSize = ts.MAC+"00", ts.MACSize+1
			}, 0, ErrFormat, 0},
			{"policy above the stated size", vec.base, vec.size + 1, nil,
				dns.RcodeBadTrunc, nil, vec.size},
		}
		for _, c := range cases {
			t.Run(vec.alg+" "+c.name, func(t *testing.T) {
				m := unpackHex(t, vec.wire)
				if c.edit != nil {
					c.edit(m.IsTsig())
				}
				v := &Verifier{Keys: newMemKeys(vectorKey(t, c.keyAlg)), MinMACSize: c.minMAC}
				s, err := v.Verify(context.Background(), m, now)
				if !errors.Is(err, c.wantErr) || (err == nil && s.Error != c.want) {
					t.Fatalf("got %+v, %v; want error code %d, %v", s, err, c.want,
						c.wantErr)
				}
				if err == nil {
					checkReplyTSIG(t, s, vec.alg, c.wantSize, now)
				}
			})
		}
	}
}

// checkReplyTSIG signs a reply for s and checks it carries the request's
// algorithm name with a MAC of wantSize bytes.
func checkReplyTSIG(t *testing.T, s *Signed, alg string, wantSize int, now time.Time) {
	t.Helper()
	reply := new(dns.Msg)
	reply.SetRcode(new(dns.Msg).SetUpdate("mesh.example."), dns.RcodeSuccess)
	wire, err := Sign(reply, s, now)
	if err != nil {
		t.Fatal(err)
	}
	got := new(dns.Msg)
	if err := got.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	gt := got.IsTsig()
	if gt == nil || gt.Algorithm != alg || int(gt.MACSize) != wantSize ||
		len(gt.MAC) != 2*wantSize {
		t.Fatalf("got reply TSIG %v, want %s with a %d-byte MAC", gt, alg, wantSize)
	}
}

func TestSupported(t *testing.T) {
	cases := []struct {
		alg  string
		want bool
	}{
		{"hmac-sha256.", true},
		{"HMAC-SHA512", true},
		{"hmac-sha1.", true},
		{"hmac-sha256-128.", false}, // a key has the base algorithm
		{"hmac-md5.sig-alg.reg.int.", false},
		{"hmac-sha3-256.", false},
	}
	for _, c := range cases {
		t.Run(c.alg, func(t *testing.T) {
			if got := Supported(c.alg); got != c.want {
				t.Fatalf("Supported(%q): got %v, want %v", c.alg, got, c.want)
			}
		})
	}
}
