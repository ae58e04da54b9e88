package state

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// Contact is a pinned peer. Name is the key: the canonical address
// user@host for contacts added by `identity fetch --add`.
type Contact struct {
	Name     string `json:"name"`
	Username string `json:"username"`
	Domain   string `json:"domain"`
	// X25519 is the peer's long-term key agreement key; empty for a
	// contact pinned from the intro queue by signing key only.
	X25519  []byte `json:"x25519,omitempty"`
	Ed25519 []byte `json:"ed25519,omitempty"`
	// DomainExplicit says Domain came from the address (not defaulted),
	// so sends publish a notification claim there (message-path.md §12.4).
	DomainExplicit bool  `json:"domain_explicit"`
	Added          int64 `json:"added"`
}

// Prekey is a one-time prekey's secret half and its published record.
type Prekey struct {
	ID      uint32 `json:"id"`
	Private []byte `json:"private"`
	Public  []byte `json:"public"`
	Exp     int64  `json:"exp"`
	Wire    string `json:"wire"`
	Owner   string `json:"owner"`
	Created int64  `json:"created"`
	// Consumed is when a message first opened with this prekey (unix
	// seconds), 0 while unused. A consumed prekey's secret is kept for a
	// grace window so other messages sealed to it still open; package
	// client decides when it is erased.
	Consumed int64 `json:"consumed,omitempty"`
	// Deleted is when the DNS delete of its record was confirmed, 0 until
	// then.
	Deleted int64 `json:"deleted,omitempty"`
	// Pending is set from creation until the node confirmed the UPDATE
	// that publishes the record. A prekey whose publish failed without a
	// refusal may or may not be in DNS: its secret is kept, so a message
	// sealed to it still opens, but it does not count as live.
	Pending bool `json:"pending,omitempty"`
}

// Message is one delivered message, from the inbox or the intro queue.
type Message struct {
	ID        uint64 `json:"id"`
	MsgID     []byte `json:"msg_id"`
	SenderSPK []byte `json:"sender_spk"`
	Contact   string `json:"contact,omitempty"`
	Label     string `json:"label,omitempty"`
	Domain    string `json:"domain,omitempty"`
	Body      []byte `json:"body"`
	Sent      int64  `json:"sent"`
	Received  int64  `json:"received"`
	Exp       int64  `json:"exp"`
	PrekeyID  uint32 `json:"prekey_id"`
}

// Deletion is a DNS value to remove once the network is reachable: the
// record of a consumed prekey.
type Deletion struct {
	Owner string `json:"owner"`
	Value string `json:"value"`
	// Prekey is the id of the prekey whose record this is, 0 if unknown.
	Prekey uint32 `json:"prekey,omitempty"`
	// Exp is when the record expires on its own (unix seconds), 0 if
	// unknown; past it the deletion is moot.
	Exp int64 `json:"exp,omitempty"`
}

func put(t *Tx, bucket, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("state: encode: %w", err)
	}
	return t.b(bucket).Put(key, b)
}

func get(t *Tx, bucket, key []byte, v any) error {
	b := t.b(bucket).Get(key)
	if b == nil {
		return ErrNotFound
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("state: decode %s: %w", bucket, err)
	}
	return nil
}

