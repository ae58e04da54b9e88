package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCheckPermsSecretFiles: state.db (prekey secrets, inbox) and the
// backups init --force leaves are warned about like config.yaml; private
// ones, and files that are not there, are not. The folder's name holds
// glob metacharacters, which must not hide its backups.
func TestCheckPermsSecretFiles(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home [1]*?")
	if err := EnsureDir(home); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{Path(home), StatePath(home)} {
		if err := os.WriteFile(p, []byte("x"), SecretMode); err != nil {
			t.Fatal(err)
		}
	}
	if got := CheckPerms(home); len(got) != 0 {
		t.Fatalf("private home: got %q, want no warning", got)
	}

	os.Chmod(StatePath(home), 0o644)
	got := CheckPerms(home)
	want := "state.db is open to group or others (mode 0644); run: chmod 0600 " +
		StatePath(home)
	if len(got) != 1 || !strings.HasSuffix(got[0], want) {
		t.Fatalf("state.db 0644: got %q, want one warning ending %q", got, want)
	}

	moved, err := MoveAside(home, time.Unix(1_700_000_000, 0))
	if err != nil || len(moved) != 2 {
		t.Fatalf("MoveAside: %v, %v", moved, err)
	}
	os.Chmod(moved[0].To, 0o640)
	got = CheckPerms(home)
	slices.Sort(got)
	if len(got) != 2 || !strings.Contains(got[0], moved[0].To+" is open") ||
		!strings.Contains(got[1], moved[1].To+" is open") {
		t.Fatalf("open backups: got %q, want a warning for each of %+v", got, moved)
	}
}
