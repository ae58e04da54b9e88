package rs

// The decoder's polynomials are stored lowest degree first: p[i] is the
// coefficient of x^i. A codeword byte at index p of an n-byte codeword is
// the coefficient of x^(n−1−p), so its error locator is X = α^(n−1−p).

// berlekampMassey returns the error-locator polynomial Λ(x), with
// Λ(0) = 1, of the shortest LFSR that generates the syndromes. Trailing
// zero coefficients are trimmed, so len−1 is its true degree.
func berlekampMassey(synd []byte) []byte {
	cur := make([]byte, 1, len(synd)+1)
	cur[0] = 1
	prev := []byte{1}
	length, shift := 0, 1
	prevDisc := byte(1)

	for n := range synd {
		disc := synd[n]
		for i := 1; i <= length && i < len(cur); i++ {
			disc ^= Mul(cur[i], synd[n-i])
		}
		if disc == 0 {
			shift++
			continue
		}

		scale := Div(disc, prevDisc)
		next := addShifted(cur, prev, scale, shift)
		if 2*length <= n {
			prev, prevDisc = cur, disc
			length = n + 1 - length
			shift = 1
		} else {
			shift++
		}
		cur = next
	}
	return trim(cur)
}

// addShifted returns a + scale·x^shift·b as a new polynomial.
func addShifted(a, b []byte, scale byte, shift int) []byte {
	out := make([]byte, max(len(a), len(b)+shift))
	copy(out, a)
	for i, c := range b {
		out[i+shift] ^= Mul(c, scale)
	}
	return out
}

// trim drops zero coefficients of the highest degrees.
func trim(p []byte) []byte {
	for len(p) > 1 && p[len(p)-1] == 0 {
		p = p[:len(p)-1]
	}
	return p
}

// eval returns p(x) for a lowest-first polynomial p.
func eval(p []byte, x byte) byte {
	var v byte
	for i := len(p) - 1; i >= 0; i-- {
		v = Mul(v, x) ^ p[i]
	}
	return v
}

// chien returns the codeword indexes p in 0..n−1 whose locator inverse
// X^−1 = α^−(n−1−p) is a root of Λ.
func chien(locator []byte, n int) []int {
	var pos []int
	for p := 0; p < n; p++ {
		if eval(locator, Pow(-(n-1-p))) == 0 {
			pos = append(pos, p)
		}
	}
	return pos
}

// forney computes the error value at each position and corrects code in
// place. With first consecutive root 0 the value is
// e = X · Ω(X^−1) / Λ'(X^−1), where Ω(x) = S(x)·Λ(x) mod x^Parity. It
// reports false when Λ' vanishes at a root, which a proper locator never
// does.
func forney(code, synd, locator []byte, positions []int) bool {
	omega := make([]byte, Parity)
	for i, s := range synd {
		for j, l := range locator {
			if i+j < Parity {
				omega[i+j] ^= Mul(s, l)
			}
		}
	}

	// Formal derivative: in characteristic 2 only odd terms survive.
	deriv := make([]byte, max(len(locator)-1, 1))
	for i := 1; i < len(locator); i += 2 {
		deriv[i-1] = locator[i]
	}

	n := len(code)
	for _, p := range positions {
		x := Pow(n - 1 - p)
		xInv := inv(x)
		den := eval(deriv, xInv)
		if den == 0 {
			return false
		}
		code[p] ^= Mul(x, Div(eval(omega, xInv), den))
	}
	return true
}
