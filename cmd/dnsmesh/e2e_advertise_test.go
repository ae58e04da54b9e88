package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/dnsmesh/dmp/internal/config"
)

// TestPublishKeepsAdvertisedVersions: once published with --advertise-v2,
// a plain `identity publish` keeps advertising version 2 until
// --no-advertise-v2; the versions are recorded in config.yaml and each
// change is noted on stderr, a publish that changes nothing is quiet.
func TestPublishKeepsAdvertisedVersions(t *testing.T) {
	n := e2eNode(t)
	bob := newE2EUser(t, n, "bob")
	amy, _ := initUser(t, n, "amy")
	amy.ok("tsig", "register")

	steps := []struct {
		args     []string
		note     string // "" when the publish must print no note
		versions []int
	}{
		{nil, "advertised protocol version 1 only (last publish: not recorded); " +
			"later publishes keep this until you pass --advertise-v2", []int{1}},
		{[]string{"--advertise-v2"}, "advertised protocol versions 1 and 2 (last " +
			"publish: version 1 only); later publishes keep this until you pass " +
			"--no-advertise-v2", []int{1, 2}},
		{nil, "", []int{1, 2}}, // the plain publish that used to drop v2
		{[]string{"--no-advertise-v2"}, "advertised protocol version 1 only (last " +
			"publish: versions 1 and 2)", []int{1}},
		{nil, "", []int{1}},
	}
	for _, s := range steps {
		_, errs := amy.ok(append([]string{"identity", "publish"}, s.args...)...)
		if s.note == "" && errs != "" || !strings.Contains(errs, s.note) {
			t.Fatalf("publish %v: stderr %q, want note %q", s.args, errs, s.note)
		}
		checkAdvertised(t, amy, bob, s.versions)
	}
}

// checkAdvertised fails unless another user fetches u's identity with
// versions want, u's config records want and `publish --json` of u
// would say the same.
func checkAdvertised(t *testing.T, u, other *user, want []int) {
	t.Helper()
	out, _ := other.ok("identity", "fetch", u.addr(), "--json")
	var views []struct {
		Versions []int `json:"versions"`
	}
	if err := json.Unmarshal([]byte(out), &views); err != nil || len(views) != 1 ||
		!slices.Equal(views[0].Versions, want) {
		t.Fatalf("fetch of %s got %q (%v), want versions %v", u.addr(), out, err, want)
	}
	cfg, err := config.Load(u.home)
	if err != nil || !slices.Equal(cfg.AdvertisedVersions, want) {
		t.Fatalf("config advertised_versions %v (%v), want %v", cfg.AdvertisedVersions,
			err, want)
	}
}

// TestPublishVersionFlags: --json reports the versions advertised, and
// --advertise-v2 with --no-advertise-v2 is a usage error that publishes
// nothing.
func TestPublishVersionFlags(t *testing.T) {
	n := e2eNode(t)
	amy, bob := newE2EUser(t, n, "amy"), newE2EUser(t, n, "bob")
	out, _ := amy.ok("identity", "publish", "--json")
	var pub struct {
		Owners   []string `json:"owners"`
		Versions []int    `json:"versions"`
	}
	if err := json.Unmarshal([]byte(out), &pub); err != nil || len(pub.Owners) != 1 ||
		!slices.Equal(pub.Versions, []int{1, 2}) {
		t.Fatalf("publish --json got %q (%v), want one owner and versions [1 2]", out, err)
	}

	_, errs, code := amy.run("", "identity", "publish", "--advertise-v2", "--no-advertise-v2")
	if code != exitUsage || !strings.Contains(errs, "advertise-v2") {
		t.Fatalf("both flags: exit %d, stderr %q; want a usage error", code, errs)
	}
	checkAdvertised(t, amy, bob, []int{1, 2})
}
