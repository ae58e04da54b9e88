package rs

import (
	"errors"
	"fmt"
)

const (
	// Parity is the number of parity bytes appended to a message.
	Parity = 32

	// MaxCodeword is the longest codeword in bytes: 2^8 − 1 symbols.
	MaxCodeword = 255

	// MaxMessage is the longest message Encode takes.
	MaxMessage = MaxCodeword - Parity

	// maxErrors is the number of unknown byte errors Decode corrects.
	maxErrors = Parity / 2
)

var (
	// ErrLength reports a message or codeword outside the code's lengths.
	ErrLength = errors.New("rs: bad length")

	// ErrUncorrectable reports a codeword with more errors than the code
	// corrects.
	ErrUncorrectable = errors.New("rs: too many errors to correct")
)

// generator holds g(x) = ∏_{i=0}^{Parity−1} (x − α^i), highest degree
// first; generator[0] is 1.
var generator = func() []byte {
	g := []byte{1}
	for i := 0; i < Parity; i++ {
		next := make([]byte, len(g)+1)
		root := Pow(i)
		for j, c := range g {
			next[j] ^= c
			next[j+1] ^= Mul(c, root)
		}
		g = next
	}
	return g
}()

// Encode returns msg followed by its Parity parity bytes. msg must be 1 to
// MaxMessage bytes long.
func Encode(msg []byte) ([]byte, error) {
	if len(msg) == 0 || len(msg) > MaxMessage {
		return nil, fmt.Errorf("%w: message is %d bytes, want 1..%d",
			ErrLength, len(msg), MaxMessage)
	}

	// Synthetic division of msg(x)·x^Parity by the monic g(x).
	out := make([]byte, len(msg)+Parity)
	copy(out, msg)
	for i := range msg {
		c := out[i]
		if c == 0 {
			continue
		}
		for j := 1; j < len(generator); j++ {
			out[i+j] ^= Mul(generator[j], c)
		}
	}
	copy(out, msg)
	return out, nil
}

// Decode corrects up to Parity/2 byte errors in code and returns the
// message part (a new slice). code must be Parity+1 to MaxCodeword bytes.
// It fails with ErrUncorrectable when no codeword lies within Parity/2
// errors of code.
func Decode(code []byte) ([]byte, error) {
	if len(code) <= Parity || len(code) > MaxCodeword {
		return nil, fmt.Errorf("%w: codeword is %d bytes, want %d..%d",
			ErrLength, len(code), Parity+1, MaxCodeword)
	}
	fixed := append([]byte(nil), code...)

	synd, clean := syndromes(fixed)
	if clean {
		return fixed[:len(fixed)-Parity], nil
	}

	locator := berlekampMassey(synd)
	nerr := len(locator) - 1
	if nerr > maxErrors {
		return nil, ErrUncorrectable
	}
	positions := chien(locator, len(fixed))
	if len(positions) != nerr {
		return nil, ErrUncorrectable
	}
	if !forney(fixed, synd, locator, positions) {
		return nil, ErrUncorrectable
	}

	if _, clean := syndromes(fixed); !clean {
		return nil, ErrUncorrectable
	}
	return fixed[:len(fixed)-Parity], nil
}

// syndromes returns S_j = r(α^j) for j in 0..Parity−1, lowest first, and
// reports whether all of them are zero.
func syndromes(code []byte) ([]byte, bool) {
	s := make([]byte, Parity)
	clean := true
	for j := range s {
		x := Pow(j)
		var v byte
		for _, c := range code {
			v = Mul(v, x) ^ c
		}
		s[j] = v
		clean = clean && v == 0
	}
	return s, clean
}
