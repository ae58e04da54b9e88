package tsigauth

import (
	"context"
	"encoding/hex"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// FuzzVerify feeds arbitrary messages through Verify and Sign; neither may
// panic, whatever the TSIG record holds.
func FuzzVerify(f *testing.F) {
	vf, key := loadVectorsF(f)
	for _, c := range vf.Cases {
		wire, err := hex.DecodeString(c.WireHex)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(wire)
	}
	now := time.Unix(vf.TimeSigned, 0)
	f.Fuzz(func(t *testing.T, wire []byte) {
		m := new(dns.Msg)
		if m.Unpack(wire) != nil {
			return
		}
		v := &Verifier{Keys: newMemKeys(key)}
		s, err := v.Verify(context.Background(), m, now)
		if s == nil || (err != nil && err != ErrReplay) {
			return
		}
		reply := new(dns.Msg)
		reply.SetRcode(m, dns.RcodeRefused)
		_, _ = Sign(reply, s, now)
	})
}
