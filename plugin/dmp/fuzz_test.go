package dmp

import (
	"context"
	"testing"

	"github.com/coredns/coredns/plugin/pkg/dnstest"
	"github.com/coredns/coredns/plugin/test"
	"github.com/coredns/coredns/request"
	"github.com/miekg/dns"
)

// FuzzServeDNS feeds arbitrary queries that unpack to the plugin, as the
// CoreDNS server would hand them over, and checks it never panics and
// that every reply it writes packs.
func FuzzServeDNS(f *testing.F) {
	for _, q := range []struct {
		name  string
		qtype uint16
	}{
		{"multi.example.org.", dns.TypeTXT},
		{"MuLTi.example.org.", dns.TypeANY},
		{"example.org.", dns.TypeSOA},
		{"mb-0123456789ab.example.org.", dns.TypeA},
		{"example.com.", dns.TypeTXT},
		{"example.org.", dns.TypeAXFR},
	} {
		m := new(dns.Msg)
		m.SetQuestion(q.name, q.qtype)
		m.SetEdns0(512, false)
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	d := newTestDmp(f)

	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(dns.Msg)
		if m.Unpack(b) != nil || len(m.Question) != 1 {
			return // the server drops these before any plugin sees them
		}
		if m.Opcode == dns.OpcodeUpdate {
			return // the write side's own tests cover UPDATE
		}
		rec := dnstest.NewRecorder(&test.ResponseWriter{})
		d.ServeDNS(context.Background(), request.NewScrubWriter(m, rec), m)
		if rec.Msg != nil {
			if _, err := rec.Msg.Pack(); err != nil {
				t.Errorf("reply to %v does not pack: %v", m.Question[0], err)
			}
		}
	})
}
