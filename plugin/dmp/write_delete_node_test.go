package dmp

import (
	"testing"
)

// A correctly signed RRset delete (class ANY, RDLENGTH 0) verifies for
// every type, whatever miekg/dns makes of the empty rdata when the MAC is
// checked over the message packed again (DECISIONS N5b; issue #5, P6).
// Only TXT is stored, so deletes of other types succeed and change
// nothing (RFC 2136 §3.4.2.3: deleting an RRset that is not there is no
// error).
func TestNodeRRsetDeleteTypes(t *testing.T) {
	n := startWriteNode(t)
	key := "alice.example.org. " + nodeKeySecret
	owner := "id-0123456789abcdef.example.org."
	types := []string{"MX", "SOA", "SRV", "CAA", "TXT", "A", "NS", "CNAME", "DS", "TLSA"}
	for _, tool := range updateTools {
		for _, typ := range types {
			t.Run(tool.name+"/"+typ, func(t *testing.T) {
				out, err := tool.run(t, script(n, key, "update delete "+owner+" "+typ))
				if err != nil {
					t.Fatalf("update delete %s %s: got %v, want success:\n%s", owner, typ,
						err, out)
				}
			})
		}
	}
}
