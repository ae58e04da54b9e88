package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAdvertisedVersions: the versions of the last publish survive a
// save and load, and a version DMP does not have is refused at load.
func TestAdvertisedVersions(t *testing.T) {
	home := filepath.Join(t.TempDir(), "dmp")
	c := &Config{Username: "amy", Domain: "mesh.example", KDFSalt: "00"}
	if err := Create(home, c, false); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(home); err != nil || got.AdvertisesV2() || got.AdvertisedVersions != nil {
		t.Fatalf("fresh config got %+v, %v; want no versions recorded", got, err)
	}

	c.AdvertisedVersions = []int{1, 2}
	if err := Save(home, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(home)
	if err != nil || !got.AdvertisesV2() || !slices.Equal(got.AdvertisedVersions, []int{1, 2}) {
		t.Fatalf("got %+v, %v; want versions [1 2]", got, err)
	}

	b, _ := os.ReadFile(Path(home))
	bad := strings.Replace(string(b), "- 2", "- 3", 1)
	if err := os.WriteFile(Path(home), []byte(bad), SecretMode); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(home); err == nil || !strings.Contains(err.Error(),
		"advertised_versions holds 3") {
		t.Fatalf("version 3 got %v, want a refusal naming it", err)
	}
}
