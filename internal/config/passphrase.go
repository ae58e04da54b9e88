package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"
)

// EnvPassphrase names the environment variable read first for the
// passphrase.
const EnvPassphrase = "DMP_PASSPHRASE"

// ErrNoPassphrase is returned when no source gives a passphrase.
var ErrNoPassphrase = errors.New("config: no passphrase")

// Passphrase returns the passphrase from $DMP_PASSPHRASE, else from the
// config's passphrase file, else from a prompt on the terminal
// (records-server-cli.md §C.4). Passphrases never come from flags. A
// passphrase file readable by group or other is used, and warn receives a
// warning about it.
func Passphrase(c *Config, warn func(string)) (string, error) {
	if p, ok := os.LookupEnv(EnvPassphrase); ok && p != "" {
		return p, nil
	}
	if c != nil && c.PassphraseFile != "" {
		return readPassphraseFile(c.PassphraseFile, warn)
	}
	return promptPassphrase("passphrase: ")
}

// readPassphraseFile reads path, expanding a leading ~/, and trims the
// trailing line end.
func readPassphraseFile(path string, warn func(string)) (string, error) {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if h, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(h, rest)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("config: passphrase file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 && warn != nil {
		warn(fmt.Sprintf("passphrase file %s is readable by others (mode %04o)",
			path, fi.Mode().Perm()))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("config: passphrase file: %w", err)
	}
	p := strings.TrimRight(string(b), "\r\n")
	if p == "" {
		return "", fmt.Errorf("%w: passphrase file %s is empty", ErrNoPassphrase, path)
	}
	return p, nil
}

// promptPassphrase reads a passphrase from the controlling terminal with
// echo off.
func promptPassphrase(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("%w: set %s or passphrase_file, or run on a terminal",
			ErrNoPassphrase, EnvPassphrase)
	}
	defer tty.Close()
	fmt.Fprint(tty, prompt)
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", fmt.Errorf("config: read passphrase: %w", err)
	}
	if len(b) == 0 {
		return "", fmt.Errorf("%w: empty passphrase", ErrNoPassphrase)
	}
	return string(b), nil
}

// PromptNew asks twice on the terminal for a new passphrase and checks
// both entries match.
func PromptNew() (string, error) {
	if p, ok := os.LookupEnv(EnvPassphrase); ok && p != "" {
		return p, nil
	}
	a, err := promptPassphrase("new passphrase: ")
	if err != nil {
		return "", err
	}
	b, err := promptPassphrase("repeat passphrase: ")
	if err != nil {
		return "", err
	}
	if a != b {
		return "", errors.New("config: the two passphrases differ")
	}
	return a, nil
}
