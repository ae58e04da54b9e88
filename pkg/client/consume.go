package client

import (
	"time"

	"github.com/dnsmesh/dmp/internal/state"
)

// PrekeyGraceMargin covers the time a deleted prekey can still be read
// from DNS after its delete: a resolver's cached answer (a node's answer
// TTL is 60 seconds by default, DECISIONS N12) and clock skew between
// sender and recipient.
const PrekeyGraceMargin = 15 * time.Minute

// Prekey consumption (DECISIONS C6, C11).
//
// A one-time prekey is meant to be used by one message, but nothing stops
// two senders from reading the pool before either message is received and
// sealing to the same prekey. Erasing its secret when the first message
// opens would lose the second in silence. So a successful open marks the
// prekey consumed (time recorded) and queues the delete of its DNS record
// in the same transaction that stores the message, and the secret is kept
// for a bounded grace window:
//
//	erase at = base + PrekeyGraceMargin + MaxMessageTTL
//
// where base is the time the DNS delete was confirmed, or, for a delete
// given up unconfirmed, the consumption time. While the delete is still
// owed the record may still be handed out, so the secret is kept (never
// past the bound every prekey has: its expiry plus MaxMessageTTL). The
// replay cache, not the secret, stops one message opening twice.
//
// The cost is forward secrecy: until the window ends, someone who takes a
// copy of the state file can open messages sealed to that prekey, which
// they could not once the secret is erased. The window is at most
// MaxMessageTTL (the send --ttl cap) plus PrekeyGraceMargin after the
// delete is confirmed; messages that used other prekeys are unaffected.

// prekeyEraseAt returns the unix time after which p's secret is erased;
// owed reports whether the delete of p's record is still queued.
func prekeyEraseAt(p state.Prekey, owed bool) int64 {
	life := int64(MaxMessageTTL / time.Second)
	limit := p.Exp + life // C11: a message sealed just before expiry still opens
	if p.Consumed == 0 || (owed && p.Deleted == 0) {
		return limit
	}
	base := p.Consumed
	if p.Deleted != 0 {
		base = p.Deleted
	}
	return min(limit, base+int64(PrekeyGraceMargin/time.Second)+life)
}

// prekeyUsable reports whether p's secret may still open a message at now.
func prekeyUsable(tx *state.Tx, p state.Prekey, now int64) bool {
	return now <= prekeyEraseAt(p, tx.HasDeletion(p.Owner, p.Wire))
}

// consumePrekey marks prekey id consumed and queues the delete of its DNS
// record, once; the secret stays for the grace window. An unknown id is
// not an error: the message opened.
func consumePrekey(tx *state.Tx, id uint32, now int64) error {
	if id == 0 {
		return nil
	}
	p, err := tx.Prekey(id)
	if err != nil || p.Consumed != 0 {
		return nil
	}
	p.Consumed = now
	if err := tx.PutPrekey(p); err != nil {
		return err
	}
	return tx.QueueDeletion(state.Deletion{Owner: p.Owner, Value: p.Wire, Prekey: p.ID,
		Exp: p.Exp})
}

// confirmDeleted records that the DNS delete of prekey id was confirmed,
// which starts its grace window.
func confirmDeleted(tx *state.Tx, id uint32, now int64) error {
	p, err := tx.Prekey(id)
	if err != nil || p.Deleted != 0 {
		return nil
	}
	p.Deleted = now
	return tx.PutPrekey(p)
}

// purgePrekeys erases the secrets whose window has ended, consumed or not.
// Receive runs it with the other expiry housekeeping.
func purgePrekeys(tx *state.Tx, now int64) error {
	ps, err := tx.Prekeys()
	if err != nil {
		return err
	}
	for _, p := range ps {
		if prekeyUsable(tx, p, now) {
			continue
		}
		if err := tx.DeletePrekey(p.ID); err != nil {
			return err
		}
	}
	return nil
}
