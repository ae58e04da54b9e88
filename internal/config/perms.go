package config

import (
	"fmt"
	"os"
)

// CheckPerms returns a warning for the config folder and for config.yaml
// when group or others may read or write them: the config names the
// passphrase file and the TSIG secret, and a writable one lets another
// user point the client at a node of their choice. Missing files are not
// reported here.
func CheckPerms(home string) []string {
	var out []string
	for _, p := range []struct {
		path string
		want os.FileMode
	}{{home, DirMode}, {Path(home), SecretMode}} {
		fi, err := os.Stat(p.path)
		if err != nil {
			continue
		}
		if mode := fi.Mode().Perm(); mode&0o077 != 0 {
			out = append(out, fmt.Sprintf("%s is open to group or others (mode %04o); "+
				"run: chmod %04o %s", p.path, mode, p.want, p.path))
		}
	}
	return out
}
