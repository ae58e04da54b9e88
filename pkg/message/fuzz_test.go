package message

import (
	"testing"

	"github.com/dnsmesh/dmp/pkg/records"
)

// FuzzOpenOuter feeds arbitrary outer messages, as the erasure code would
// rebuild them, to the receiver's header check and decryption. Nothing may
// panic, and only a sealed message of Alice's may open.
func FuzzOpenOuter(f *testing.F) {
	h := newHostile(f)
	outer, hdr, _ := sealTest(f, h.message(h.bob, "hello bob"))
	f.Add(outer)
	f.Add(outer[:40])
	f.Add([]byte{0, 0})
	m := &records.Manifest{MsgID: hdr.MsgID, RecipientID: hdr.Recipient}
	r := h.recipient()
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Delivered
		if err := openOuter(b, m, r, t0.Unix(), &d); err != nil {
			return
		}
		if string(d.Body) != "hello bob" {
			t.Fatalf("opened a forged message: %q", d.Body)
		}
	})
}

// FuzzReceiveManifest feeds arbitrary manifest values to Receive over the
// baseline zone.
//
// TODO(#3): add a hostile-sender target that signs a manifest over fuzzed
// k, n and chunk values with Alice's key, so one target drives the whole
// path; today erasure.FuzzDecode and FuzzOpenOuter cover its two halves.
func FuzzReceiveManifest(f *testing.F) {
	h := newHostile(f)
	f.Add(h.sent.Manifest.Value)
	f.Add(records.ManifestPrefix + "AAAA")
	r := h.recipient()
	f.Fuzz(func(t *testing.T, value string) {
		d, err := Receive(value, vectorZone, r, h.zone.lookup, t0)
		if err == nil && string(d.Body) != "hello bob" {
			t.Fatalf("delivered %q from a fuzzed manifest", d.Body)
		}
	})
}
