package dnsio_test

import (
	"errors"
	"fmt"

	"github.com/dnsmesh/dmp/pkg/dnsio"

	"github.com/miekg/dns"
)

// A node's refusal of an UPDATE carries its rcode, the TSIG error when
// the signature failed, and the node's reasons from Extended DNS Errors;
// errors.Is tells refusals from network failures.
func ExampleRefusedError() {
	var err error = &dnsio.RefusedError{Rcode: dns.RcodeRefused,
		Reasons: []string{"value too long: 2100 > 2048 bytes"}}
	fmt.Println(err)
	fmt.Println("refused:", errors.Is(err, dnsio.ErrRefused))
	fmt.Println("unreachable:", errors.Is(err, dnsio.ErrUnreachable))

	err = &dnsio.RefusedError{Rcode: dns.RcodeNotAuth, TSIGCode: dns.RcodeBadSig}
	fmt.Println(err)
	// Output:
	// node refused the update: REFUSED: value too long: 2100 > 2048 bytes
	// refused: true
	// unreachable: false
	// node refused the update: NOTAUTH/BADSIG
}
