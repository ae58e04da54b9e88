package dmp

import (
	"reflect"

	"github.com/coredns/coredns/plugin/pkg/dnstest"
	"github.com/miekg/dns"
)

// CoreDNS's log and prometheus plugins learn a reply's rcode and flags
// from a dnstest.Recorder wrapped around the writer they pass on, which
// records them in WriteMsg only; Write records just the length. A signed
// reply cannot go through WriteMsg: the server's writer would sign it
// again with the static keys of CoreDNS's tsig plugin and, knowing none of
// dmp's keys (N5b), write nothing. So writeSigned writes the signed bytes
// and then tells each recorder on the writer chain what they were.
//
// The chain mixes exported wrappers (dnstest.Recorder, metrics.Recorder)
// with unexported ones (CoreDNS's pluginWriter), and each embeds the
// writer it wraps; unwrap follows that embedded field.

// maxWrappers bounds the walk down a writer chain: a plugin chain is far
// shorter, and a wrapper that embeds itself must not loop.
const maxWrappers = 32

// writeSigned writes wire, the packed and signed form of m, and records
// m's rcode and message in every dnstest.Recorder w wraps.
func writeSigned(w dns.ResponseWriter, m *dns.Msg, wire []byte) error {
	if _, err := w.Write(wire); err != nil {
		return err
	}
	for i := 0; w != nil && i < maxWrappers; i++ {
		if rec, ok := w.(*dnstest.Recorder); ok && rec != nil {
			rec.Rcode, rec.Msg = m.Rcode, m
		}
		w = unwrap(w)
	}
	return nil
}

// unwrap returns the writer w embeds, or nil when it embeds none.
func unwrap(w dns.ResponseWriter) dns.ResponseWriter {
	v := reflect.ValueOf(w)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !f.Anonymous || !f.IsExported() {
			continue
		}
		if inner, ok := v.Field(i).Interface().(dns.ResponseWriter); ok {
			return inner
		}
	}
	return nil
}
