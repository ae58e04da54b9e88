package dmp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coredns/caddy"
)

// A CoreDNS reload starts the new instance before it shuts the old one
// down, so the new instance cannot bind the registration or admin address
// the old one holds. CoreDNS's health plugin closes its listener when the
// reload begins; here the listener instead outlives instances: a
// process-wide registry keeps one listener per address, and each dmp
// instance that claims the address stacks its handler on it. The last
// claimant serves; when it releases, the one below serves again; when
// none is left the listener closes. A reload thus serves without a gap,
// and a failed reload hands the address back to the old instance.
var listeners = &listenerRegistry{slots: map[string]*listenSlot{}}

type listenerRegistry struct {
	mu    sync.Mutex
	slots map[string]*listenSlot
}

// listenSlot is one shared listener and the handlers stacked on it.
type listenSlot struct {
	srv     *http.Server
	owners  []*writeSide
	byOwner map[*writeSide]http.Handler
	current atomic.Pointer[http.Handler]
}

func (s *listenSlot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.current.Load()).ServeHTTP(w, r)
}

// top makes the handler of the last owner current.
func (s *listenSlot) top() {
	h := s.byOwner[s.owners[len(s.owners)-1]]
	s.current.Store(&h)
}

// claim serves h for ws on addr, opening the listener if no instance
// holds the address yet.
func (reg *listenerRegistry) claim(what, addr string, ws *writeSide, h http.Handler) error {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	slot := reg.slots[addr]
	if slot == nil {
		var err error
		if slot, err = openSlot(what, addr); err != nil {
			return err
		}
		reg.slots[addr] = slot
	}
	if _, ok := slot.byOwner[ws]; !ok {
		slot.owners = append(slot.owners, ws)
	}
	slot.byOwner[ws] = http.MaxBytesHandler(h, 64<<10)
	slot.top()
	return nil
}

// openSlot binds addr and starts serving on it.
func openSlot(what, addr string) (*listenSlot, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s listener: %w", what, err)
	}
	slot := &listenSlot{byOwner: map[*writeSide]http.Handler{}}
	slot.srv = &http.Server{
		Handler:           slot,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	go func() {
		if err := slot.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Errorf("%s listener: %v", what, err)
		}
	}()
	log.Infof("%s listening on %s", what, l.Addr())
	return slot, nil
}

// release removes ws from addr and closes the listener when no instance
// is left on it.
func (reg *listenerRegistry) release(ctx context.Context, addr string, ws *writeSide) error {
	reg.mu.Lock()
	slot := reg.slots[addr]
	if slot == nil {
		reg.mu.Unlock()
		return nil
	}
	slot.owners = slices.DeleteFunc(slot.owners, func(o *writeSide) bool { return o == ws })
	delete(slot.byOwner, ws)
	if len(slot.owners) > 0 {
		slot.top()
		reg.mu.Unlock()
		return nil
	}
	delete(reg.slots, addr)
	reg.mu.Unlock()
	return slot.srv.Shutdown(ctx)
}

// reclaim puts ws's handlers back on top of its addresses, for a reload
// that failed after the new instance had claimed them.
func (reg *listenerRegistry) reclaim(ws *writeSide) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	for _, addr := range ws.addrs {
		slot := reg.slots[addr]
		if slot == nil || slot.byOwner[ws] == nil {
			continue
		}
		slot.owners = slices.DeleteFunc(slot.owners, func(o *writeSide) bool { return o == ws })
		slot.owners = append(slot.owners, ws)
		slot.top()
	}
}

// hookRestartFailed registers, once per instance, the callback that takes
// the listeners back when a reload fails.
func (ws *writeSide) hookRestartFailed(c *caddy.Controller) {
	if ws.hooked {
		return
	}
	ws.hooked = true
	c.OnRestartFailed(func() error {
		listeners.reclaim(ws)
		return nil
	})
}
