package config

import (
	"fmt"
	"os"
	"path/filepath"
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

// secretPaths lists home, its config and state files and their backups.
func secretPaths(home string) []string {
	paths := []string{home, Path(home), StatePath(home)}
	for _, p := range []string{Path(home), StatePath(home)} {
		// The pattern is fixed and valid, so Glob cannot fail.
		backups, _ := filepath.Glob(escapeGlob(p) + ".bak-*")
		paths = append(paths, backups...)
	}
	return paths
}

// escapeGlob quotes the glob metacharacters of a literal path.
func escapeGlob(p string) string {
	var b []byte
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*', '?', '[', '\\':
			b = append(b, '\\')
		}
		b = append(b, p[i])
	}
	return string(b)
}
