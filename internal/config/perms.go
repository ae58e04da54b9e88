package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CheckPerms returns a warning for each secret-bearing path of home that
// group or others may read or write: the folder itself; config.yaml,
// which names the passphrase file and holds the TSIG secret (a writable
// one lets another user point the client at a node of their choice);
// state.db, which holds the prekey secrets and the delivered messages;
// and the backups of both that init --force leaves (MoveAside). Missing
// files are not reported here.
func CheckPerms(home string) []string {
	var out []string
	for _, p := range secretPaths(home) {
		want := SecretMode
		if p == home {
			want = DirMode
		}
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		if mode := fi.Mode().Perm(); mode&0o077 != 0 {
			out = append(out, fmt.Sprintf("%s is open to group or others (mode %04o); "+
				"run: chmod %04o %s", p, mode, want, p))
		}
	}
	return out
}

// secretPaths lists home, its config and state files and their backups,
// which MoveAside leaves beside them in home.
func secretPaths(home string) []string {
	paths := []string{home, Path(home), StatePath(home)}
	entries, _ := os.ReadDir(home) // an unreadable home has no backups to report
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, FileName+".bak-") || strings.HasPrefix(n, StateName+".bak-") {
			paths = append(paths, filepath.Join(home, n))
		}
	}
	return paths
}
