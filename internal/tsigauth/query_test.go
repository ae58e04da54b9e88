package tsigauth

import (
	"context"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/miekg/dns"
)

// signedQuery is a TXT query signed with key name and secret at time at.
func signedQuery(t *testing.T, name, secret string, at time.Time) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion("slot-1.mb-0123456789ab.mesh.example.", dns.TypeTXT)
	return signedCopy(t, m, dns.HmacSHA256, name, secret, at)
}

// TestAuthenticateSkipsReplayCache checks that the same signed query
// authenticates twice and leaves nothing in the replay cache, while the
// failures are those of Verify.
func TestAuthenticateSkipsReplayCache(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	key := store.Key{Name: "k.mesh.example.", Algorithm: dns.HmacSHA256, Secret: testSecret}
	keys := newMemKeys(key)
	v := &Verifier{Keys: keys}
	q := signedQuery(t, key.Name, testSecret, now)
	for i := range 2 {
		s, err := v.Authenticate(context.Background(), q, now)
		if err != nil || s == nil || s.Error != 0 || s.Key.Name != key.Name {
			t.Fatalf("attempt %d: got %+v, %v; want verified", i, s, err)
		}
	}
	if len(keys.seen) != 0 {
		t.Fatalf("replay cache holds %v, want nothing", keys.seen)
	}

	cases := []struct {
		name string
		q    *dns.Msg
		want uint16
	}{
		{"unknown key", signedQuery(t, "other.mesh.example.", testSecret, now), dns.RcodeBadKey},
		{"wrong secret", signedQuery(t, key.Name, "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==", now),
			dns.RcodeBadSig},
		{"skewed", signedQuery(t, key.Name, testSecret, now.Add(-time.Hour)), dns.RcodeBadTime},
	}
	for _, c := range cases {
		s, err := v.Authenticate(context.Background(), c.q, now)
		if err != nil || s == nil || s.Error != c.want {
			t.Errorf("%s: got %+v, %v; want TSIG error %d", c.name, s, err, c.want)
		}
	}
}

// TestReplyLen checks that ReplyLen is the length of the TSIG record Sign
// appends, for a signed reply, an unsigned BADKEY and a BADTIME one.
func TestReplyLen(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	key := store.Key{Name: "k.mesh.example.", Algorithm: dns.HmacSHA256, Secret: testSecret}
	v := &Verifier{Keys: newMemKeys(key)}
	for _, q := range []*dns.Msg{
		signedQuery(t, key.Name, testSecret, now),
		signedQuery(t, "other.mesh.example.", testSecret, now),
		signedQuery(t, key.Name, testSecret, now.Add(-time.Hour)),
	} {
		s, err := v.Authenticate(context.Background(), q, now)
		if err != nil {
			t.Fatal(err)
		}
		reply := new(dns.Msg)
		reply.SetReply(q)
		bare, err := reply.Pack()
		if err != nil {
			t.Fatal(err)
		}
		wire, err := Sign(reply, s, now)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ReplyLen(s), len(wire)-len(bare); got != want {
			t.Errorf("TSIG error %d: ReplyLen %d, want the %d bytes Sign appended",
				s.Error, got, want)
		}
	}
}

// TestHasTSIG checks that a TSIG record anywhere marks a message signed.
func TestHasTSIG(t *testing.T) {
	plain := new(dns.Msg)
	plain.SetQuestion("mesh.example.", dns.TypeSOA)
	plain.SetEdns0(1232, false)
	if HasTSIG(plain) {
		t.Fatal("unsigned query reported signed")
	}
	misplaced := plain.Copy()
	misplaced.Extra = append([]dns.RR{&dns.TSIG{Hdr: dns.RR_Header{Name: "k.",
		Rrtype: dns.TypeTSIG, Class: dns.ClassANY}}}, misplaced.Extra...)
	if !HasTSIG(misplaced) || !HasTSIG(signedQuery(t, "k.", testSecret, time.Now())) {
		t.Fatal("signed query reported unsigned")
	}
}
