package dnsio

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnsmesh/dmp/pkg/txt"
)

const (
	testKey  = "alice-key.mesh.example."
	testZone = "mesh.example"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// testServer is a miekg/dns server on UDP and TCP of one port whose
// handler the test sets.
type testServer struct {
	addr    string
	mu      sync.Mutex
	handler func(w dns.ResponseWriter, r *dns.Msg)
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	ts := &testServer{}
	pc, l := listenPair(t)
	ts.addr = pc.LocalAddr().String()
	secrets := map[string]string{testKey: base64.StdEncoding.EncodeToString(testSecret)}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		ts.mu.Lock()
		f := ts.handler
		ts.mu.Unlock()
		f(w, r)
	})
	invalid := func(m []byte, err error) { t.Logf("invalid: %v", err) }
	for _, s := range []*dns.Server{
		{PacketConn: pc, UDPSize: 65535, Handler: h, TsigSecret: secrets,
			MsgAcceptFunc: acceptAll, MsgInvalidFunc: invalid},
		{Listener: l, Handler: h, TsigSecret: secrets,
			MsgAcceptFunc: acceptAll, MsgInvalidFunc: invalid},
	} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		go s.ActivateAndServe()
		<-started
		t.Cleanup(func() { s.Shutdown() })
	}
	return ts
}

// acceptAll lets UPDATE through; the library's default answers NOTIMP.
// listenPair opens UDP and TCP on one free loopback port, retrying when
// another process holds the TCP side of the port UDP got.
func listenPair(t *testing.T) (net.PacketConn, net.Listener) {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, l
		}
		pc.Close()
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return nil, nil
}

func acceptAll(dns.Header) dns.MsgAcceptAction { return dns.MsgAccept }

func (ts *testServer) set(f func(w dns.ResponseWriter, r *dns.Msg)) {
	ts.mu.Lock()
	ts.handler = f
	ts.mu.Unlock()
}

// signedReply answers r with rcode, signed when r was signed and verified.
func signedReply(w dns.ResponseWriter, r *dns.Msg, rcode int, ede string) {
	m := new(dns.Msg)
	m.SetRcode(r, rcode)
	if ede != "" {
		m.SetEdns0(udpSize, false)
		m.IsEdns0().Option = append(m.IsEdns0().Option,
			&dns.EDNS0_EDE{InfoCode: dns.ExtendedErrorCodeProhibited, ExtraText: ede})
	}
	if t := r.IsTsig(); t != nil && w.TsigStatus() == nil {
		m.SetTsig(t.Hdr.Name, t.Algorithm, 300, time.Now().Unix())
	}
	w.WriteMsg(m)
}

func TestUpdaterSignedAdd(t *testing.T) {
	ts := startServer(t)
	long := strings.Repeat("v=dmp1;t=manifest;d=", 26) + "tail\"\\é"
	var got []dns.RR
	ts.set(func(w dns.ResponseWriter, r *dns.Msg) {
		if w.TsigStatus() != nil || r.IsTsig() == nil {
			signedReply(w, r, dns.RcodeNotAuth, "")
			return
		}
		got = r.Ns
		signedReply(w, r, dns.RcodeSuccess, "")
	})
	u := &Updater{Server: ts.addr, Zone: testZone,
		Key: &Key{Name: testKey, Secret: testSecret}}
	err := u.Apply(context.Background(),
		Change{Op: Add, Owner: "slot-1.mb-0123456789ab.mesh.example", Value: long, TTL: 600},
		Change{Op: DeleteValue, Owner: "prekeys.id-0123456789ab.mesh.example", Value: "x"},
		Change{Op: DeleteAll, Owner: "chunk-0000-0123456789ab.mesh.example"})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d update RRs, want 3", len(got))
	}
	add := got[0].(*dns.TXT)
	if n := len(add.Txt); n != 3 {
		t.Errorf("long value sent as %d strings, want 3", n)
	}
	if v := txt.FromPresentation(add.Txt); v != long {
		t.Errorf("joined value got %q, want %q", v, long)
	}
	if add.Hdr.Ttl != 600 || add.Hdr.Class != dns.ClassINET {
		t.Errorf("add got ttl %d class %d, want 600 IN", add.Hdr.Ttl, add.Hdr.Class)
	}
	if c := got[1].Header().Class; c != dns.ClassNONE {
		t.Errorf("delete value class got %d, want NONE", c)
	}
	if c := got[2].Header().Class; c != dns.ClassANY {
		t.Errorf("delete rrset class got %d, want ANY", c)
	}
}

