package client

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/pkg/dnsio"
)

// poolDown is a reader whose reads of prekey pools fail as an unreachable
// server would, while every other name reads from the memDNS.
type poolDown struct{ *memDNS }

func (p poolDown) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if strings.HasPrefix(strings.ToLower(name), "prekeys.") {
		return nil, dnsio.ErrQuery
	}
	return p.memDNS.LookupTXT(ctx, name)
}

// TestSendPrekeyPool checks DECISIONS C5 against forward secrecy lost in
// silence: a pool that cannot be read fails the send unless the caller
// allows a send without a prekey; a pool read and found empty sends with
// prekey id 0 (the caller warns).
func TestSendPrekeyPool(t *testing.T) {
	tests := []struct {
		name          string
		poolDown      bool
		bobPrekeys    bool
		allow         bool
		wantErr       error
		wantPrekey    bool
		wantPublished bool
	}{
		{"pool read, has prekeys", false, true, false, nil, true, true},
		{"pool read, empty", false, false, false, nil, false, true},
		{"pool unreadable", true, true, false, ErrPrekeyPoolUnread, false, false},
		{"pool unreadable, allowed", true, true, true, nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dns := &memDNS{data: map[string][]string{}}
			alice, bob := newUser(t, dns, "alice"), newUser(t, dns, "bob")
			for _, c := range []*Client{alice, bob} {
				if _, err := c.PublishIdentity(ctx, time.Hour, true); err != nil {
					t.Fatal(err)
				}
			}
			mustPin(t, bob, "alice@mesh.example")
			if tt.bobPrekeys {
				if _, err := bob.RefreshPrekeys(ctx, 3, time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			mustPin(t, alice, "bob@mesh.example")
			if tt.poolDown {
				alice.Reader = poolDown{dns}
			}
			alice.AllowNoPrekey = tt.allow

			res, err := alice.Send(ctx, "bob@mesh.example", []byte("hi"), time.Hour)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err == nil && (res.PrekeyID != 0) != tt.wantPrekey {
				t.Fatalf("got prekey id %d, want a prekey: %v", res.PrekeyID, tt.wantPrekey)
			}
			got, _ := bob.Receive(ctx)
			if (len(got.Inbox) == 1) != tt.wantPublished {
				t.Fatalf("bob received %d messages, want published: %v", len(got.Inbox),
					tt.wantPublished)
			}
		})
	}
}
