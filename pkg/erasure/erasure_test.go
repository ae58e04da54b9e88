package erasure

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/vectors"
)

// erasureVectors holds the erasure part of testdata/vectors/fec.json,
// produced by the reference's core/erasure.py on zfec.
type erasureVectors struct {
	Erasure []struct {
		Plaintext    string   `json:"plaintext"`
		K            int      `json:"k"`
		N            int      `json:"n"`
		Shares       []string `json:"shares"`
		DecodeSubset []int    `json:"decode_subset"`
	} `json:"erasure"`
	Limits [][]any `json:"limits"`
}

func loadVectors(t testing.TB) erasureVectors {
	t.Helper()
	var v erasureVectors
	vectors.Load(t, "fec.json", &v)
	return v
}

func TestVectors(t *testing.T) {
	v := loadVectors(t)
	if len(v.Erasure) != 17 {
		t.Fatalf("fec.json: got %d erasure cases, want 17", len(v.Erasure))
	}
	for _, c := range v.Erasure {
		payload := vectors.Unhex(t, c.Plaintext)
		t.Run(fmt.Sprintf("size%d", len(payload)), func(t *testing.T) {
			shares, k, n, err := Encode(payload)
			if err != nil {
				t.Fatal(err)
			}
			if k != c.K || n != c.N {
				t.Fatalf("got k=%d n=%d, want k=%d n=%d", k, n, c.K, c.N)
			}
			for i, want := range c.Shares {
				if got := hex.EncodeToString(shares[i]); got != want {
					t.Fatalf("share %d: got %s, want %s", i, got, want)
				}
			}

			subset := make(map[int][]byte)
			for _, id := range c.DecodeSubset {
				subset[id] = vectors.Unhex(t, c.Shares[id])
			}
			got, err := Decode(subset, k, n)
			if err != nil {
				t.Fatalf("decode from %v: %v", c.DecodeSubset, err)
			}
			if !bytes.Equal(got, payload) {
				t.Fatalf("decode from %v: got %d bytes, want the %d-byte payload",
					c.DecodeSubset, len(got), len(payload))
			}
		})
	}
}

func TestLimits(t *testing.T) {
	v := loadVectors(t)
	for _, l := range v.Limits {
		size := int(l[0].(float64))
		kn := l[2].([]any)
		wantK, wantN := int(kn[0].(float64)), int(kn[1].(float64))
		t.Run(fmt.Sprintf("size%d", size), func(t *testing.T) {
			if k, n := ChooseKN(size); k != wantK || n != wantN {
				t.Fatalf("ChooseKN: got k=%d n=%d, want k=%d n=%d", k, n, wantK, wantN)
			}
			_, _, _, err := Encode(make([]byte, size))
			if ok := l[1] == "ok"; ok != (err == nil) {
				t.Fatalf("Encode: got err %v, want ok=%v", err, ok)
			}
			if err != nil && (!errors.Is(err, ErrTooLarge) ||
				!strings.Contains(err.Error(), "25084")) {
				t.Fatalf("got %q, want ErrTooLarge naming the 25084-byte limit", err)
			}
		})
	}
}

func TestChooseKNTable(t *testing.T) {
	// message-path.md §6.1.
	want := map[int]int{1: 2, 2: 3, 3: 4, 4: 6, 5: 7, 6: 8, 7: 10, 8: 11, 9: 12, 10: 13,
		11: 15, 16: 21, 24: 32, 40: 52, 79: 103, 196: 255}
	for k, n := range want {
		size := k*ShareSize - lenPrefix // the largest payload with this k
		if gotK, gotN := ChooseKN(size); gotK != k || gotN != n {
			t.Errorf("ChooseKN(%d): got k=%d n=%d, want k=%d n=%d", size, gotK, gotN, k, n)
		}
	}
	for k := 1; k <= maxDataShares; k++ {
		if _, n := ChooseKN(k*ShareSize - lenPrefix); n-k != (3*k+9)/10 {
			t.Errorf("k=%d: got parity %d, want %d", k, n-k, (3*k+9)/10)
		}
	}
}

