package discovery

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/dnsmesh/dmp/internal/vectors"
	"github.com/dnsmesh/dmp/pkg/records"
)

// tamperCase is one valid signed record and how to parse it.
type tamperCase struct {
	name   string
	prefix string
	nsig   int
	wire   string
	keyAt  int                                    // offset of the signer key in the body
	pinned ed25519.PublicKey                      // nil when the type carries its own key
	parse  func(wire string, pinned []byte) error // parses with the case's clock
}

// tamperCases returns one accepted record of every type: the first
// round-trip vector of each reference file, and the heartbeat known answer.
func tamperCases(t *testing.T) []tamperCase {
	var cv []clusterVector
	vectors.Load(t, "reference/cluster_manifest.json", &cv)
	var bv []bootstrapVector
	vectors.Load(t, "reference/bootstrap_record.json", &bv)
	var rv []rotationVector
	vectors.Load(t, "reference/rotation_record.json", &rv)
	var vv []revocationVector
	vectors.Load(t, "reference/revocation_record.json", &vv)
	h, hpriv := testHeartbeat()

	c := cv[0].cluster(t)
	b := bv[0].bootstrap(t)
	rot := rv[0].Inputs
	rev := vv[0].Inputs
	// subject_type || subject_len || subject comes right after the magic.
	rotKeyAt := magicLen + 2 + len(rot.Subject)
	revKeyAt := magicLen + 2 + len(rev.Subject)
	return []tamperCase{
		{"cluster", ClusterPrefix, 1, string(vectors.Unhex(t, cv[0].WireHex)), magicLen + 16,
			c.OperatorSPK, func(w string, k []byte) error {
				_, err := ParseCluster(w, time.Unix(int64(c.Exp), 0), k, "")
				return err
			}},
		{"bootstrap", BootstrapPrefix, 1, string(vectors.Unhex(t, bv[0].WireHex)), magicLen + 16,
			b.SignerSPK, func(w string, k []byte) error {
				_, err := ParseBootstrap(w, time.Unix(int64(b.Exp), 0), k, "")
				return err
			}},
		{"rotation", RotationPrefix, 2, string(vectors.Unhex(t, rv[0].WireHex)), rotKeyAt, nil,
			func(w string, _ []byte) error {
				_, err := ParseRotation(w, time.Unix(int64(rot.Exp), 0), Expect{})
				return err
			}},
		{"revocation", RevocationPrefix, 1, string(vectors.Unhex(t, vv[0].WireHex)), revKeyAt, nil,
			func(w string, _ []byte) error {
				_, err := ParseRevocation(w, time.Unix(int64(rev.TS), 0), Expect{}, 0)
				return err
			}},
		{"heartbeat", HeartbeatPrefix, 1, mustSignHeartbeat(t, h, hpriv),
			magicLen + 2 + len(h.Endpoint), nil, func(w string, _ []byte) error {
				_, err := ParseHeartbeat(w, time.Unix(int64(h.TS), 0), DefaultHeartbeatSkew)
				return err
			}},
	}
}

// TestTamper flips one bit of every body byte, and every bit of each
// signature, of the embedded signer key and of the pinned key, in turn;
// each flip must make the record fail.
func TestTamper(t *testing.T) {
	for _, tc := range tamperCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.parse(tc.wire, tc.pinned); err != nil {
				t.Fatalf("untouched record refused: %v", err)
			}
			blob, err := records.Unframe(tc.name, tc.prefix, 0, tc.wire)
			if err != nil {
				t.Fatal(err)
			}
			bodyLen := len(blob) - tc.nsig*sigLen

			for i := range bodyLen {
				b := append([]byte{}, blob...)
				b[i] ^= 1 << (i % 8)
				if tc.parse(records.Frame(tc.prefix, b), tc.pinned) == nil {
					t.Fatalf("body: flipping bit %d of byte %d was accepted", i%8, i)
				}
			}
			flipEach(t, "key", blob, tc.keyAt, tc.keyAt+keyLen, func(b []byte) error {
				return tc.parse(records.Frame(tc.prefix, b), tc.pinned)
			})
			flipEach(t, "signature", blob, bodyLen, len(blob), func(b []byte) error {
				return tc.parse(records.Frame(tc.prefix, b), tc.pinned)
			})
			if tc.pinned != nil {
				flipEach(t, "pinned key", tc.pinned, 0, keyLen, func(k []byte) error {
					return tc.parse(tc.wire, k)
				})
			}
		})
	}
}

// flipEach flips each bit of b[from:to] in turn and requires parse of the
// changed copy to fail.
func flipEach(t *testing.T, what string, b []byte, from, to int, parse func([]byte) error) {
	t.Helper()
	for i := from; i < to; i++ {
		for bit := range 8 {
			c := append([]byte{}, b...)
			c[i] ^= 1 << bit
			if parse(c) == nil {
				t.Fatalf("%s: flipping bit %d of byte %d was accepted", what, bit, i)
			}
		}
	}
}
