package dmp

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/store"

	"github.com/coredns/coredns/plugin/test"
	"github.com/coredns/coredns/request"
	"github.com/miekg/dns"
)

// roundTrip packs m as it would go on the wire and unpacks it again.
func roundTrip(t *testing.T, m *dns.Msg) (*dns.Msg, []byte) {
	t.Helper()
	wire, err := m.Pack()
	if err != nil {
		t.Fatalf("pack: %v", err)
	}
	out := new(dns.Msg)
	if err := out.Unpack(wire); err != nil {
		t.Fatalf("unpack: %v", err)
	}
	return out, wire
}

func TestTXTSplitAt255(t *testing.T) {
	d := newTestDmp(t)
	q := test.Case{Qname: "long.example.org.", Qtype: dns.TypeTXT}
	resp, _ := serve(t, d, &test.ResponseWriter{}, q.Msg())
	got, _ := roundTrip(t, resp)
	if len(got.Answer) != 1 {
		t.Fatalf("got %d RRs, want 1", len(got.Answer))
	}
	strs := got.Answer[0].(*dns.TXT).Txt
	var lens []int
	for _, s := range strs {
		lens = append(lens, len(s))
	}
	if fmt.Sprint(lens) != "[255 255 90]" {
		t.Errorf("got string lengths %v, want [255 255 90]", lens)
	}
	if j := strings.Join(strs, ""); j != strings.Repeat("x", 600) {
		t.Errorf("got joined value of %d bytes, want the 600-byte value", len(j))
	}
}

func TestTXTRawBytes(t *testing.T) {
	d := newTestDmp(t)
	q := test.Case{Qname: "slash.example.org.", Qtype: dns.TypeTXT}
	resp, _ := serve(t, d, &test.ResponseWriter{}, q.Msg())
	_, wire := roundTrip(t, resp)
	want := append([]byte{5}, `a\b"c`...) // one character-string, length-prefixed
	if !bytes.Contains(wire, want) {
		t.Errorf("got wire %q, want it to hold the string %q", wire, want)
	}
}

// bigRRset stores n values of size bytes at big.example.org.
func bigRRset(t *testing.T, d *Dmp, n, size int) {
	t.Helper()
	var ch []store.Change
	for i := range n {
		v := fmt.Sprintf("%03d", i) + strings.Repeat("v", size-3)
		ch = append(ch, add("big.example.org.", v, time.Hour))
	}
	u := store.Update{Zone: "example.org.", Changes: ch}
	if err := d.Store.Apply(context.Background(), u, t0); err != nil {
		t.Fatal(err)
	}
}

// The plugin writes whole RRsets; the CoreDNS server wraps its writer in a
// ScrubWriter that fits the reply to the client's buffer, as done here.
func TestTruncation(t *testing.T) {
	cases := []struct {
		name    string
		tcp     bool
		bufsize uint16 // 0: no EDNS, 512-byte limit
		wantTC  bool
		wantMax int // most bytes the packed reply may take
	}{
		{"udp without edns truncates", false, 0, true, dns.MinMsgSize},
		{"udp with a small edns buffer truncates", false, 1232, true, 1232},
		{"udp with a large edns buffer fits", false, 4096, false, 4096},
		{"tcp is whole", true, 0, false, dns.MaxMsgSize},
	}
	d := newTestDmp(t)
	bigRRset(t, d, 10, 200)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := new(dns.Msg)
			m.SetQuestion("big.example.org.", dns.TypeTXT)
			if c.bufsize > 0 {
				m.SetEdns0(c.bufsize, false)
			}
			w := &test.ResponseWriter{TCP: c.tcp}
			resp, _ := serve(t, d, request.NewScrubWriter(m, w), m)
			_, wire := roundTrip(t, resp)

			if resp.Truncated != c.wantTC {
				t.Errorf("got TC %v, want %v", resp.Truncated, c.wantTC)
			}
			if len(wire) > c.wantMax {
				t.Errorf("got %d bytes, want at most %d", len(wire), c.wantMax)
			}
			if !c.wantTC && len(resp.Answer) != 10 {
				t.Errorf("got %d RRs, want all 10", len(resp.Answer))
			}
		})
	}
}

func TestSeconds(t *testing.T) {
	cases := []struct {
		in   time.Duration
		want uint32
	}{
		{-time.Second, 0},
		{0, 0},
		{999 * time.Millisecond, 0},
		{1500 * time.Millisecond, 1},
		{60 * time.Second, 60},
		{200 * 365 * 24 * time.Hour, 1<<31 - 1},
	}
	for _, c := range cases {
		if got := seconds(c.in); got != c.want {
			t.Errorf("seconds(%v): got %d, want %d", c.in, got, c.want)
		}
	}
}
