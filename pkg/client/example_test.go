package client_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dnsmesh/dmp/internal/config"
	"github.com/dnsmesh/dmp/internal/state"
	"github.com/dnsmesh/dmp/pkg/client"
	"github.com/dnsmesh/dmp/pkg/dnsio"
)

// memoryDNS stands in for a DMP node: it keeps TXT values by owner name,
// appends on Add and deletes on the two delete operations.
type memoryDNS struct {
	mu   sync.Mutex
	data map[string][]string
}

func (m *memoryDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.data[strings.ToLower(name)]...), nil
}

func (m *memoryDNS) Apply(_ context.Context, changes ...dnsio.Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range changes {
		owner := strings.ToLower(c.Owner)
		switch c.Op {
		case dnsio.Add:
			m.data[owner] = append(m.data[owner], c.Value)
		case dnsio.DeleteValue:
			kept := m.data[owner][:0]
			for _, v := range m.data[owner] {
				if v != c.Value {
					kept = append(kept, v)
				}
			}
			m.data[owner] = kept
		case dnsio.DeleteAll:
			delete(m.data, owner)
		}
	}
	return nil
}

// newClient derives a user's identity and opens a state file in dir.
func newClient(node *memoryDNS, dir, user, salt string) *client.Client {
	id, err := client.Derive("passphrase of "+user, salt)
	if err != nil {
		panic(err)
	}
	cfg := &config.Config{Username: user, Domain: "mesh.example", KDFSalt: salt}
	return &client.Client{Cfg: cfg, ID: id, Reader: node, Writer: node,
		State: state.Open(filepath.Join(dir, user+".db"))}
}

// pin fetches addr's identity record and pins it as a contact.
func pin(ctx context.Context, c *client.Client, addr string) {
	user, host, cands, err := c.FetchIdentity(ctx, addr)
	if err != nil {
		panic(err)
	}
	cand, err := client.Choose(cands, "")
	if err != nil {
		panic(err)
	}
	if _, err := c.AddContact(user, host, cand); err != nil {
		panic(err)
	}
}

// Two users on one node: each publishes an identity record, Bob publishes
// one-time prekeys, both pin each other, Alice sends and Bob receives.
// The message is sealed to one of Bob's prekeys, so it is forward-secret.
func ExampleClient_Send() {
	client.UseLowCostKDFForTests() // real callers keep the Argon2id cost
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "dnsmesh-example-")
	defer os.RemoveAll(dir)
	node := &memoryDNS{data: map[string][]string{}}
	alice := newClient(node, dir, "alice", "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1")
	bob := newClient(node, dir, "bob", "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0")

	for _, c := range []*client.Client{alice, bob} {
		if _, err := c.PublishIdentity(ctx, time.Hour, true); err != nil {
			panic(err)
		}
	}
	if _, err := bob.RefreshPrekeys(ctx, 5, 24*time.Hour); err != nil {
		panic(err)
	}
	pin(ctx, alice, "bob@mesh.example")
	pin(ctx, bob, "alice@mesh.example")

	sent, err := alice.Send(ctx, "bob@mesh.example", []byte("lunch at noon?"),
		client.DefaultMessageTTL)
	if err != nil {
		panic(err)
	}
	fmt.Println("forward-secret:", sent.PrekeyID != 0)

	got, err := bob.Receive(ctx)
	if err != nil {
		panic(err)
	}
	for _, m := range got.Inbox {
		fmt.Printf("%s: %s\n", m.Contact, m.Body)
	}
	again, _ := bob.Receive(ctx)
	fmt.Println("delivered again:", len(again.Inbox))
	// Output:
	// forward-secret: true
	// alice@mesh.example: lunch at noon?
	// delivered again: 0
}
