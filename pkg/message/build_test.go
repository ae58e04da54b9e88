package message

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/pkg/envelope"
	"github.com/dnsmesh/dmp/pkg/erasure"
)

func TestBuildSizeLimit(t *testing.T) {
	h := newHostile(t)
	// With a 10-digit ts and a 3-digit ttl the header is 266 bytes, so the
	// outer message costs 360 bytes more than the plaintext (§3.4, §6.5);
	// the envelope for alice@mesh.example adds 36.
	const maxV1 = erasure.MaxPayload - 360
	cases := []struct {
		name    string
		addr    string
		body    int
		wantErr bool
	}{
		{"v1 at the limit", "", maxV1, false},
		{"v1 one over", "", maxV1 + 1, true},
		{"v2 at the limit", "alice@mesh.example", maxV1 - 36, false},
		{"v2 one over", "alice@mesh.example", maxV1 - 35, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := h.message(h.bob, strings.Repeat("x", c.body))
			m.SenderAddr = c.addr
			checkMaxBody(t, m, maxV1-len(envelope.Encode(nil, c.addr)))
			sent, err := Build(m)
			if !c.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				if sent.N != 255 || sent.K != 196 {
					t.Fatalf("got k=%d n=%d, want 196 and 255", sent.K, sent.N)
				}
				return
			}
			limit := maxV1
			if c.addr != "" {
				limit -= 36
			}
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(),
				"limit is "+strconv.Itoa(limit)+" bytes") {
				t.Fatalf("got %v, want ErrTooLarge naming the %d-byte limit", err, limit)
			}
		})
	}
}

// checkMaxBody wants MaxBody to give m's limit, whatever its body, and
// one fewer byte for a one-digit-longer ttl.
func checkMaxBody(t *testing.T, m Message, want int) {
	t.Helper()
	for _, body := range [][]byte{nil, m.Body, make([]byte, 1<<20)} {
		m.Body = body
		if got, err := MaxBody(m); err != nil || got != want {
			t.Fatalf("MaxBody with a %d-byte body = %d, %v; want %d", len(body), got, err,
				want)
		}
	}
	m.TTL *= 10
	if got, err := MaxBody(m); err != nil || got != want-1 {
		t.Fatalf("MaxBody with ttl %s = %d, %v; want %d", m.TTL, got, err, want-1)
	}
	m.TTL = 0
	if _, err := MaxBody(m); err == nil {
		t.Fatal("MaxBody with ttl 0 succeeded, want Build's refusal")
	}
}

func TestBuildRefuses(t *testing.T) {
	h := newHostile(t)
	cases := []struct {
		name string
		edit func(*Message)
	}{
		{"no sender", func(m *Message) { m.Sender = nil }},
		{"short recipient key", func(m *Message) { m.Recipient = m.Recipient[:31] }},
		{"zero prekey id", func(m *Message) { m.Prekey = &Prekey{ID: 0, Public: m.Recipient} }},
		{"short prekey", func(m *Message) { m.Prekey = &Prekey{ID: 1, Public: []byte{1}} }},
		{"no zone", func(m *Message) { m.Zone = "" }},
		{"zero ttl", func(m *Message) { m.TTL = 0 }},
		{"fractional ttl", func(m *Message) { m.TTL = 1500 * time.Millisecond }},
		{"ttl over 30 days", func(m *Message) { m.TTL = MaxTTL + time.Second }},
		{"short randomness", func(m *Message) { m.Rand = bytes.NewReader(make([]byte, 59)) }},
		{"low-order recipient", func(m *Message) { m.Recipient = make([]byte, 32) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := h.message(h.bob, "hi")
			c.edit(&m)
			if sent, err := Build(m); err == nil {
				t.Fatalf("got %d records, want an error", len(sent.Records()))
			}
		})
	}
}

func TestBuildLayout(t *testing.T) {
	h := newHostile(t)
	recs := h.sent.Records()
	if len(recs) != h.sent.N+1 {
		t.Fatalf("got %d records, want n+1 = %d", len(recs), h.sent.N+1)
	}
	if last := recs[len(recs)-1]; !strings.HasPrefix(last.Owner, "slot-") {
		t.Fatalf("last record is %s, want the manifest", last.Owner)
	}
	for i, r := range recs[:h.sent.N] {
		if want := fmt.Sprintf("chunk-%04d-", i); !strings.HasPrefix(r.Owner, want) {
			t.Fatalf("record %d is %s, want prefix %s", i, r.Owner, want)
		}
	}
	again, err := Build(h.message(h.bob, "hello bob"))
	if err != nil {
		t.Fatal(err)
	}
	if again.Manifest != h.sent.Manifest {
		t.Fatal("Build with the same randomness and clock gave a different manifest")
	}
}

func TestRoundTripRandom(t *testing.T) {
	h := newHostile(t)
	for _, size := range []int{0, 1, 1000, 5000} {
		m := h.message(h.bob, strings.Repeat("é", size/2))
		m.Rand = nil // crypto/rand
		sent, err := Build(m)
		if err != nil {
			t.Fatal(err)
		}
		z := zoneData{}
		z.add(sent.Records())
		d, err := Receive(sent.Manifest.Value, vectorZone, h.recipient(), z.lookup, t0)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if !bytes.Equal(d.Body, m.Body) || d.ClaimedFrom != "alice@mesh.example" {
			t.Fatalf("size %d: got %d bytes from %q", size, len(d.Body), d.ClaimedFrom)
		}
	}
}
