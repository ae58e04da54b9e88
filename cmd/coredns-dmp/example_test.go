package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/nodetest"
	"github.com/dnsmesh/dmp/internal/proctest"
)

// TestCorefileExample starts the Corefile.example shipped at the top of
// the repository, its fixed ports swapped for free ones, and checks what
// its comments promise: the SOA answers, /ready says 200, the embedded
// store file appears next to the Corefile and metrics are served.
func TestCorefileExample(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "..", "Corefile.example"))
	if err != nil {
		t.Fatal(err)
	}
	metricsPort, err := proctest.FreePort(nil)
	if err != nil {
		t.Fatal(err)
	}
	metrics := "127.0.0.1:" + strconv.Itoa(metricsPort)
	cf := swapPorts(t, string(text), map[string]string{
		"example.org:5353 {":        "example.org:{{PORT}} {",
		"ready 127.0.0.1:8181":      "ready 127.0.0.1:{{HTTP}}",
		"prometheus 127.0.0.1:9153": "prometheus " + metrics,
	})
	n := nodetest.Start(t, cf)

	l := query(t, "dig", n.Addr, "example.org", "SOA")
	if l.status != "NOERROR" || !l.hasFlag("aa") || l.answers != 1 ||
		!strings.Contains(l.out, "ns1.example.org. hostmaster.example.org.") {
		t.Errorf("got %s flags %q with %d answers, want the AA SOA of the example\n%s",
			l.status, l.flags, l.answers, l.out)
	}
	if got := readyStatus(t, n); got != http.StatusOK {
		t.Errorf("got /ready %d, want 200", got)
	}
	if _, err := os.Stat(filepath.Join(n.Dir, "dmp.db")); err != nil {
		t.Errorf("embedded store next to the Corefile: %v", err)
	}
	want := regexp.MustCompile(`coredns_dmp_queries_total{result="answer",` +
		`server="dns://127.0.0.1:\d+",type="SOA"} 1\n`)
	if body := get(t, "http://"+metrics+"/metrics"); !want.MatchString(body) {
		t.Errorf("got metrics without the SOA answer counted once:\n%s",
			grepLines(body, "coredns_dmp_queries"))
	}
}

// swapPorts replaces each key of repl, which must occur exactly once in
// text, so that a changed example fails here instead of binding its fixed
// ports.
func swapPorts(t *testing.T, text string, repl map[string]string) string {
	t.Helper()
	for old, with := range repl {
		if c := strings.Count(text, old); c != 1 {
			t.Fatalf("Corefile.example holds %q %d times, want once:\n%s", old, c, text)
		}
		text = strings.Replace(text, old, with, 1)
	}
	return text
}

// get returns the body of an HTTP GET, failing the test on any error or
// a status other than 200.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, %v", url, resp.StatusCode, err)
	}
	return string(b)
}