func all[T any](t *Tx, bucket []byte) ([]T, error) {
	var out []T
	err := t.b(bucket).ForEach(func(k, v []byte) error {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("state: decode %s: %w", bucket, err)
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// PutContact adds or replaces a contact.
func (t *Tx) PutContact(c Contact) error { return put(t, bContacts, []byte(c.Name), c) }

// Contact returns the contact named name.
func (t *Tx) Contact(name string) (Contact, error) {
	var c Contact
	err := get(t, bContacts, []byte(name), &c)
	return c, err
}

// DeleteContact removes a contact.
func (t *Tx) DeleteContact(name string) error {
	if t.b(bContacts).Get([]byte(name)) == nil {
		return ErrNotFound
	}
	return t.b(bContacts).Delete([]byte(name))
}

// Contacts returns every contact, sorted by name.
// bbolt keeps keys in byte order, which is name order.
func (t *Tx) Contacts() ([]Contact, error) { return all[Contact](t, bContacts) }

// PutPrekey stores a prekey secret.
func (t *Tx) PutPrekey(p Prekey) error { return put(t, bPrekeys, u32(p.ID), p) }

// Prekey returns the prekey with id.
func (t *Tx) Prekey(id uint32) (Prekey, error) {
	var p Prekey
	err := get(t, bPrekeys, u32(id), &p)
	return p, err
}

// HasPrekey reports whether a secret for id is stored.
func (t *Tx) HasPrekey(id uint32) bool { return t.b(bPrekeys).Get(u32(id)) != nil }

// DeletePrekey removes the secret for id.
func (t *Tx) DeletePrekey(id uint32) error { return t.b(bPrekeys).Delete(u32(id)) }

// Prekeys returns every stored prekey in id order.
func (t *Tx) Prekeys() ([]Prekey, error) { return all[Prekey](t, bPrekeys) }

// Seen reports whether (spk, msgID) is in the replay cache.
func (t *Tx) Seen(spk, msgID []byte) bool {
	return t.b(bSeen).Get(seenKey(spk, msgID)) != nil
}

// MarkSeen records (spk, msgID) until exp (unix seconds).
func (t *Tx) MarkSeen(spk, msgID []byte, exp int64) error {
	return t.b(bSeen).Put(seenKey(spk, msgID), u64(uint64(exp)))
}

// PurgeSeen drops replay entries that expired before now.
func (t *Tx) PurgeSeen(now int64) error {
	c := t.b(bSeen).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(v) == 8 && int64(be64(v)) < now {
			if err := c.Delete(); err != nil {
				return fmt.Errorf("state: purge: %w", err)
			}
		}
	}
	return nil
}

func seenKey(spk, msgID []byte) []byte {
	return append(append([]byte(nil), spk...), msgID...)
}

// AddInbox appends m to the inbox and returns its id.
func (t *Tx) AddInbox(m Message) (uint64, error) { return appendSeq(t, bInbox, &m) }

// Inbox returns the delivered messages in arrival order.
func (t *Tx) Inbox() ([]Message, error) { return all[Message](t, bInbox) }

// AddIntro queues m from an unpinned sender and returns its id. It
// reports false when the sender is blocked or the message is queued.
func (t *Tx) AddIntro(m Message) (uint64, bool, error) {
	if t.Blocked(m.SenderSPK) || t.HasIntro(m.SenderSPK, m.MsgID) {
		return 0, false, nil
	}
	id, err := appendSeq(t, bIntros, &m)
	return id, err == nil, err
}

// HasIntro reports whether a message (spk, msgID) waits in the queue.
func (t *Tx) HasIntro(spk, msgID []byte) bool {
	found := false
	t.b(bIntros).ForEach(func(_, v []byte) error {
		var m Message
		if json.Unmarshal(v, &m) == nil && bytes.Equal(m.SenderSPK, spk) &&
			bytes.Equal(m.MsgID, msgID) {
			found = true
		}
		return nil
	})
	return found
}

// Intro returns the queued intro with id.
func (t *Tx) Intro(id uint64) (Message, error) {
	var m Message
	err := get(t, bIntros, u64(id), &m)
	return m, err
}

// DeleteIntro removes a queued intro.
func (t *Tx) DeleteIntro(id uint64) error { return t.b(bIntros).Delete(u64(id)) }

// Intros returns the queued intros in arrival order.
func (t *Tx) Intros() ([]Message, error) { return all[Message](t, bIntros) }

// Block puts spk on the deny list.
func (t *Tx) Block(spk []byte, now int64) error { return t.b(bDeny).Put(spk, u64(uint64(now))) }

// Blocked reports whether spk is on the deny list.
func (t *Tx) Blocked(spk []byte) bool { return t.b(bDeny).Get(spk) != nil }

// HighWater returns the highest seq seen for anchor, 0 if none
// (DECISIONS C8).
//
// Only a reader of cluster manifests or bootstrap records needs it, and
// dnsmesh has no cluster or bootstrap command yet. Such a reader must
// refuse a verified record whose seq is below HighWater(anchor) and call
// SetHighWater in the same transaction, so a rollback is refused across
// runs.
func (t *Tx) HighWater(anchor string) uint64 {
	v := t.b(bSeq).Get([]byte(anchor))
	if len(v) != 8 {
		return 0
	}
	return be64(v)
}

// SetHighWater raises the mark for anchor to seq; a lower seq is ignored.
func (t *Tx) SetHighWater(anchor string, seq uint64) error {
	if seq <= t.HighWater(anchor) {
		return nil
	}
	return t.b(bSeq).Put([]byte(anchor), u64(seq))
}

// QueueDeletion records a DNS value to delete later.
func (t *Tx) QueueDeletion(d Deletion) error {
	return put(t, bDeletes, []byte(d.Owner+"\x00"+d.Value), d)
}

// HasDeletion reports whether the deletion of (owner, value) is queued.
func (t *Tx) HasDeletion(owner, value string) bool {
	return t.b(bDeletes).Get([]byte(owner+"\x00"+value)) != nil
}

// Deletions returns the queued DNS deletions.
func (t *Tx) Deletions() ([]Deletion, error) { return all[Deletion](t, bDeletes) }

// DoneDeletion forgets a queued deletion.
func (t *Tx) DoneDeletion(d Deletion) error {
	return t.b(bDeletes).Delete([]byte(d.Owner + "\x00" + d.Value))
}

// appendSeq stores m under the bucket's next sequence number.
func appendSeq(t *Tx, bucket []byte, m *Message) (uint64, error) {
	id, err := t.b(bucket).NextSequence()
	if err != nil {
		return 0, fmt.Errorf("state: sequence: %w", err)
	}
	m.ID = id
	return id, put(t, bucket, u64(id), m)
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
