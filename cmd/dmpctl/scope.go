package main

import (
	"fmt"
	"io"
	"strings"
)

// ownerPrefixes are the first-label prefixes of the owner names DMP
// records live at (pkg/names). A scope pattern whose first label starts
// with none of them reaches names outside those shapes: in practice a
// whole zone.
var ownerPrefixes = []string{"slot-", "claim-", "chunk-", "mb-", "id-", "_dnsmesh-"}

// zoneWide reports whether scope pattern p covers every name of a zone:
// "*", ".", a first label that is only "*" (any name under the rest), or
// a first label that is not a DMP owner label.
func zoneWide(p string) bool {
	p = strings.ToLower(strings.TrimSuffix(p, "."))
	first, _, _ := strings.Cut(p, ".")
	if first == "" || first == "*" || strings.Trim(first, "*-") == "" {
		return true
	}
	for _, pre := range ownerPrefixes {
		if strings.HasPrefix(first, pre) {
			return false
		}
	}
	return true
}

// checkScopes refuses zone-wide scope patterns unless force is set, and
// warns on w when it is.
func checkScopes(w io.Writer, scopes []string, force bool) error {
	for _, p := range scopes {
		if !zoneWide(p) {
			continue
		}
		if !force {
			return usageError{fmt.Errorf("scope %q covers a whole zone: the key could "+
				"overwrite and delete everyone's records; pass --force if that is meant", p)}
		}
		fmt.Fprintf(w, "dmpctl: warning: scope %q covers a whole zone: this key can "+
			"overwrite and delete everyone's records\n", p)
	}
	return nil
}
