package dmp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coredns/caddy"
)

// writeCA writes a self-signed CA certificate as PEM into a temporary
// file and returns its path and certificate.
func writeCA(t *testing.T) (string, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1),
		Subject:   pkix.Name{CommonName: "backend test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, cert
}

func TestRedisTLSCA(t *testing.T) {
	caFile, ca := writeCA(t)
	input := fmt.Sprintf("redis rediss://:pw@r.example.net:6380 {\n tls_ca %s\n}\nttl 30",
		caFile)
	c := caddy.NewTestController("dns", input)
	c.Next()
	opts, mode, err := redisConfig(c)
	if err != nil {
		t.Fatalf("redisConfig: %v", err)
	}
	want := x509.NewCertPool()
	want.AddCert(ca)
	if mode != "standalone" || opts.TLSConfig == nil || !opts.TLSConfig.RootCAs.Equal(want) {
		t.Fatalf("got mode %s TLS %+v, want standalone trusting only the CA", mode,
			opts.TLSConfig)
	}
	if opts.TLSConfig.ServerName != "r.example.net" || opts.Password != "pw" {
		t.Errorf("got server name %q password %q, want r.example.net and pw",
			opts.TLSConfig.ServerName, opts.Password)
	}
	if !c.Next() || c.Val() != "ttl" {
		t.Errorf("after the block: got token %q, want ttl", c.Val())
	}
}

func TestRedisBlockErrors(t *testing.T) {
	caFile, _ := writeCA(t)
	notPEM := filepath.Join(t.TempDir(), "x.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, block, want string }{
		{"plain URL", "redis redis://h:6379 {\n tls_ca " + caFile + "\n}", "rediss://"},
		{"missing file", "redis rediss://h:6379 {\n tls_ca /nonexistent/ca.pem\n}",
			"no such file"},
		{"not PEM", "redis rediss://h:6379 {\n tls_ca " + notPEM + "\n}", "no PEM"},
		{"no argument", "redis rediss://h:6379 {\n tls_ca\n}", "Wrong argument count"},
		{"unknown option", "redis rediss://h:6379 {\n tls_cert x\n}", `unknown option`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			input := "dmp example.org {\n" + tc.block + "\n}"
			_, err := parse(caddy.NewTestController("dns", input))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestRedisProblem(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"wrong password", errors.New("WRONGPASS invalid username-password pair"),
			"authentication failed"},
		{"no password", errors.New("NOAUTH Authentication required."),
			"authentication failed"},
		{"unknown CA", fmt.Errorf("dial: %w", x509.UnknownAuthorityError{}),
			"name its CA with tls_ca"},
		{"refused", errors.New("dial tcp 127.0.0.1:1: connect: connection refused"),
			"not reachable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := redisProblem(tc.err); !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want it to contain %q", got, tc.want)
			}
		})
	}
}
