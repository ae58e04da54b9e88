// Package rs is the per-chunk Reed–Solomon code of DMP chunks: 32 parity
// bytes appended to each 128-byte erasure share (message-path.md §7).
//
// The code is the one reedsolo.RSCodec(32) uses: GF(2^8) with primitive
// polynomial x^8+x^4+x^3+x^2+1 (0x11d), generator α = 2, first consecutive
// root 0, so the generator polynomial is g(x) = ∏_{i=0}^{31} (x − α^i).
// Byte 0 of a codeword is its highest-degree coefficient and the parity is
// the remainder of msg(x)·x^32 divided by g(x). Decode corrects up to 16
// unknown byte errors (Berlekamp–Massey, Chien search, Forney) and fails
// beyond that, or, rarely, lands on another codeword; DMP's checksum and
// chunk hash catch that case.
package rs

// poly is the field's primitive polynomial, x^8+x^4+x^3+x^2+1.
const poly = 0x11d

// expTable[i] = α^i for i in 0..509, doubled so that a sum of two logs
// indexes it without a modulo. logTable[x] = log_α(x) for x != 0.
var expTable, logTable = buildTables()

func buildTables() (exp [510]byte, log [256]int) {
	x := 1
	for i := 0; i < 255; i++ {
		exp[i] = byte(x)
		log[x] = i
		x <<= 1
		if x&0x100 != 0 {
			x ^= poly
		}
	}
	for i := 255; i < len(exp); i++ {
		exp[i] = exp[i-255]
	}
	return exp, log
}

// Mul multiplies two field elements. The field is also the one of the
// cross-chunk erasure code, which uses Mul, Div and Pow for its matrix.
func Mul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return expTable[logTable[a]+logTable[b]]
}

// Div divides a by b; b must not be zero.
func Div(a, b byte) byte {
	if b == 0 {
		panic("rs: internal error: division by zero")
	}
	if a == 0 {
		return 0
	}
	return expTable[logTable[a]+255-logTable[b]]
}

// Pow returns α^e for any integer e, negative ones included.
func Pow(e int) byte {
	e %= 255
	if e < 0 {
		e += 255
	}
	return expTable[e]
}

// inv returns the multiplicative inverse of a non-zero a.
func inv(a byte) byte {
	return Div(1, a)
}
