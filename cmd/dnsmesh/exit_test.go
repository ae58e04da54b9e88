package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/config"
)

// TestExitCodes checks the documented exit codes.
func TestExitCodes(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	t.Setenv("DMP_CONFIG_HOME", home)
	t.Setenv("DMP_PASSPHRASE", "pw")
	if code := run([]string{"init", "amy", "--domain", "mesh.example"}, nil,
		&bytes.Buffer{}, &bytes.Buffer{}); code != exitOK {
		t.Fatalf("init got exit %d, want 0", code)
	}
	withContactAndKey(t, home)
	tests := []struct {
		name string
		pass string
		args []string
		want int
	}{
		{"ok", "pw", []string{"contacts", "list"}, exitOK},
		{"no arguments", "pw", nil, exitUsage},
		{"bad flag", "pw", []string{"inbox", "--bogus"}, exitUsage},
		{"extra argument", "pw", []string{"inbox", "x"}, exitUsage},
		{"missing config", "pw", []string{"--config-home", t.TempDir(), "inbox"}, exitError},
		{"unknown contact", "pw", []string{"send", "zed@mesh.example", "hi"}, exitError},
		{"wrong passphrase", "nope", []string{"send", "zed@mesh.example", "hi"},
			exitBadPassphrase},
		{"unreachable node", "pw", []string{"--dns-server", "127.0.0.1:1", "identity",
			"fetch", "zed@mesh.example"}, exitNetwork},
		{"recv, node down", "pw", []string{"--dns-server", "127.0.0.1:1", "recv"},
			exitNetwork},
		{"send, node down", "pw", []string{"--dns-server", "127.0.0.1:1", "send",
			"dave@mesh.example", "hi"}, exitNetwork},
		{"server without port", "pw", []string{"--dns-server", "nonsense", "recv"},
			exitUsage},
		{"send, ttl 0", "pw", []string{"send", "dave@mesh.example", "hi", "--ttl", "0"},
			exitUsage},
		{"send, negative ttl", "pw", []string{"send", "dave@mesh.example", "hi", "--ttl",
			"-5m"}, exitUsage},
		{"send, ttl too long", "pw", []string{"send", "dave@mesh.example", "hi", "--ttl",
			"200h"}, exitUsage},
		{"send, fractional ttl", "pw", []string{"send", "dave@mesh.example", "hi", "--ttl",
			"1500ms"}, exitUsage},
		{"send, ttl not a duration", "pw", []string{"send", "dave@mesh.example", "hi",
			"--ttl", "banana"}, exitUsage},
		{"send, message too large", "pw", []string{"--dns-server", "127.0.0.1:1", "send",
			"dave@mesh.example", strings.Repeat("x", 30000)}, exitUsage},
		{"doctor, wrong passphrase", "nope", []string{"doctor"}, exitBadPassphrase},
		{"doctor, node down", "pw", []string{"--dns-server", "127.0.0.1:1", "doctor"},
			exitNetwork},
		{"watch interval 0", "pw", []string{"recv", "--watch", "--interval", "0"}, exitUsage},
		{"watch interval negative", "pw", []string{"recv", "--watch", "--interval", "-1s"},
			exitUsage},
		{"watch interval under 1s", "pw", []string{"recv", "--watch", "--interval", "999ms"},
			exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DMP_PASSPHRASE", tt.pass)
			var stderr bytes.Buffer
			got := run(tt.args, strings.NewReader(""), &bytes.Buffer{}, &stderr)
			if got != tt.want {
				t.Fatalf("dnsmesh %v got exit %d, want %d; stderr:\n%s", tt.args, got,
					tt.want, &stderr)
			}
			if got != exitOK && !strings.HasPrefix(stderr.String(), "dnsmesh: ") &&
				!strings.HasPrefix(stderr.String(), "Usage:") {
				t.Fatalf("stderr does not start with the program name:\n%s", &stderr)
			}
		})
	}
}

// withContactAndKey pins a contact and stores a TSIG key in home, so send
// gets as far as the network.
func withContactAndKey(t *testing.T, home string) {
	t.Helper()
	var stderr bytes.Buffer
	if code := run([]string{"contacts", "add", "dave@mesh.example", strings.Repeat("09", 32)},
		nil, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Fatalf("contacts add got exit %d: %s", code, &stderr)
	}
	cfg, err := config.Load(home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.TSIG = &config.TSIG{KeyName: "k.mesh.example", SecretHex: "00", Zone: "mesh.example"}
	if err := config.Save(home, cfg); err != nil {
		t.Fatal(err)
	}
}
