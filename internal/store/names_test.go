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

func TestValidate(t *testing.T) {
	in := "a.example.org."
	tests := []struct {
		name string
		u    Update
		ok   bool
	}{
		{"fine", Update{Zone: "example.org.",
			Prereqs: []Prereq{{Kind: NameInUse, Owner: in}},
			Changes: []Change{{Op: OpDeleteRRset, Owner: "example.org."}}}, true},
		{"no zone", Update{}, false},
		{"brace in zone", Update{Zone: "a{b}.org."}, false},
		{"prereq outside", Update{Zone: "example.org.",
			Prereqs: []Prereq{{Kind: NameInUse, Owner: "a.example.net."}}}, false},
		{"unknown kind", Update{Zone: "example.org.",
			Prereqs: []Prereq{{Kind: NameNotInUse + 1, Owner: in}}}, false},
		{"change outside", Update{Zone: "example.org.",
			Changes: []Change{{Op: OpAdd, Owner: "example.net."}}}, false},
		{"unknown op", Update{Zone: "example.org.",
			Changes: []Change{{Op: OpDeleteRRset + 1, Owner: in}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.u.Validate()
			if (err == nil) != tt.ok {
				t.Errorf("got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
