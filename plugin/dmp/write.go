package dmp

import (
	"context"

	"github.com/coredns/caddy"
	"github.com/miekg/dns"
)

// writeSide holds the node's write path: RFC 2136 UPDATE with TSIG,
// registration and key administration. Its fields and methods live in this
// file and the other write-side files of the package.
//
// TODO(#5): replace this scaffold with the write path.
type writeSide struct{}

// serveUpdate answers one UPDATE message.
func (d *Dmp) serveUpdate(ctx context.Context, w dns.ResponseWriter, r *dns.Msg) (int, error) {
	m := new(dns.Msg)
	m.SetRcode(r, dns.RcodeNotImplemented)
	w.WriteMsg(m)
	return dns.RcodeNotImplemented, nil
}

// parseOption parses one write-side keyword of the dmp block. It reports
// false for a keyword it does not know.
func (ws *writeSide) parseOption(c *caddy.Controller) (bool, error) { return false, nil }

// start opens the write side's listeners once the store is open.
func (ws *writeSide) start(d *Dmp) error { return nil }

// stop closes what start opened.
func (ws *writeSide) stop() error { return nil }
