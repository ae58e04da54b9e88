package dmp

import (
	"context"
	"time"
)

// Maintenance timing: how often expired values are swept and the stored
// values gauge refreshed, and how long one round may take.
const (
	maintainInterval = time.Minute
	maintainTimeout  = 30 * time.Second
)

// maintainer sweeps expired values and refreshes the stored values gauge
// in the background (records-server-cli.md §B.13). Several nodes on one
// Redis each sweep; a sweep is idempotent.
type maintainer struct {
	stop chan struct{}
	done chan struct{}
}

// startMaintainer runs d's maintenance every interval until stopped.
func startMaintainer(d *Dmp, interval time.Duration) *maintainer {
	m := &maintainer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		d.maintainOnce()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				d.maintainOnce()
			}
		}
	}()
	return m
}

// close stops the maintenance goroutine and waits for it.
func (m *maintainer) close() {
	close(m.stop)
	<-m.done
}

// maintainOnce sweeps once and updates the gauge for every zone.
func (d *Dmp) maintainOnce() {
	ctx, cancel := context.WithTimeout(context.Background(), maintainTimeout)
	defer cancel()

	start := time.Now()
	_, err := d.Store.Sweep(ctx, d.Now())
	observeStore("sweep", start)
	if err != nil {
		d.health.failed(err)
		return
	}
	for _, z := range d.Zones {
		n, err := d.Store.Count(ctx, z, d.Now())
		if err != nil {
			d.health.failed(err)
			return
		}
		storedValues.WithLabelValues(z).Set(float64(n))
	}
	d.health.ok()
}
