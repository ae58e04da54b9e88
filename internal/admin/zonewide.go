package admin

import (
	"fmt"
	"strings"

	"github.com/dnsmesh/dmp/internal/scope"
)

// zoneProbe is a label no scope pattern can spell (scope.Check allows
// letters, digits, '-', '_' and '*'): only a label of '*' alone matches it,
// so a pattern that covers probe.<zone> covers every name one level below.
const zoneProbe = "#"

// zoneCover says how a scope pattern covers a served zone, "" if it does
// not: "the apex of" (a literal apex or parent covers the whole tree) or
// "every name below".
func zoneCover(pattern, zone string) string {
	if scope.Match(pattern, zone) {
		return "the apex of"
	}
	if scope.Match(pattern, zoneProbe+"."+zone) {
		return "every name below"
	}
	return ""
}

// zoneWide returns one line for each pattern that covers the apex of a
// served zone or every name below it: such a key can write (and, with a
// literal pattern, delete) everyone's records there.
func zoneWide(patterns, zones []string) []string {
	var out []string
	for _, p := range patterns {
		for _, z := range zones {
			if how := zoneCover(p, z); how != "" {
				out = append(out, fmt.Sprintf("scope %q covers %s served zone %s",
					p, how, strings.TrimSuffix(z, ".")))
			}
		}
	}
	return out
}

// zoneWideError refuses a zone-wide scope sent without force (HTTP 409
// with CodeZoneWide, which tells the client that force would accept it).
type zoneWideError struct{ lines []string }

func (e *zoneWideError) Error() string {
	return strings.Join(e.lines, "; ") +
		": the key could overwrite and delete everyone's records"
}
