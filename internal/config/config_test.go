package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestHome(t *testing.T) {
	t.Setenv(EnvHome, "/env/home")
	tests := []struct {
		name, flag, want string
	}{
		{"flag wins", "/flag/home", "/flag/home"},
		{"env next", "", "/env/home"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Home(tt.flag)
			if err != nil || got != tt.want {
				t.Fatalf("Home(%q) got %q, %v, want %q", tt.flag, got, err, tt.want)
			}
		})
	}
	t.Setenv(EnvHome, "")
	t.Setenv("HOME", "/h")
	if got, _ := Home(""); got != "/h/.dmp" {
		t.Fatalf("default got %q, want /h/.dmp", got)
	}
}

func TestCreateLoad(t *testing.T) {
	home := filepath.Join(t.TempDir(), "dmp")
	c := &Config{Username: "alice", Domain: "mesh.example", KDFSalt: "00"}
	if err := Create(home, c, false); err != nil {
		t.Fatal(err)
	}
	if err := Create(home, c, false); !errors.Is(err, ErrExists) {
		t.Fatalf("second create got %v, want ErrExists", err)
	}
	for path, want := range map[string]os.FileMode{home: DirMode, Path(home): SecretMode} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode got %04o, want %04o", path, fi.Mode().Perm(), want)
		}
	}
	got, err := Load(home)
	if err != nil {
		t.Fatal(err)
	}
	if got.Address() != "alice@mesh.example" {
		t.Fatalf("address got %q, want alice@mesh.example", got.Address())
	}
	if _, err := Load(t.TempDir()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing config got %v, want ErrNotFound", err)
	}
}

func TestPassphraseSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pass")
	os.WriteFile(file, []byte("from file\n"), 0o644)
	c := &Config{PassphraseFile: file}

	t.Setenv(EnvPassphrase, "from env")
	if got, _ := Passphrase(c, nil); got != "from env" {
		t.Fatalf("got %q, want the environment first", got)
	}

	t.Setenv(EnvPassphrase, "")
	var warned string
	got, err := Passphrase(c, func(s string) { warned = s })
	if err != nil || got != "from file" {
		t.Fatalf("got %q, %v, want %q", got, err, "from file")
	}
	if warned == "" {
		t.Fatal("no warning for a world-readable passphrase file")
	}
}