func TestAnySubsetRebuilds(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{0, 500, 3000, MaxPayload} {
		payload := make([]byte, size)
		for i := range payload {
			payload[i] = byte(rng.Uint32())
		}
		shares, k, n, err := Encode(payload)
		if err != nil {
			t.Fatal(err)
		}
		for trial := range 20 {
			subset := make(map[int][]byte)
			for _, id := range rng.Perm(n)[:k+rng.IntN(n-k+1)] {
				subset[id] = shares[id]
			}
			got, err := Decode(subset, k, n)
			if err != nil || !bytes.Equal(got, payload) {
				t.Fatalf("size %d trial %d: got err %v, equal=%v", size, trial, err,
					bytes.Equal(got, payload))
			}
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	shares, k, n, err := Encode(bytes.Repeat([]byte("hello"), 100))
	if err != nil {
		t.Fatal(err)
	}
	full := func() map[int][]byte {
		m := make(map[int][]byte)
		for i, s := range shares {
			m[i] = s
		}
		return m
	}
	badLen := full()
	badLen[0] = badLen[0][:100]
	outside := full()
	outside[n] = shares[0]
	hugePrefix := map[int][]byte{0: bytes.Repeat([]byte{0xff}, ShareSize)}
	for i := 1; i < k; i++ {
		hugePrefix[i] = shares[i]
	}
	cases := []struct {
		name   string
		shares map[int][]byte
		k, n   int
	}{
		{"too few", map[int][]byte{0: shares[0]}, k, n},
		{"short share", badLen, k, n},
		{"index outside n", outside, k, n},
		{"k zero", full(), 0, n},
		{"n below k", full(), k, k - 1},
		{"n over 256", full(), k, 257},
		{"length prefix too big", hugePrefix, k, n},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, err := Decode(c.shares, c.k, c.n); !errors.Is(err, ErrDecode) {
				t.Fatalf("got %x, %v; want ErrDecode", got, err)
			}
		})
	}
}

func TestDecodeDoesNotModifyInput(t *testing.T) {
	shares, k, n, err := Encode(bytes.Repeat([]byte("x"), 1000))
	if err != nil {
		t.Fatal(err)
	}
	subset := make(map[int][]byte)
	for id := n - k; id < n; id++ {
		subset[id] = bytes.Clone(shares[id])
	}
	if _, err := Decode(subset, k, n); err != nil {
		t.Fatal(err)
	}
	for id, s := range subset {
		if !bytes.Equal(s, shares[id]) {
			t.Fatalf("share %d changed by Decode", id)
		}
	}
}

// FuzzDecode plays a hostile sender, who signs whatever k, n and shares it
// likes: raw is cut into 128-byte shares, placed at the indexes in ids,
// and decoded as k of n. Decode must not panic, must fail only with
// ErrDecode, and must return no more than the k data shares carry.
func FuzzDecode(f *testing.F) {
	v := loadVectors(f)
	for _, c := range v.Erasure {
		var raw []byte
		for _, id := range c.DecodeSubset {
			raw = append(raw, vectors.Unhex(f, c.Shares[id])...)
		}
		ids := make([]byte, len(c.DecodeSubset))
		for i, id := range c.DecodeSubset {
			ids[i] = byte(id)
		}
		f.Add(raw, ids, uint16(c.K), uint16(c.N))
	}
	f.Fuzz(func(t *testing.T, raw, ids []byte, k, n uint16) {
		shares := make(map[int][]byte)
		for i, id := range ids {
			if len(raw) < (i+1)*ShareSize {
				break
			}
			shares[int(id)] = raw[i*ShareSize : (i+1)*ShareSize]
		}
		payload, err := Decode(shares, int(k), int(n))
		if err != nil {
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("got %v, want ErrDecode", err)
			}
			return
		}
		if len(payload) > int(k)*ShareSize-lenPrefix {
			t.Fatalf("payload of %d bytes from %d data shares", len(payload), k)
		}
	})
}
