package scope

import "testing"

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, owner string
		want           bool
	}{
		{"id-0123456789abcdef.mesh.example", "id-0123456789abcdef.mesh.example.", true},
		{"id-0123456789abcdef.mesh.example", "prekeys.ID-0123456789ABCDEF.mesh.example", true},
		{"id-0123456789abcdef.mesh.example", "xid-0123456789abcdef.mesh.example", false},
		{"mesh.example", "other.example", false},
		{"slot-*.mb-*.mesh.example", "slot-3.mb-0123456789ab.mesh.example.", true},
		{"slot-*.mb-*.mesh.example", "slot-.mb-.mesh.example", true},
		{"slot-*.mb-*.mesh.example", "x.slot-3.mb-0123456789ab.mesh.example", true},
		{"slot-*.mb-*.mesh.example", "slot-3.mb-0123456789ab.other.example", false},
		{"slot-*.mb-*.mesh.example", "mb-0123456789ab.mesh.example", false},
		{"slot-*.mb-*.mesh.example", "slot-3.x.mb-0123456789ab.mesh.example", false},
		{"chunk-*-*.mesh.example", "chunk-0001-0123456789ab.mesh.example", true},
		{"chunk-*-*.mesh.example", "chunk-0001.mesh.example", false},
		{"a*b*c.z", "abc.z", true},
		{"a*b*c.z", "axxbyyc.z", true},
		{"a*b*c.z", "axxbyy.z", false},
		{"*.z", "q.z", true},
		{"", "z", false},
	}
	for _, c := range cases {
		t.Run(c.pattern+"/"+c.owner, func(t *testing.T) {
			if got := Match(c.pattern, c.owner); got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestCovers(t *testing.T) {
	patterns := []string{"id-0123456789abcdef.mesh.example", "slot-*.mb-*.mesh.example"}
	cases := []struct {
		name  string
		owner string
		op    Op
		want  bool
	}{
		{"literal add", "id-0123456789abcdef.mesh.example", Add, true},
		{"literal delete", "prekeys.id-0123456789abcdef.mesh.example", Delete, true},
		{"wildcard add", "slot-1.mb-0123456789ab.mesh.example", Add, true},
		{"wildcard delete", "slot-1.mb-0123456789ab.mesh.example", Delete, false},
		{"escape", "id-ffffffffffffffff.mesh.example", Add, false},
		{"apex", "mesh.example", Add, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Covers(patterns, c.owner, c.op); got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"Slot-*.MB-*.mesh.example.", "slot-*.mb-*.mesh.example", true},
		{"_dnsmesh-claim-*.mesh.example", "_dnsmesh-claim-*.mesh.example", true},
		{"a..b", "", false},
		{"a b.c", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := Check(c.in)
			if (err == nil) != c.ok || got != c.want {
				t.Fatalf("got %q, %v; want %q ok=%v", got, err, c.want, c.ok)
			}
		})
	}
}
