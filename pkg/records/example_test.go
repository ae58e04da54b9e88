package records_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/records"
)

// A recipient signs a prekey; a sender who pinned the recipient's Ed25519
// key parses and verifies it.
func Example() {
	owner, err := keys.FromX25519(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		panic(err)
	}
	now := time.Unix(1_900_000_000, 0)
	pk := &records.Prekey{ID: 42, Exp: uint64(now.Unix()) + 86400}
	wire, err := pk.Sign(owner.Ed25519)
	if err != nil {
		panic(err)
	}

	got, err := records.ParsePrekey(wire, owner.Ed25519Public, now)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(wire), got.ID, got.Expired(now))

	_, err = records.ParsePrekey(wire, owner.X25519Public, now)
	fmt.Println(err)
	// Output:
	// 162 42 false
	// dmp prekey record: signature does not verify
}
