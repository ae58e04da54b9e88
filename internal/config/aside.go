package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// backupStamp is the UTC time format of backup names.
const backupStamp = "20060102T150405Z"

// maxBackupTries bounds the numbered names tried when backups made in the
// same second collide.
const maxBackupTries = 100

// Moved records one file moved aside.
type Moved struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// CheckFree returns an error wrapping ErrExists when home already holds a
// config or a state file, naming the first one found.
func CheckFree(home string) error {
	for _, p := range []string{Path(home), StatePath(home)} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%w: %s", ErrExists, p)
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("config: %w", err)
		}
	}
	return nil
}

// MoveAside renames the config and state files of home, where present, to
// backup names <file>.bak-<UTC time>, adding -2, -3 ... when a backup of
// that second exists: a backup is never overwritten. A new identity must
// not inherit the old one's state (its prekey secrets, contacts and inbox
// belong to the old keys), and the old identity stays restorable from the
// backups. It returns what it moved, in order.
func MoveAside(home string, now time.Time) ([]Moved, error) {
	stamp := now.UTC().Format(backupStamp)
	var moved []Moved
	for _, p := range []string{Path(home), StatePath(home)} {
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			continue
		}
		to, err := moveNoClobber(p, p+".bak-"+stamp)
		if err != nil {
			return moved, err
		}
		moved = append(moved, Moved{From: p, To: to})
	}
	if len(moved) > 0 {
		return moved, syncDir(home)
	}
	return moved, nil
}

// moveNoClobber moves from to base, or to base-N for the first N whose
// name is free, with link(2) then unlink so no existing file is replaced.
func moveNoClobber(from, base string) (string, error) {
	for n := 1; n <= maxBackupTries; n++ {
		to := base
		if n > 1 {
			to = base + "-" + strconv.Itoa(n)
		}
		err := os.Link(from, to)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("config: back up %s: %w", filepath.Base(from), err)
		}
		if err := os.Remove(from); err != nil {
			return "", fmt.Errorf("config: move %s aside: %w", filepath.Base(from), err)
		}
		return to, nil
	}
	return "", fmt.Errorf("config: back up %s: %d backups named %s* exist", filepath.Base(from),
		maxBackupTries, filepath.Base(base))
}
