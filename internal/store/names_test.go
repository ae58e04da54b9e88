package store

import (
	"slices"
	"testing"
)

func TestAncestors(t *testing.T) {
	tests := []struct {
		name, zone, owner string
		want              []string
		in                bool
	}{
		{"apex", "example.org.", "example.org.", nil, true},
		{"child", "example.org.", "mb-1.example.org.", nil, true},
		{"grandchild", "example.org.", "slot-0.mb-1.example.org.",
			[]string{"mb-1.example.org."}, true},
		{"deep", "example.org.", "a.b.c.example.org.",
			[]string{"b.c.example.org.", "c.example.org."}, true},
		{"outside", "example.org.", "a.example.com.", nil, false},
		{"suffix only", "example.org.", "a.bexample.org.", nil, false},
		{"escaped dot", "example.org.", `a\.example.org.`, nil, false},
		{"escaped dot inside", "example.org.", `x.a\.b.example.org.`,
			[]string{`a\.b.example.org.`}, true},
		{"decimal escape", "example.org.", `x.a\046b.example.org.`,
			[]string{`a\046b.example.org.`}, true},
		{"root zone", ".", "a.b.", []string{"b."}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Ancestors(tt.zone, tt.owner); !slices.Equal(got, tt.want) {
				t.Errorf("Ancestors: got %q, want %q", got, tt.want)
			}
			if got := InZone(tt.zone, tt.owner); got != tt.in {
				t.Errorf("InZone: got %v, want %v", got, tt.in)
			}
		})
	}
}
