package discovery

import (
	"strings"
	"testing"
)

func TestCheckEndpoint(t *testing.T) {
	tests := []struct {
		ep     string
		reason string // "" means accepted
	}{
		{"https://dmp.example.com", ""},
		{"HTTP://n1.example.com:8053", ""},
		{"https://exa_mple.com.", ""},
		{"https://8.8.8.8:443", ""},
		{"https://[2606:4700::1111]:443", ""},
		{"https://[2001:200::1]", ""},
		{"https://100.128.0.1", ""},
		{"https://192.0.1.1", ""},
		{"https://" + strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." +
			strings.Repeat("c", 63) + "." + strings.Repeat("d", 53), ""},

		{"", "want 1..255"},
		{"https://" + strings.Repeat("a", 248), "want 1..255"},
		{"https://ex ample.com", "byte 0x20"},
		{"https://exämple.com", "not ASCII"},
		{"https://a.com\x7f", "byte 0x7f"},
		{"ftp://example.com", "not an http or https URL"},
		{"https:example.com", "not an http or https URL"},
		{"https://", "no host"},
		{"https://:443", "no host"},
		{"https://example.com/", "path"},
		{"https://example.com?", "query"},
		{"https://example.com#x", "fragment"},
		{"https://user@example.com", "userinfo"},
		{"https://example.com:", "port"},
		{"https://example.com:0", "port"},
		{"https://example.com:65536", "port"},
		{"https://example.com:08053", "port"},
		{"https://example.com:80:80", "port"},
		{"https://[::1", "unclosed"},
		{"https://[2606:4700::1111]x", "after ']'"},
		{"https://[1.2.3.4]", "not an IPv6"},
		{"https://[fe80::1%25eth0]", "not an IPv6"},
		{"https://localhost", "localhost"},
		{"https://LocalHost.", "localhost"},
		{"https://ip6-localhost:80", "localhost"},
		{"https://a.localhost", "localhost"},
		{"https://exa!mple.com", "outside"},
		{"https://2130706433", "numeric"},
		{"https://127.1", "numeric"},
		{"https://0x7f.0.0.1", "numeric"},
		{"https://010.0.0.1", "numeric"},
		{"https://8.8.8.8.", "numeric"},
	}
	for _, tt := range tests {
		t.Run(tt.ep, func(t *testing.T) {
			err := checkEndpoint("heartbeat", tt.ep)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("got %v, want accepted", err)
				}
				return
			}
			wantRefusal(t, err, "heartbeat", tt.reason)
		})
	}
}

// TestForbiddenAddresses checks addresses at the edges of the ranges
// Python's ipaddress calls private, reserved, loopback, link-local,
// multicast or unspecified (values from its 3.13 tables), plus the stricter
// additions, and public neighbours that must pass.
func TestForbiddenAddresses(t *testing.T) {
	refused := []string{
		"0.0.0.0", "0.255.255.255", "10.0.0.1", "100.64.0.0", "100.127.255.255",
		"127.0.0.1", "169.254.1.1", "172.16.0.1", "172.31.255.255", "192.0.0.9",
		"192.0.0.170", "192.0.2.1", "192.168.1.1", "198.18.0.1", "198.19.255.255",
		"198.51.100.7", "203.0.113.5", "224.0.0.1", "239.255.255.255", "240.0.0.1",
		"255.255.255.255",
		"::", "::1", "::ffff:8.8.8.8", "::8.8.8.8", "64:ff9b::808:808", "64:ff9b:1::1",
		"100::1", "2001::1", "2001:1::1", "2001:3::1", "2001:1ff::1", "2001:db8::1",
		"2002::1", "3fff::1", "3fff:fff::1", "4000::1", "fc00::1", "fdff::1", "fe80::1",
		"fec0::1", "ff02::1", "fe00::1", "1000::1",
	}
	allowed := []string{
		"1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255",
		"100.128.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.1", "192.169.0.0",
		"198.17.255.255", "198.20.0.0", "223.255.255.255",
		"2001:200::1", "2001:4860:4860::8888", "2606:4700::1111", "2a00:1450::1",
		"3fff:1000::1", "3ffe::1",
	}
	for _, a := range refused {
		host := a
		if strings.Contains(a, ":") {
			host = "[" + a + "]"
		}
		if err := checkEndpoint("heartbeat", "https://"+host); err == nil {
			t.Errorf("%s: got accepted, want refused", a)
		}
	}
	for _, a := range allowed {
		host := a
		if strings.Contains(a, ":") {
			host = "[" + a + "]"
		}
		if err := checkEndpoint("heartbeat", "https://"+host); err != nil {
			t.Errorf("%s: got %v, want accepted", a, err)
		}
	}
}
