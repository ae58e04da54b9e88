package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/keys"
)

// TestContactsListHostileName: a contact whose verified address carries
// control characters (a username may be any UTF-8) is listed with them
// escaped, so the terminal shows them rather than acts on them, and
// removed the same way; --json keeps the name exact.
func TestContactsListHostileName(t *testing.T) {
	u := &user{t: t, name: "carol", home: filepath.Join(t.TempDir(), "carol")}
	if _, errs, code := u.run("", "init", "carol", "--domain", e2eZone); code != 0 {
		t.Fatalf("init exited %d: %s", code, errs)
	}
	name := "eve\x1b[2J\r\u202e\a@mesh.example"
	x := bytes.Repeat([]byte{9}, 32)
	ed, _ := hex.DecodeString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
	ct := state.Contact{Name: name, Username: "eve\x1b[2J\r\u202e\a", Domain: e2eZone,
		X25519: x, Ed25519: ed}
	if err := u.state().Update(func(tx *state.Tx) error { return tx.PutContact(ct) }); err != nil {
		t.Fatal(err)
	}

	want := `eve\x1b[2J\r\u202e\x07@mesh.example  ` + keys.Fingerprint(x, ed) + "\n"
	if out, errs, code := u.run("", "contacts", "list"); code != 0 || out != want {
		t.Fatalf("contacts list exited %d, printed %q (stderr %q); want %q", code, out, errs,
			want)
	}
	out, _, code := u.run("", "contacts", "list", "--json")
	var views []contactView
	if err := json.Unmarshal([]byte(out), &views); err != nil || code != 0 ||
		len(views) != 1 || views[0].Name != name {
		t.Fatalf("contacts list --json exited %d, printed %q (%v); want the exact name",
			code, out, err)
	}
	want = `removed contact eve\x1b[2J\r\u202e\x07@mesh.example` + "\n"
	if out, errs, code := u.run("", "contacts", "remove", name); code != 0 || out != want {
		t.Fatalf("contacts remove exited %d, printed %q (stderr %q); want %q", code, out,
			errs, want)
	}
	if out, _, code := u.run("", "contacts", "list", "--json"); code != 0 || out != "[]\n" {
		t.Fatalf("contacts list --json after remove exited %d, printed %q; want []", code,
			out)
	}
}
