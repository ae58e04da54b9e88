package boltstore

import (
	"path/filepath"
	"testing"

	"github.com/dnsmesh/dmp/internal/store/storetest"
)

func benchStore(b *testing.B) *Store {
	s, err := Open(filepath.Join(b.TempDir(), "dmp.db"), Options{})
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkLookup(b *testing.B) { storetest.BenchLookup(b, benchStore(b)) }

func BenchmarkApply(b *testing.B) { storetest.BenchApply(b, benchStore(b)) }
