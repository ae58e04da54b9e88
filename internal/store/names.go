package store

import (
	"fmt"
	"strings"
)

// Ancestors returns the names strictly between owner and zone, nearest
// first: for "slot-0.mb-1.example.org." in "example.org." it is
// ["mb-1.example.org."]. Both names are fully qualified presentation
// forms; an escaped dot ("\.") does not end a label. It returns nil when
// owner is the zone itself or is not inside zone, so callers can tell the
// two apart with InZone.
func Ancestors(zone, owner string) []string {
	var out []string
	for parent, ok := parentOf(owner); ok; parent, ok = parentOf(parent) {
		if parent == zone {
			return out
		}
		out = append(out, parent)
	}
	return nil
}

// InZone reports whether owner is zone or a name below it.
func InZone(zone, owner string) bool {
	if owner == zone {
		return true
	}
	for parent, ok := parentOf(owner); ok; parent, ok = parentOf(parent) {
		if parent == zone {
			return true
		}
	}
	return false
}

// parentOf strips the first label of name; the parent of a one-label
// name is the root ".", which has no parent.
func parentOf(name string) (string, bool) {
	if name == "." || name == "" {
		return "", false
	}
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '\\':
			i++ // the escaped byte, or the first digit of \DDD
			if i < len(name) && name[i] >= '0' && name[i] <= '9' {
				i += 2
			}
		case '.':
			if i+1 == len(name) {
				return ".", true
			}
			return name[i+1:], true
		}
	}
	return "", false
}

// Validate reports an update that no store can apply: an owner outside
// u.Zone, an unknown prerequisite kind or change op, or a zone containing
// '{' or '}' (it would break the Redis hash tag, DECISIONS N13). The
// error wraps none of the contract's sentinel errors.
func (u *Update) Validate() error {
	if u.Zone == "" || strings.ContainsAny(u.Zone, "{}") {
		return fmt.Errorf("store: invalid zone %q", u.Zone)
	}
	for i, p := range u.Prereqs {
		if p.Kind < RRsetExists || p.Kind > NameNotInUse {
			return fmt.Errorf("store: prerequisite %d: unknown kind %d", i, p.Kind)
		}
		if !InZone(u.Zone, p.Owner) {
			return fmt.Errorf("store: prerequisite %d: %q is outside zone %q", i, p.Owner, u.Zone)
		}
	}
	for i, c := range u.Changes {
		if c.Op < OpAdd || c.Op > OpDeleteRRset {
			return fmt.Errorf("store: change %d: unknown op %d", i, c.Op)
		}
		if !InZone(u.Zone, c.Owner) {
			return fmt.Errorf("store: change %d: %q is outside zone %q", i, c.Owner, u.Zone)
		}
	}
	return nil
}
