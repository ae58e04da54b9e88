package names

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckDNSName(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		name  string
		in    string
		max   int
		want  string
		valid bool
	}{
		{"simple", "example.com", 0, "example.com", true},
		{"one trailing dot stripped", "example.com.", 0, "example.com", true},
		{"upper case kept", "Mesh.Example", 0, "Mesh.Example", true},
		{"single label", "localhost", 0, "localhost", true},
		{"digits and hyphen", "a-1.b2", 0, "a-1.b2", true},
		{"63-byte label", long63 + ".x", 0, long63 + ".x", true},
		{"64-byte label", long63 + "a.x", 0, "", false},
		{"empty", "", 0, "", false},
		{"only dot", ".", 0, "", false},
		{"double trailing dot", "example.com..", 0, "", false},
		{"empty inner label", "a..b", 0, "", false},
		{"leading dot", ".a.b", 0, "", false},
		{"underscore", "_dmp.example.com", 0, "", false},
		{"leading hyphen", "-a.example", 0, "", false},
		{"trailing hyphen", "a-.example", 0, "", false},
		{"space", "a b.example", 0, "", false},
		{"non-ascii", "bücher.example", 0, "", false},
		{"at cap", strings.Repeat("a.", 31) + "ab", 64, strings.Repeat("a.", 31) + "ab", true},
		{"at cap with dot", strings.Repeat("a.", 31) + "ab.", 64, strings.Repeat("a.", 31) + "ab", true},
		{"over cap", strings.Repeat("a.", 32) + "a", 64, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckDNSName(tt.in, tt.max)
			if tt.valid != (err == nil) {
				t.Fatalf("CheckDNSName(%q, %d) error = %v, want valid=%v", tt.in, tt.max, err, tt.valid)
			}
			if err != nil && !errors.Is(err, ErrName) {
				t.Fatalf("error %v does not wrap ErrName", err)
			}
			if got != tt.want {
				t.Fatalf("CheckDNSName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSameDNSName(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Example.COM.", "example.com", true},
		{"example.com", "example.com.", true},
		{"example.com", "example.org", false},
		{"example.com..", "example.com", false},
	}
	for _, tt := range tests {
		if got := SameDNSName(tt.a, tt.b); got != tt.want {
			t.Errorf("SameDNSName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
