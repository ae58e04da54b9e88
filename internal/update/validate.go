package update

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dnsmesh/dmp/pkg/discovery"
	"github.com/dnsmesh/dmp/pkg/names"
	"github.com/dnsmesh/dmp/pkg/records"
)

// SeenSkew is how far a heartbeat republished in a seen graph may lie
// from now: the seen graph holds peers' heartbeats for up to the
// reference's heartbeat TTL (24 h) after they were signed, so the 300 s
// window of a node's own heartbeat would refuse honest republications.
// Signature, expiry and the 30-day ceiling are checked as for any
// heartbeat.
const SeenSkew = 24 * time.Hour

// Validate checks that value may be stored at owner in zone (DECISIONS
// N1). signKey is the Ed25519 key registered with the writer's TSIG key,
// or nil. The error says why the value is refused.
func Validate(owner, zone, value string, signKey []byte, now time.Time) error {
	o := names.Classify(owner, zone)
	switch o.Kind {
	case names.KindManifest:
		return validManifest(value, now)
	case names.KindChunk:
		_, err := records.ParseChunk(value)
		return err
	case names.KindIdentityHashed, names.KindIdentityAnchored:
		return validIdentity(owner, o, value)
	case names.KindPrekeys:
		return validPrekey(value, signKey, now)
	case names.KindRotation:
		return validRotation(o, value, now)
	case names.KindCluster:
		_, err := discovery.ParseClusterUnpinned(value, now, o.Domain)
		return err
	case names.KindBootstrap:
		_, err := discovery.ParseBootstrapUnpinned(value, now, o.Domain)
		return err
	case names.KindClaim:
		_, err := records.ParseClaimAt(owner, value, now)
		return err
	case names.KindHeartbeat:
		_, err := discovery.ParseHeartbeat(value, now, discovery.DefaultHeartbeatSkew)
		return err
	case names.KindSeen:
		_, err := discovery.ParseHeartbeat(value, now, SeenSkew)
		return err
	}
	return errors.New("owner name admits no DMP record")
}

func validManifest(value string, now time.Time) error {
	m, err := records.ParseManifest(value, now)
	if err != nil {
		return err
	}
	if m.Expired(now) {
		return errors.New("slot manifest has expired")
	}
	return nil
}

// validIdentity verifies an identity record and, for the hash form, binds
// the owner's hash to the record's username.
func validIdentity(owner string, o names.Owner, value string) error {
	id, err := records.ParseIdentity(value)
	if err != nil {
		return err
	}
	if o.Kind != names.KindIdentityHashed {
		return nil
	}
	want := names.IdentityHashed(id.Username, o.Domain)
	if !strings.EqualFold(strings.TrimSuffix(owner, "."), want) {
		return fmt.Errorf("identity of %q does not belong at this owner name", id.Username)
	}
	return nil
}

func validPrekey(value string, signKey []byte, now time.Time) error {
	var p *records.Prekey
	var err error
	if signKey != nil {
		p, err = records.ParsePrekey(value, signKey, now)
	} else {
		p, err = records.ParsePrekeyUnverified(value, now)
	}
	if err != nil {
		return err
	}
	if p.Expired(now) {
		return errors.New("prekey has expired")
	}
	return nil
}

// validRotation admits a rotation or a revocation record whose subject
// type matches the rotated name; for cluster and bootstrap names the
// subject must also be the name's domain.
func validRotation(o names.Owner, value string, now time.Time) error {
	want := discovery.Expect{SubjectType: discovery.SubjectUser}
	switch o.Of {
	case names.KindCluster:
		want = discovery.Expect{SubjectType: discovery.SubjectCluster, Subject: o.Domain}
	case names.KindBootstrap:
		want = discovery.Expect{SubjectType: discovery.SubjectBootstrap, Subject: o.Domain}
	}
	if strings.HasPrefix(value, discovery.RevocationPrefix) {
		_, err := discovery.ParseRevocation(value, now, want, 0)
		return err
	}
	_, err := discovery.ParseRotation(value, now, want)
	return err
}
