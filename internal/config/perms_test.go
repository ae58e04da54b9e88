package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPerms(t *testing.T) {
	tests := []struct {
		name          string
		dir, file     os.FileMode
		wantWarnings  int
		wantMentioned string
	}{
		{"private", 0o700, 0o600, 0, ""},
		{"folder world-readable", 0o755, 0o600, 1, "0755"},
		{"file group-writable", 0o700, 0o620, 1, "config.yaml"},
		{"both open", 0o777, 0o644, 2, "chmod 0600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			if err := os.Mkdir(home, tt.dir); err != nil {
				t.Fatal(err)
			}
			os.Chmod(home, tt.dir) // past the umask
			if err := os.WriteFile(Path(home), []byte("x"), tt.file); err != nil {
				t.Fatal(err)
			}
			os.Chmod(Path(home), tt.file)
			got := CheckPerms(home)
			if len(got) != tt.wantWarnings ||
				(tt.wantMentioned != "" && !strings.Contains(strings.Join(got, "\n"),
					tt.wantMentioned)) {
				t.Fatalf("got %q, want %d warning(s) mentioning %q", got, tt.wantWarnings,
					tt.wantMentioned)
			}
		})
	}
}
