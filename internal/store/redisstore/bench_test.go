package redisstore

import (
	"testing"

	"github.com/dnsmesh/dmp/internal/redistest"
	"github.com/dnsmesh/dmp/internal/store/storetest"
)

func benchStore(b *testing.B) *Store {
	s := New(client(redistest.Start(b).Addr()))
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkLookup(b *testing.B) { storetest.BenchLookup(b, benchStore(b)) }

func BenchmarkApply(b *testing.B) { storetest.BenchApply(b, benchStore(b)) }

func BenchmarkCount(b *testing.B) { storetest.BenchCount(b, benchStore(b)) }
