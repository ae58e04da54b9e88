// Package erasure is DMP's cross-chunk erasure code: a payload split into k
// data shares of 128 bytes plus n−k parity shares, any k of which rebuild it
// (message-path.md §6).
//
// The code is zfec's (Rizzo's fec.c): a systematic Reed–Solomon code over
// GF(2^8), polynomial 0x11d, whose parity rows come from a Vandermonde
// matrix over the points 0, α^0, α^1, … (DECISIONS, Reed–Solomon table).
// It runs on github.com/klauspost/reedsolomon with that matrix supplied.
//
// The payload is framed before splitting:
//
//	padded = u32(len(payload)) || payload || 0x00 × (k·128 − 4 − len(payload))
//
// and data share i is padded[128·i : 128·(i+1)].
package erasure

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/klauspost/reedsolomon"
)

const (
	// ShareSize is the size of every share in bytes.
	ShareSize = 128

	// MaxShares is zfec's limit on n.
	MaxShares = 256

	// maxDataShares is the largest k whose n = k + ⌈0.3·k⌉ stays within
	// MaxShares (k = 196 gives n = 255; k = 197 gives 257).
	maxDataShares = 196

	// lenPrefix is the size of the u32 length in front of the payload.
	lenPrefix = 4

	// MaxPayload is the largest payload Encode takes, in bytes.
	MaxPayload = maxDataShares*ShareSize - lenPrefix

	// redundancy is the reference's DEFAULT_REDUNDANCY.
	redundancy = 0.3
)

var (
	// ErrTooLarge reports a payload over MaxPayload bytes.
	ErrTooLarge = errors.New("erasure: payload too large")

	// ErrDecode reports shares that do not rebuild a payload.
	ErrDecode = errors.New("erasure: cannot rebuild payload")
)

// ChooseKN returns the data and total share counts for a payload of size
// bytes: k = ⌈(size+4)/128⌉ (at least 1) and n = k + ⌈0.3·k⌉ (at least
// k+1). The float product mirrors the reference and matches the exact
// integer form for every reachable k.
func ChooseKN(size int) (k, n int) {
	k = max(1, (size+lenPrefix+ShareSize-1)/ShareSize)
	parity := max(1, int(math.Ceil(float64(k)*redundancy)))
	return k, k + parity
}

// Encode splits payload into n shares of ShareSize bytes; shares 0..k−1
// are the framed payload itself. A payload over MaxPayload bytes is
// refused with ErrTooLarge.
func Encode(payload []byte) (shares [][]byte, k, n int, err error) {
	if len(payload) > MaxPayload {
		return nil, 0, 0, fmt.Errorf("%w: %d bytes, the limit is %d bytes (%d shares)",
			ErrTooLarge, len(payload), MaxPayload, MaxShares)
	}
	k, n = ChooseKN(len(payload))

	padded := make([]byte, n*ShareSize)
	binary.BigEndian.PutUint32(padded, uint32(len(payload)))
	copy(padded[lenPrefix:], payload)
	shares = make([][]byte, n)
	for i := range shares {
		shares[i] = padded[i*ShareSize : (i+1)*ShareSize : (i+1)*ShareSize]
	}

	enc, err := newCoder(k, n)
	if err != nil {
		return nil, 0, 0, err
	}
	if err := enc.Encode(shares); err != nil {
		return nil, 0, 0, fmt.Errorf("erasure: encode k=%d n=%d: %w", k, n, err)
	}
	return shares, k, n, nil
}

// Decode rebuilds the payload from shares, keyed by share index, of a
// k-of-n code. Like the reference it uses the k lowest indexes given. It
// fails with ErrDecode on bad parameters, fewer than k shares, a share that
// is not ShareSize bytes or a length prefix beyond the data.
func Decode(shares map[int][]byte, k, n int) ([]byte, error) {
	if k < 1 || n < k || n > MaxShares {
		return nil, fmt.Errorf("%w: bad parameters k=%d n=%d", ErrDecode, k, n)
	}
	ids := make([]int, 0, len(shares))
	for id := range shares {
		if id < 0 || id >= n {
			return nil, fmt.Errorf("%w: share index %d outside 0..%d", ErrDecode, id, n-1)
		}
		ids = append(ids, id)
	}
	if len(ids) < k {
		return nil, fmt.Errorf("%w: %d shares, need %d", ErrDecode, len(ids), k)
	}
	slices.Sort(ids)

	data, err := rebuild(shares, ids[:k], k, n)
	if err != nil {
		return nil, err
	}
	padded := bytes.Join(data, nil)
	size := binary.BigEndian.Uint32(padded)
	if uint64(size) > uint64(len(padded)-lenPrefix) {
		return nil, fmt.Errorf("%w: length prefix %d exceeds %d data bytes",
			ErrDecode, size, len(padded)-lenPrefix)
	}
	return padded[lenPrefix : lenPrefix+int(size)], nil
}

// rebuild returns the k data shares from the shares named by ids.
func rebuild(shares map[int][]byte, ids []int, k, n int) ([][]byte, error) {
	all := make([][]byte, n)
	for _, id := range ids {
		if len(shares[id]) != ShareSize {
			return nil, fmt.Errorf("%w: share %d is %d bytes, want %d",
				ErrDecode, id, len(shares[id]), ShareSize)
		}
		// Copy: the library may write into the slices it is given.
		all[id] = bytes.Clone(shares[id])
	}
	if ids[k-1] == k-1 {
		return all[:k], nil // the k lowest ids are the data shares
	}

	dec, err := newCoder(k, n)
	if err != nil {
		return nil, err
	}
	if err := dec.ReconstructData(all); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	return all[:k], nil
}

// newCoder returns a klauspost coder with zfec's matrix for k of n.
func newCoder(k, n int) (reedsolomon.Encoder, error) {
	coder, err := reedsolomon.New(k, n-k, reedsolomon.WithCustomMatrix(parityRows(k, n)))
	if err != nil {
		return nil, fmt.Errorf("erasure: coder k=%d n=%d: %w", k, n, err)
	}
	return coder, nil
}
