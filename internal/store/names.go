package store

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
