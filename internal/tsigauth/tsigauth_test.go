package tsigauth

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

// memKeys is an in-memory KeyStore for the tests.
type memKeys struct {
	mu   sync.Mutex
	keys map[string]store.Key
	seen map[string]bool
}

func newMemKeys(keys ...store.Key) *memKeys {
	m := &memKeys{keys: map[string]store.Key{}, seen: map[string]bool{}}
	for _, k := range keys {
		m.keys[k.Name] = k
	}
	return m
}

func (m *memKeys) GetKey(_ context.Context, name string) (store.Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[name]
	if !ok {
		return store.Key{}, store.ErrNotFound
	}
	return k, nil
}

func (m *memKeys) FirstSeen(_ context.Context, id string, _ time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen[id] {
		return false, nil
	}
	m.seen[id] = true
	return true, nil
}

type vectorFile struct {
	KeyName    string `json:"key_name"`
	Algorithm  string `json:"algorithm"`
	SecretHex  string `json:"secret_hex"`
	TimeSigned int64  `json:"time_signed"`
	Cases      []struct {
		Description string `json:"description"`
		WireHex     string `json:"wire_hex"`
	} `json:"cases"`
}

func loadVectors(t *testing.T) (vectorFile, store.Key) { return loadVectorsF(t) }

func loadVectorsF(t testing.TB) (vectorFile, store.Key) {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/vectors/dnspython-tsig-updates.json")
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(raw, &vf); err != nil {
		t.Fatal(err)
	}
	secret, err := hex.DecodeString(vf.SecretHex)
	if err != nil {
		t.Fatal(err)
	}
	key := store.Key{
		Name:      vf.KeyName,
		Algorithm: vf.Algorithm,
		Secret:    base64.StdEncoding.EncodeToString(secret),
	}
	return vf, key
}

func unpackHex(t *testing.T, h string) *dns.Msg {
	t.Helper()
	wire, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	m := new(dns.Msg)
	if err := m.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDnspythonVectors checks all 4 UPDATEs of the dnspython vector file
// verify with the clock pinned at its signing time (N5b), that a second
// sighting is a replay and that a clock past the fudge is BADTIME.
func TestDnspythonVectors(t *testing.T) {
	vf, key := loadVectors(t)
	if len(vf.Cases) != 4 {
		t.Fatalf("loaded %d vector cases, want the file's 4", len(vf.Cases))
	}
	signedAt := time.Unix(vf.TimeSigned, 0)
	for _, c := range vf.Cases {
		t.Run(c.Description, func(t *testing.T) {
			v := &Verifier{Keys: newMemKeys(key)}
			s, err := v.Verify(context.Background(), unpackHex(t, c.WireHex), signedAt)
			if err != nil || s == nil || s.Error != 0 {
				t.Fatalf("got %+v, %v; want verified", s, err)
			}
			_, err = v.Verify(context.Background(), unpackHex(t, c.WireHex), signedAt)
			if !errors.Is(err, ErrReplay) {
				t.Fatalf("second sighting: got %v, want ErrReplay", err)
			}
			late := signedAt.Add(301 * time.Second)
			v = &Verifier{Keys: newMemKeys(key)}
			s, err = v.Verify(context.Background(), unpackHex(t, c.WireHex), late)
			if err != nil || s.Error != dns.RcodeBadTime {
				t.Fatalf("late: got %+v, %v; want BADTIME", s, err)
			}
		})
	}
}

func signedUpdate(t *testing.T, alg, name, secret string, at time.Time) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetUpdate("mesh.example.")
	rr, err := dns.NewRR(`Slot-1.MB-0123456789ab.mesh.example. 300 IN TXT "v=dmp1;t=x" "y"`)
	if err != nil {
		t.Fatal(err)
	}
	m.Insert([]dns.RR{rr})
	return signedCopy(t, m, alg, name, secret, at)
}

// signedCopy signs m with a TSIG RR of alg and key name by secret at at
// and returns the signed wire unpacked, the form in which the server
// hands a request to the Verifier. Every signed request of these tests
// is made here, so their TSIGs differ only in algorithm, key and time.
func signedCopy(t *testing.T, m *dns.Msg, alg, name, secret string, at time.Time) *dns.Msg {
	t.Helper()
	m.SetTsig(name, alg, 300, at.Unix())
	wire, _, err := dns.TsigGenerate(m, secret, "", false)
	if err != nil {
		t.Fatal(err)
	}
	out := new(dns.Msg)
	if err := out.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	return out
}

const testSecret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ="

