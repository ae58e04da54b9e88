package tsigauth

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"

	"github.com/miekg/dns"
)

// The truncated algorithm names of RFC 4635 §3.1 and RFC 8945 §6, which
// miekg/dns does not name. dnspython signs with them.
const (
	hmacSHA256x128 = "hmac-sha256-128."
	hmacSHA384x192 = "hmac-sha384-192."
	hmacSHA512x256 = "hmac-sha512-256."
)

// algorithm is a TSIG algorithm the node verifies.
type algorithm struct {
	base    string           // the algorithm a key must have, canonical
	newHash func() hash.Hash // the HMAC hash
	size    int              // MAC bytes the name fixes; 0: the hash's size
}

// algorithms maps canonical algorithm names to what they compute (N5c).
// A truncated name is its base algorithm with the MAC cut to the stated
// number of bits: it verifies with a key of the base algorithm, and the
// name itself, not the base, goes into the MAC's TSIG variables (RFC 8945
// §4.3.3), as dnspython computes it.
var algorithms = map[string]algorithm{
	dns.HmacSHA256: {dns.HmacSHA256, sha256.New, 0},
	dns.HmacSHA512: {dns.HmacSHA512, sha512.New, 0},
	dns.HmacSHA1:   {dns.HmacSHA1, sha1.New, 0},
	dns.HmacSHA224: {dns.HmacSHA224, sha256.New224, 0},
	dns.HmacSHA384: {dns.HmacSHA384, sha512.New384, 0},
	hmacSHA256x128: {dns.HmacSHA256, sha256.New, 128 / 8},
	hmacSHA384x192: {dns.HmacSHA384, sha512.New384, 192 / 8},
	hmacSHA512x256: {dns.HmacSHA512, sha512.New, 256 / 8},
}

// algorithmFor returns the algorithm called name. hmac-md5 and unknown
// names report false.
func algorithmFor(name string) (algorithm, bool) {
	a, ok := algorithms[dns.CanonicalName(name)]
	return a, ok
}

// hashSize is the size of a's untruncated HMAC in bytes.
func (a algorithm) hashSize() int { return a.newHash().Size() }

// macSize is the size of the MAC a's name stands for: the stated
// truncation, or the hash's size.
func (a algorithm) macSize() int {
	if a.size > 0 {
		return a.size
	}
	return a.hashSize()
}

// Supported reports whether alg is an algorithm keys may use. Keys have an
// untruncated algorithm; a request may name its truncated form.
func Supported(alg string) bool {
	a, ok := algorithmFor(alg)
	return ok && a.size == 0
}
