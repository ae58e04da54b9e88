package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestCreateRace runs many Creates without force on one home at once:
// exactly one may win, every other must get ErrExists, and the file must
// hold the winner's config whole.
func TestCreateRace(t *testing.T) {
	for round := range 20 {
		home := filepath.Join(t.TempDir(), "dmp")
		const racers = 8
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &Config{Username: fmt.Sprintf("user%d", i), Domain: "mesh.example",
					KDFSalt: "00"}
				errs[i] = Create(home, c, false)
			}()
		}
		wg.Wait()

		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: racers %d and %d both created the config", round, winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, ErrExists):
				t.Fatalf("round %d: racer %d got %v, want nil or ErrExists", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no racer created the config", round)
		}
		c, err := Load(home)
		if err != nil || c.Username != fmt.Sprintf("user%d", winner) {
			t.Fatalf("round %d: config holds %+v, %v, want user%d", round, c, err, winner)
		}
		if left, _ := filepath.Glob(filepath.Join(home, "*.tmp*")); len(left) > 0 {
			t.Fatalf("round %d: temporary files left: %v", round, left)
		}
	}
}

// TestCreateForceReplaces checks that force still replaces a config.
func TestCreateForceReplaces(t *testing.T) {
	home := filepath.Join(t.TempDir(), "dmp")
	for _, user := range []string{"alice", "bob"} {
		if err := Create(home, &Config{Username: user, Domain: "d.example", KDFSalt: "00"},
			true); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(home)
	if err != nil || c.Username != "bob" {
		t.Fatalf("got %+v, %v, want bob's config", c, err)
	}
	fi, err := os.Stat(Path(home))
	if err != nil || fi.Mode().Perm() != SecretMode {
		t.Fatalf("config mode got %v, %v, want %v", fi.Mode().Perm(), err, SecretMode)
	}
}
