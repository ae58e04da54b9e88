package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// zb holds the sub-buckets of one zone.
type zb struct {
	rr, exp, tree, kids, wv, meta *bolt.Bucket
}

var subBuckets = []string{"rr", "exp", "tree", "kids", "wv", "meta"}

var keyCount = []byte("n")

// readZone returns the buckets of zone, or nil if nothing was ever stored
// in it.
func readZone(tx *bolt.Tx, zone string) *zb {
	b := tx.Bucket(bucketZones).Bucket([]byte(zone))
	if b == nil {
		return nil
	}
	return bind(b)
}

// writeZone returns the buckets of zone, creating them if needed.
func writeZone(tx *bolt.Tx, zone string) (*zb, error) {
	b, err := tx.Bucket(bucketZones).CreateBucketIfNotExists([]byte(zone))
	if err != nil {
		return nil, fmt.Errorf("zone bucket: %w", err)
	}
	for _, name := range subBuckets {
		if _, err := b.CreateBucketIfNotExists([]byte(name)); err != nil {
			return nil, fmt.Errorf("zone bucket %s: %w", name, err)
		}
	}
	return bind(b), nil
}

func bind(b *bolt.Bucket) *zb {
	return &zb{
		rr: b.Bucket([]byte("rr")), exp: b.Bucket([]byte("exp")),
		tree: b.Bucket([]byte("tree")), kids: b.Bucket([]byte("kids")),
		wv: b.Bucket([]byte("wv")), meta: b.Bucket([]byte("meta")),
	}
}

// join builds a composite key with NUL separators; presentation-format
// names never contain a raw NUL.
func join(parts ...string) []byte {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(p)
	}
	return b.Bytes()
}

func u64(v int64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(v))
	return b
}

func i64(b []byte) int64 {
	if len(b) < 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

// scan calls fn for every key of b that starts with prefix, with the key
// minus the prefix.
func scan(b *bolt.Bucket, prefix []byte, fn func(rest, v []byte) error) error {
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if err := fn(k[len(prefix):], v); err != nil {
			return err
		}
	}
	return nil
}

// entry is one stored value of an owner.
type entry struct {
	value  string
	exp    int64
	writer string
}

// entries returns every stored value at owner, live or not, in value
// order.
func (z *zb) entries(owner string) []entry {
	var out []entry
	_ = scan(z.rr, join(owner, ""), func(rest, v []byte) error {
		out = append(out, entry{value: string(rest), exp: i64(v), writer: string(v[8:])})
		return nil
	})
	return out
}

// live returns the values at owner that are live at nowMs.
func (z *zb) live(owner string, nowMs int64) []entry {
	var out []entry
	for _, e := range z.entries(owner) {
		if e.exp > nowMs {
			out = append(out, e)
		}
	}
	return out
}

// put stores value at owner with its expiry and writer, replacing any
// earlier entry and its index rows.
func (z *zb) put(owner, value string, exp int64, writer string) error {
	fresh := !z.del(owner, value)
	k := join(owner, value)
	if err := z.rr.Put(k, append(u64(exp), writer...)); err != nil {
		return err
	}
	if err := z.exp.Put(append(u64(exp), k...), nil); err != nil {
		return err
	}
	if writer != "" {
		if err := z.wv.Put(join(writer, owner, value), u64(exp)); err != nil {
			return err
		}
	}
	if fresh {
		return z.addCount(1)
	}
	return z.addCount(0)
}

// del removes value at owner with its index rows and reports whether it
// was there. The count is left to the caller of put; del called alone
// must be followed by addCount(-1), see remove.
func (z *zb) del(owner, value string) bool {
	k := join(owner, value)
	v := z.rr.Get(k)
	if v == nil {
		return false
	}
	exp, writer := i64(v), string(v[8:])
	_ = z.rr.Delete(k)
	_ = z.exp.Delete(append(u64(exp), k...))
	if writer != "" {
		_ = z.wv.Delete(join(writer, owner, value))
	}
	return true
}

// remove deletes value at owner and keeps the count right.
func (z *zb) remove(owner, value string) error {
	if z.del(owner, value) {
		return z.addCount(-1)
	}
	return nil
}

func (z *zb) addCount(d int64) error {
	if d == 0 {
		return nil
	}
	return z.meta.Put(keyCount, u64(i64(z.meta.Get(keyCount))+d))
}
