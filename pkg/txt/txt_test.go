package txt

import (
	"strings"
	"testing"
)

func TestSplitJoin(t *testing.T) {
	tests := []struct {
		name string
		len  int
		want []int // lengths of the strings Split returns
	}{
		{"empty", 0, []int{0}},
		{"one byte", 1, []int{1}},
		{"exactly one string", 255, []int{255}},
		{"one over", 256, []int{255, 1}},
		{"two full strings", 510, []int{255, 255}},
		{"manifest of four chunks", 420, []int{255, 165}},
		{"largest manifest", 11132, append(repeat(255, 43), 167)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := value(tt.len)
			got := Split(v)
			if len(got) != len(tt.want) {
				t.Fatalf("Split(%d bytes) gave %d strings, want %d", tt.len, len(got), len(tt.want))
			}
			for i, s := range got {
				if len(s) != tt.want[i] {
					t.Errorf("string %d is %d bytes, want %d", i, len(s), tt.want[i])
				}
			}
			if j := Join(got); j != v {
				t.Errorf("Join(Split(v)) differs from v (%d vs %d bytes)", len(j), len(v))
			}
		})
	}
}

func TestJoinNoSeparator(t *testing.T) {
	if got, want := Join([]string{"ab", "", "c"}), "abc"; got != want {
		t.Errorf("Join = %q, want %q", got, want)
	}
}

// value returns n bytes that differ by position, so a misplaced cut shows.
func value(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte('A' + byte(i%26))
	}
	return b.String()
}

func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}
