package dmp

import (
	"context"
	"sync/atomic"
	"time"

	clog "github.com/coredns/coredns/plugin/pkg/log"
)

var log = clog.NewWithPlugin("dmp")

// readyTimeout bounds the store ping behind Ready.
const readyTimeout = time.Second

// storeHealth logs a store outage once when it starts and once when it
// ends, rather than once per failed query. Every store call goes through
// it, the startup check included, so an outage gets one line naming the
// store and, for Redis, what to check (a wrong password, an untrusted
// certificate).
type storeHealth struct {
	down    atomic.Bool
	source  string             // the store, as "redis standalone [host:port]"
	explain func(error) string // what the operator should check; nil: "unavailable"
}

// failed records a store error, logging it if the store was up.
func (h *storeHealth) failed(err error) {
	if !h.down.CompareAndSwap(false, true) {
		return
	}
	problem := "unavailable"
	if h.explain != nil {
		problem = h.explain(err)
	}
	log.Errorf("%s: %s; answering SERVFAIL until it is back: %v", h.name(), problem, err)
}

// ok records a successful store call, logging the recovery if it was down.
func (h *storeHealth) ok() {
	if h.down.Load() && h.down.CompareAndSwap(true, false) {
		log.Infof("%s: store available again", h.name())
	}
}

func (h *storeHealth) name() string {
	if h.source == "" {
		return "store"
	}
	return h.source
}

// record reports the outcome of one store call: failed for an error, ok
// for none. Only calls that reached the store may be recorded, so that an
// answer built without it never reads as a recovery.
func (h *storeHealth) record(err error) {
	if err != nil {
		h.failed(err)
		return
	}
	h.ok()
}

// Ready implements the ready.Readiness interface: dmp is ready when its
// store answers a ping.
func (d *Dmp) Ready() bool {
	if d.Store == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()

	if err := d.Store.Ping(ctx); err != nil {
		d.health.failed(err)
		return false
	}
	d.health.ok()
	return true
}
