package message_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/dnsmesh/dmp/pkg/keys"
	"github.com/dnsmesh/dmp/pkg/message"
)

func Example() {
	alice, _ := keys.FromX25519(bytes.Repeat([]byte{1}, 32))
	bob, _ := keys.FromX25519(bytes.Repeat([]byte{2}, 32))
	now := time.Unix(1893456000, 0)

	sent, err := message.Build(message.Message{
		Sender:     alice,
		SenderAddr: "alice@mesh.example",
		Recipient:  bob.X25519Public,
		Body:       []byte("hello bob"),
		Zone:       "mesh.example",
		TTL:        300 * time.Second,
		Now:        now,
	})
	if err != nil {
		panic(err)
	}

	// A map stands in for DNS.
	zone := map[string][]string{}
	for _, r := range sent.Records() {
		zone[r.Owner] = append(zone[r.Owner], r.Value)
	}
	lookup := func(owner string) ([]string, error) { return zone[owner], nil }

	d, err := message.Receive(sent.Manifest.Value, "mesh.example",
		message.Recipient{Identity: bob}, lookup, now)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d chunks, %d needed\n", sent.N, sent.K)
	fmt.Printf("%q claimed from %s\n", d.Body, d.ClaimedFrom)
	// Output:
	// 6 chunks, 4 needed
	// "hello bob" claimed from alice@mesh.example
}