func TestAlgorithms(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	for _, alg := range []string{dns.HmacSHA256, dns.HmacSHA512, dns.HmacSHA1,
		dns.HmacSHA224, dns.HmacSHA384} {
		t.Run(alg, func(t *testing.T) {
			key := store.Key{Name: "k.mesh.example.", Algorithm: alg, Secret: testSecret}
			v := &Verifier{Keys: newMemKeys(key)}
			m := signedUpdate(t, alg, key.Name, testSecret, now)
			s, err := v.Verify(context.Background(), m, now)
			if err != nil || s.Error != 0 {
				t.Fatalf("got %+v, %v; want verified", s, err)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	good := store.Key{Name: "k.mesh.example.", Algorithm: dns.HmacSHA256, Secret: testSecret}
	other := base64.StdEncoding.EncodeToString([]byte("another secret of thirty-two b.."))
	cases := []struct {
		name    string
		key     store.Key
		alg     string
		secret  string
		at      time.Time
		want    uint16
		wantErr error
	}{
		{"wrong secret", good, dns.HmacSHA256, other, now, dns.RcodeBadSig, nil},
		{"unknown key", store.Key{Name: "x."}, dns.HmacSHA256, testSecret, now,
			dns.RcodeBadKey, nil},
		{"algorithm mismatch", good, dns.HmacSHA512, testSecret, now, dns.RcodeBadKey, nil},
		{"expired key", store.Key{Name: good.Name, Algorithm: good.Algorithm,
			Secret: testSecret, Expires: now}, dns.HmacSHA256, testSecret, now,
			dns.RcodeBadKey, nil},
		{"clock behind", good, dns.HmacSHA256, testSecret, now.Add(-301 * time.Second),
			dns.RcodeBadTime, nil},
		{"clock ahead", good, dns.HmacSHA256, testSecret, now.Add(301 * time.Second),
			dns.RcodeBadTime, nil},
		{"inside fudge", good, dns.HmacSHA256, testSecret, now.Add(299 * time.Second), 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := &Verifier{Keys: newMemKeys(c.key)}
			m := signedUpdate(t, c.alg, good.Name, c.secret, c.at)
			s, err := v.Verify(context.Background(), m, now)
			if err != c.wantErr || s == nil || s.Error != c.want {
				t.Fatalf("got %+v, %v; want error code %d", s, err, c.want)
			}
		})
	}
}

func TestMD5Refused(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	key := store.Key{Name: "k.mesh.example.", Algorithm: dns.HmacMD5, Secret: testSecret}
	m := signedUpdate(t, dns.HmacSHA256, key.Name, testSecret, now)
	m.IsTsig().Algorithm = dns.HmacMD5 // miekg/dns no longer signs with MD5
	v := &Verifier{Keys: newMemKeys(key)}
	s, err := v.Verify(context.Background(), m, now)
	if err != nil || s.Error != dns.RcodeBadKey {
		t.Fatalf("got %+v, %v; want BADKEY", s, err)
	}
}

func TestMisplacedTSIG(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	m := signedUpdate(t, dns.HmacSHA256, "k.mesh.example.", testSecret, now)
	tsig := m.Extra[len(m.Extra)-1]
	m.Extra = append([]dns.RR{tsig}, m.Extra...)
	v := &Verifier{Keys: newMemKeys()}
	if _, err := v.Verify(context.Background(), m, now); !errors.Is(err, ErrFormat) {
		t.Fatalf("got %v, want ErrFormat", err)
	}
	if s, err := v.Verify(context.Background(), new(dns.Msg), now); s != nil || err != nil {
		t.Fatalf("unsigned: got %+v, %v; want nil, nil", s, err)
	}
}

// TestSignedReply checks replies verify with miekg/dns given the request
// MAC, whatever their rcode, and that BADSIG replies carry no MAC.
func TestSignedReply(t *testing.T) {
	now := time.Now()
	key := store.Key{Name: "k.mesh.example.", Algorithm: dns.HmacSHA512, Secret: testSecret}
	req := signedUpdate(t, dns.HmacSHA512, key.Name, testSecret, now)
	v := &Verifier{Keys: newMemKeys(key)}
	s, err := v.Verify(context.Background(), req, now)
	if err != nil || s.Error != 0 {
		t.Fatalf("verify: %+v, %v", s, err)
	}
	for _, rcode := range []int{dns.RcodeSuccess, dns.RcodeRefused, dns.RcodeNXRrset} {
		reply := new(dns.Msg)
		reply.SetRcode(req, rcode)
		wire, err := Sign(reply, s, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := dns.TsigVerify(wire, testSecret, s.TSIG.MAC, false); err != nil {
			t.Fatalf("rcode %d: miekg verify: %v", rcode, err)
		}
	}

	bad := &Signed{TSIG: s.TSIG, Error: dns.RcodeBadSig}
	reply := new(dns.Msg)
	reply.SetRcode(req, dns.RcodeNotAuth)
	wire, err := Sign(reply, bad, now)
	if err != nil {
		t.Fatal(err)
	}
	got := new(dns.Msg)
	if err := got.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	gt := got.IsTsig()
	if gt == nil || gt.Error != dns.RcodeBadSig || gt.MACSize != 0 ||
		got.Rcode != dns.RcodeNotAuth {
		t.Fatalf("BADSIG reply: got %v", got)
	}
}

func TestBadTimeReply(t *testing.T) {
	now := time.Now()
	key := store.Key{Name: "k.mesh.example.", Algorithm: dns.HmacSHA256, Secret: testSecret}
	req := signedUpdate(t, dns.HmacSHA256, key.Name, testSecret, now.Add(-time.Hour))
	v := &Verifier{Keys: newMemKeys(key)}
	s, err := v.Verify(context.Background(), req, now)
	if err != nil || s.Error != dns.RcodeBadTime {
		t.Fatalf("verify: %+v, %v", s, err)
	}
	reply := new(dns.Msg)
	reply.SetRcode(req, dns.RcodeNotAuth)
	wire, err := Sign(reply, s, now)
	if err != nil {
		t.Fatal(err)
	}
	// miekg/dns refuses to verify NOTAUTH replies, so check the MAC here:
	// the success path above cross-checks computeMAC against miekg/dns.
	got := new(dns.Msg)
	if err := got.Unpack(wire); err != nil {
		t.Fatal(err)
	}
	gt := got.IsTsig()
	if gt.OtherLen != 6 || gt.Error != dns.RcodeBadTime || gt.TimeSigned != s.TSIG.TimeSigned {
		t.Fatalf("got %v, want BADTIME with server time", gt)
	}
	body, err := packStripped(got, gt, true)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := base64.StdEncoding.DecodeString(testSecret)
	reqMAC, _ := hex.DecodeString(s.TSIG.MAC)
	want, err := computeMAC(gt.Algorithm, secret, reqMAC, body, gt)
	if err != nil || hex.EncodeToString(want) != gt.MAC {
		t.Fatalf("BADTIME reply MAC: got %s, want %x (%v)", gt.MAC, want, err)
	}
}

// An RRset delete or prerequisite travels with RDLENGTH 0 (RFC 2136
// §2.5.2, §2.4.1). miekg/dns unpacks it into the type's struct, which for
// MX, SOA, SRV, CAA, DS and TLSA packs fields that were never sent; the
// MAC must still verify (issue #5, P6).
func TestEmptyRdataVerifies(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	key := store.Key{Name: "k.mesh.example.", Algorithm: dns.HmacSHA256, Secret: testSecret}
	owner := "Alice.mesh.example."
	for _, typ := range []uint16{dns.TypeMX, dns.TypeSOA, dns.TypeSRV, dns.TypeCAA,
		dns.TypeTXT, dns.TypeA, dns.TypeNS, dns.TypeCNAME, dns.TypeDS, dns.TypeTLSA} {
		t.Run(dns.TypeToString[typ], func(t *testing.T) {
			m := new(dns.Msg)
			m.SetUpdate("mesh.example.")
			empty := []dns.RR{&dns.ANY{Hdr: dns.RR_Header{Name: owner, Rrtype: typ}}}
			m.RRsetUsed(empty)    // prerequisite, class ANY
			m.RRsetNotUsed(empty) // prerequisite, class NONE
			m.RemoveRRset(empty)  // update, class ANY
			m.SetEdns0(1232, false)
			got := signedCopy(t, m, dns.HmacSHA256, key.Name, testSecret, now)

			v := &Verifier{Keys: newMemKeys(key)}
			s, err := v.Verify(context.Background(), got, now)
			if err != nil || s == nil || s.Error != 0 {
				t.Fatalf("got %+v, %v; want verified", s, err)
			}
		})
	}
}

// seenFails is a KeyStore whose replay cache is down.
type seenFails struct{ *memKeys }

var errSeenDown = errors.New("replay cache down")

func (seenFails) FirstSeen(context.Context, string, time.Duration) (bool, error) {
	return false, errSeenDown
}

// TestReplayCacheFailure checks a failure of the replay cache after the
// MAC verified comes with the verified Signed, so the reply can be signed
// (every response to a verified request is, N5), and that the reply
// verifies with the key.
func TestReplayCacheFailure(t *testing.T) {
	now := time.Now() // miekg/dns checks the reply against the real clock
	key := store.Key{Name: "k.mesh.example.", Algorithm: dns.HmacSHA256, Secret: testSecret}
	req := signedUpdate(t, dns.HmacSHA256, key.Name, testSecret, now)
	v := &Verifier{Keys: seenFails{newMemKeys(key)}}

	s, err := v.Verify(context.Background(), req, now)
	if !errors.Is(err, errSeenDown) || s == nil || s.Error != 0 || s.Key.Name != key.Name {
		t.Fatalf("got %+v, %v; want the verified key with the store error", s, err)
	}
	reply := new(dns.Msg)
	reply.SetRcode(req, dns.RcodeServerFailure)
	wire, err := Sign(reply, s, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := dns.TsigVerify(wire, testSecret, s.TSIG.MAC, false); err != nil {
		t.Fatalf("SERVFAIL reply: %v", err)
	}
}
