package main

import "github.com/dnsmesh/dmp/pkg/client"

// noteSwept reports on stderr what a sweep of orphaned prekeys did: the
// published prekeys without a secret here that it deleted, and, as a
// warning, why some may be left (the next recv or refresh-prekeys tries
// again).
func (a *app) noteSwept(sw client.OrphanSweep) {
	if sw.Deleted > 0 {
		a.note("deleted %d published prekey(s) whose secret is not held here (as after "+
			"'init --restore'); no sender can seal to them now", sw.Deleted)
	}
	if sw.Err != nil {
		a.warn("%s; messages sealed to such prekeys cannot be opened here, and the "+
			"next recv or refresh-prekeys retries the delete", sw.Err)
	}
}
