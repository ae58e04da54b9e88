package erasure

import (
	"sync"

	"github.com/dnsmesh/dmp/internal/rs"
)

// The matrix lives in GF(2^8) with the primitive polynomial 0x11d and
// generator α = 2, the field of zfec's fec.c, of klauspost/reedsolomon and
// of the per-chunk code in internal/rs, whose field operations it uses.

// point returns the evaluation point of share i in zfec's Vandermonde
// matrix: 0 for share 0, α^(i−1) after that.
func point(i int) byte {
	if i == 0 {
		return 0
	}
	return rs.Pow(i - 1)
}

// parityRowsByK caches, per k, the parity rows for shares k..MaxShares−1.
var parityRowsByK sync.Map // int -> [][]byte

// parityRows returns the rows of zfec's systematic encoding matrix for
// shares k..n−1. zfec's matrix is V·(V_top)^−1 where row i of the n×k
// Vandermonde matrix V evaluates at point(i) (DECISIONS, Reed–Solomon
// table). Row i of that product maps the k data bytes, read as values at
// points 0..k−1, to the value at point(i) of the polynomial of degree < k
// through them, so its entries are the Lagrange basis polynomials
// L_c(point(i)); that is what is computed here, without a matrix inverse.
func parityRows(k, n int) [][]byte {
	if rows, ok := parityRowsByK.Load(k); ok {
		return rows.([][]byte)[:n-k]
	}
	rows := make([][]byte, MaxShares-k)
	for i := range rows {
		rows[i] = lagrangeRow(k, point(k+i))
	}
	parityRowsByK.Store(k, rows)
	return rows[:n-k]
}

// lagrangeRow returns L_c(x) for c in 0..k−1 over the points 0..k−1.
func lagrangeRow(k int, x byte) []byte {
	row := make([]byte, k)
	for c := range row {
		num, den := byte(1), byte(1)
		for m := 0; m < k; m++ {
			if m == c {
				continue
			}
			num = rs.Mul(num, x^point(m))
			den = rs.Mul(den, point(c)^point(m))
		}
		row[c] = rs.Div(num, den)
	}
	return row
}
