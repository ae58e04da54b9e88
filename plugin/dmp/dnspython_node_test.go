package dmp_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/nodetest"
)

// debianPython is Debian's interpreter, where apt's python3-dnspython
// lives (a pyenv python3 earlier in PATH would not see it).
const debianPython = "/usr/bin/python3"

// needDnspython skips the test unless Debian's python3 imports dnspython;
// under CI=true it fails instead.
func needDnspython(t *testing.T) {
	t.Helper()
	out, err := exec.Command(debianPython, "-c", "import dns.update, dns.query").CombinedOutput()
	if err == nil {
		return
	}
	msg := "python3-dnspython missing (apt-get install -y python3-dnspython): " +
		strings.TrimSpace(string(out))
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: %v", msg, err)
	}
	t.Skip(msg)
}

// dnspythonResult is what testdata/dnspython_update.py prints.
type dnspythonResult struct {
	Rcode       string `json:"rcode"`
	Transport   string `json:"transport"`
	UpdateBytes int    `json:"update_bytes"`
	SignedReply bool   `json:"signed_reply"`
	Error       string `json:"error"`
}

// dnspythonUpdate publishes value at owner through the script, signed by k
// under the algorithm name alg.
func dnspythonUpdate(t *testing.T, n *nodetest.Node, k userKey, alg, owner,
	value string) dnspythonResult {
	t.Helper()
	host, port, _ := net.SplitHostPort(n.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, debianPython, "testdata/dnspython_update.py", host, port,
		"example.org", k.Name, hex.EncodeToString(k.raw), alg, owner, "300")
	cmd.Stdin = strings.NewReader(value)
	out, err := cmd.Output()
	var res dnspythonResult
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		t.Fatalf("script output %q (%v): %v", out, err, jerr)
	}
	return res
}

// The reference client's way of writing works against the node: dnspython
// sends each signed UPDATE over UDP, and a large one, cut by CoreDNS's
// 512-byte UDP read, comes back with TC set and goes again over TCP.
func TestNodeDnspythonUpdates(t *testing.T) {
	needDnspython(t)
	nodetest.NeedTool(t, "dig")
	k := newUserKey(t)
	n := startKeyedNode(t, k)
	chunkOwner, chunkValue := chunk(t)
	manOwner, manValue := manifest(t, 16)

	cases := []struct {
		name, owner, value string
		transport          string // that carried the answer
		big                bool   // over the 512-byte UDP read
	}{
		{"small value over UDP", chunkOwner, chunkValue, "udp", false},
		{"manifest split at 255 retried over TCP", manOwner, manValue, "tcp", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := dnspythonUpdate(t, n, k, "hmac-sha256", c.owner, c.value)
			if res.Error != "" || res.Rcode != "NOERROR" {
				t.Fatalf("got %+v, want NOERROR", res)
			}
			if res.Transport != c.transport || !res.SignedReply {
				t.Fatalf("got answer over %s signed=%v, want a signed answer over %s",
					res.Transport, res.SignedReply, c.transport)
			}
			if got := res.UpdateBytes > udpReadSize; got != c.big {
				t.Fatalf("UPDATE is %d bytes; over %d: got %v, want %v",
					res.UpdateBytes, udpReadSize, got, c.big)
			}
			for _, transport := range []string{"+notcp", "+tcp"} {
				if got := digTXT(t, n, c.owner, transport); got != c.value {
					t.Fatalf("dig %s: got %q, want %q", transport, got, c.value)
				}
			}
		})
	}
}

// dnspython signs with the truncated algorithm names of RFC 8945 §6 too:
// the node verifies them with the user's hmac-sha256 or other base key and
// signs the reply with the same name and MAC size, which dnspython checks.
func TestNodeDnspythonTruncatedNames(t *testing.T) {
	needDnspython(t)
	nodetest.NeedTool(t, "dig")
	k := newUserKey(t)
	n := startKeyedNode(t, k)
	owner, value := chunk(t)

	// The user's key is hmac-sha256, so only its truncated name verifies;
	// dnspython reports the node's BADKEY as PeerBadKey.
	cases := []struct {
		alg, wantRcode, wantErr string
	}{
		{"hmac-sha256-128", "NOERROR", ""},
		{"hmac-sha512-256", "", "PeerBadKey"},
	}
	for _, c := range cases {
		t.Run(c.alg, func(t *testing.T) {
			res := dnspythonUpdate(t, n, k, c.alg, owner, value)
			if res.Rcode != c.wantRcode || !strings.HasPrefix(res.Error, c.wantErr) {
				t.Fatalf("got %+v, want rcode %q, error %q", res, c.wantRcode, c.wantErr)
			}
			if c.wantRcode == "NOERROR" && !res.SignedReply {
				t.Fatalf("got %+v, want a signed reply dnspython verified", res)
			}
		})
	}
	if got := digTXT(t, n, owner, "+notcp"); got != value {
		t.Fatalf("dig: got %q, want %q", got, value)
	}
}

// digTXT returns the TXT value dig reads at owner, its strings joined.
func digTXT(t *testing.T, n *nodetest.Node, owner, transport string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(n.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "dig", "@"+host, "-p", port, transport,
		"+short", "+bufsize=4096", owner, "TXT").Output()
	if err != nil {
		t.Fatalf("dig: %v", err)
	}
	// dig +short prints one RR per line as quoted strings separated by
	// spaces; DMP values are printable ASCII without quotes.
	line := strings.TrimSpace(string(out))
	if strings.Contains(line, "\n") {
		t.Fatalf("dig: got several RRs:\n%s", line)
	}
	return strings.ReplaceAll(strings.Trim(line, `"`), `" "`, "")
}
