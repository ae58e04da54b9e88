package rs

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dnsmesh/dmp/internal/vectors"
)

// fecVectors holds the per-chunk RS part of testdata/vectors/fec.json,
// produced by the reference's reedsolo.RSCodec(32).
type fecVectors struct {
	RS []struct {
		Data    string `json:"data"`
		Encoded string `json:"encoded"`
	} `json:"rs"`
	RSDecode []struct {
		Received string `json:"received"`
		NErr     int    `json:"nerr"`
		OK       bool   `json:"ok"`
		Decoded  string `json:"decoded"`
		Original string `json:"original"`
	} `json:"rs_decode"`
}

func loadVectors(t testing.TB) fecVectors {
	t.Helper()
	var v fecVectors
	vectors.Load(t, "fec.json", &v)
	return v
}

func TestGenerator(t *testing.T) {
	// message-path.md §7.2 lists g(x), highest degree first.
	want := "01744034ae367e10c2a221219db0c5e10c3b37fde4942fb3b9188afd148e37ac58"
	if got := hex.EncodeToString(generator); got != want {
		t.Fatalf("generator: got %s, want %s", got, want)
	}
}

func TestEncodeKnownAnswers(t *testing.T) {
	seq := make([]byte, 128)
	for i := range seq {
		seq[i] = byte(i)
	}
	cases := []struct {
		name string
		msg  []byte
		want string
	}{
		// Both answers are quoted in message-path.md §7.2.
		{"zeros", make([]byte, 128), hex.EncodeToString(make([]byte, 32))},
		{"sequence", seq, "c1b13256c52283a89aaa18220186766121c15b5a1148ec9c8062880a13ab7f2d"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, err := Encode(c.msg)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(code[len(c.msg):]); got != c.want {
				t.Fatalf("parity: got %s, want %s", got, c.want)
			}
		})
	}
}

func TestEncodeVectors(t *testing.T) {
	v := loadVectors(t)
	if len(v.RS) != 32 {
		t.Fatalf("fec.json: got %d rs cases, want 32", len(v.RS))
	}
	for i, c := range v.RS {
		t.Run(fmt.Sprintf("case%02d_len%d", i, len(c.Data)/2), func(t *testing.T) {
			got, err := Encode(vectors.Unhex(t, c.Data))
			if err != nil {
				t.Fatal(err)
			}
			if want := vectors.Unhex(t, c.Encoded); !bytes.Equal(got, want) {
				t.Fatalf("got %x, want %x", got, want)
			}
		})
	}
}

func TestDecodeVectors(t *testing.T) {
	v := loadVectors(t)
	if len(v.RSDecode) != 300 {
		t.Fatalf("fec.json: got %d rs_decode cases, want 300", len(v.RSDecode))
	}
	for i, c := range v.RSDecode {
		t.Run(fmt.Sprintf("case%03d_nerr%d", i, c.NErr), func(t *testing.T) {
			got, err := Decode(vectors.Unhex(t, c.Received))
			if !c.OK {
				if err == nil {
					t.Fatalf("got success %x, want failure", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want success", err)
			}
			if want := vectors.Unhex(t, c.Decoded); !bytes.Equal(got, want) {
				t.Fatalf("got %x, want %x", got, want)
			}
		})
	}
}

func TestDecodeRandomErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		msg := make([]byte, 1+rng.IntN(MaxMessage))
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		code, err := Encode(msg)
		if err != nil {
			t.Fatal(err)
		}
		nerr := rng.IntN(maxErrors + 1)
		for _, p := range rng.Perm(len(code))[:nerr] {
			code[p] ^= byte(1 + rng.IntN(255))
		}
		got, err := Decode(code)
		if err != nil {
			t.Fatalf("trial %d (%d errors): %v", trial, nerr, err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("trial %d (%d errors): got %x, want %x", trial, nerr, got, msg)
		}
	}
}

func TestLengthLimits(t *testing.T) {
	cases := []struct {
		name   string
		encode int
		decode int
		ok     bool
	}{
		{"shortest", 1, Parity + 1, true},
		{"longest", MaxMessage, MaxCodeword, true},
		{"empty", 0, Parity, false},
		{"too long", MaxMessage + 1, MaxCodeword + 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Encode(make([]byte, c.encode))
			if (err == nil) != c.ok {
				t.Fatalf("Encode(%d bytes): got err %v, want ok=%v", c.encode, err, c.ok)
			}
			_, err = Decode(make([]byte, c.decode))
			if (err == nil) != c.ok {
				t.Fatalf("Decode(%d bytes): got err %v, want ok=%v", c.decode, err, c.ok)
			}
			if err != nil && !errors.Is(err, ErrLength) {
				t.Fatalf("got %v, want ErrLength", err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	v := loadVectors(f)
	for _, c := range v.RSDecode[:40] {
		f.Add(vectors.Unhex(f, c.Received))
	}
	f.Fuzz(func(t *testing.T, code []byte) {
		msg, err := Decode(code)
		if err != nil {
			return
		}
		// Whatever Decode returns must be a codeword within 16 errors.
		again, err := Encode(msg)
		if err != nil {
			t.Fatalf("Encode of decoded message: %v", err)
		}
		diff := 0
		for i := range again {
			if again[i] != code[i] {
				diff++
			}
		}
		if diff > maxErrors {
			t.Fatalf("decoded codeword is %d bytes away, want <= %d", diff, maxErrors)
		}
	})
}