func TestUpdaterFailures(t *testing.T) {
	tests := []struct {
		name    string
		secret  []byte
		handler func(w dns.ResponseWriter, r *dns.Msg)
		want    error
		reason  string
	}{
		{"refused with reason", testSecret, func(w dns.ResponseWriter, r *dns.Msg) {
			signedReply(w, r, dns.RcodeRefused, "prekey signature does not verify")
		}, ErrRefused, "REFUSED: prekey signature does not verify"},
		{"unsigned success", testSecret, func(w dns.ResponseWriter, r *dns.Msg) {
			m := new(dns.Msg)
			m.SetRcode(r, dns.RcodeSuccess)
			w.WriteMsg(m)
		}, ErrUnsigned, ""},
		{"bad secret", []byte("wrong secret wrong secret 123456"),
			func(w dns.ResponseWriter, r *dns.Msg) {
				if w.TsigStatus() == nil {
					signedReply(w, r, dns.RcodeSuccess, "")
					return
				}
				signedReply(w, r, dns.RcodeNotAuth, "")
			}, ErrRefused, "NOTAUTH"},
	}
	ts := startServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts.set(tt.handler)
			u := &Updater{Server: ts.addr, Zone: testZone,
				Key: &Key{Name: testKey, Secret: tt.secret}}
			err := u.Apply(context.Background(),
				Change{Op: Add, Owner: "a.mesh.example", Value: "v", TTL: 60})
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("error %q does not contain %q", err, tt.reason)
			}
		})
	}
}

func TestReaderTruncationFallsBackToTCP(t *testing.T) {
	ts := startServer(t)
	long := strings.Repeat("A", 3000)
	ts.set(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if w.RemoteAddr().Network() == "udp" {
			m.Truncated = true
			w.WriteMsg(m)
			return
		}
		m.Answer = []dns.RR{
			&dns.TXT{Hdr: dns.RR_Header{Name: r.Question[0].Name, Rrtype: dns.TypeTXT,
				Class: dns.ClassINET, Ttl: 60}, Txt: txt.Presentation(long)},
			&dns.TXT{Hdr: dns.RR_Header{Name: r.Question[0].Name, Rrtype: dns.TypeTXT,
				Class: dns.ClassINET, Ttl: 60}, Txt: []string{"short"}},
		}
		w.WriteMsg(m)
	})
	r := &Reader{Servers: []string{ts.addr}}
	got, err := r.LookupTXT(context.Background(), "slot-1.mb-0123456789ab.mesh.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != long || got[1] != "short" {
		t.Fatalf("got %d values (first %d bytes), want the 3000-byte value and \"short\"",
			len(got), len(got[0]))
	}
}

func TestReaderRcodes(t *testing.T) {
	tests := []struct {
		name    string
		rcode   int
		wantErr bool
	}{
		{"nxdomain is empty", dns.RcodeNameError, false},
		{"nodata is empty", dns.RcodeSuccess, false},
		{"servfail is an error", dns.RcodeServerFailure, true},
	}
	ts := startServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts.set(func(w dns.ResponseWriter, r *dns.Msg) {
				m := new(dns.Msg)
				m.SetRcode(r, tt.rcode)
				w.WriteMsg(m)
			})
			r := &Reader{Servers: []string{ts.addr}}
			got, err := r.LookupTXT(context.Background(), "x.mesh.example")
			if (err != nil) != tt.wantErr || len(got) != 0 {
				t.Fatalf("got %v, %v; want no values, error=%v", got, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrQuery) {
				t.Fatalf("error %v does not wrap ErrQuery", err)
			}
		})
	}
}
