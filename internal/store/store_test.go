package store

import (
	"strings"
	"testing"
)

func TestRRBytes(t *testing.T) {
	cases := []struct {
		n, want int // value length, wire size worked out by hand
	}{
		{0, 0 + 1 + 12}, // one empty character-string
		{1, 1 + 1 + 12},
		{255, 255 + 1 + 12},
		{256, 256 + 2 + 12},
		{510, 510 + 2 + 12},
		{511, 511 + 3 + 12},
		{2048, 2048 + 9 + 12},
	}
	for _, c := range cases {
		if got := RRBytes(strings.Repeat("x", c.n)); got != c.want {
			t.Errorf("RRBytes(%d bytes): got %d, want %d", c.n, got, c.want)
		}
	}
}
