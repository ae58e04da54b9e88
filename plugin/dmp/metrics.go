package dmp

import (
	"time"

	"github.com/coredns/coredns/plugin"
	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Values of the result label of queriesTotal.
const (
	resultAnswer   = "answer"   // NOERROR with data
	resultNoData   = "nodata"   // NOERROR without data
	resultNXDomain = "nxdomain" // name does not exist
	resultRefused  = "refused"  // outside the served zones, or a zone transfer
	resultServfail = "servfail" // the store failed
	resultDropped  = "dropped"  // over the per-client rate limit
	resultNotAuth  = "notauth"  // TSIG failed: BADKEY, BADSIG, BADTIME or BADTRUNC
	resultFormErr  = "formerr"  // a malformed or misplaced TSIG record
)

// Variables declared for monitoring.
var (
	queriesTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: plugin.Namespace,
		Subsystem: "dmp",
		Name:      "queries_total",
		Help:      "Counter of queries answered by dmp, by query type and result.",
	}, []string{"server", "type", "result"})

	storeDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: plugin.Namespace,
		Subsystem: "dmp",
		Name:      "store_duration_seconds",
		Help:      "Histogram of the time each store operation took.",
		Buckets:   prometheus.ExponentialBuckets(0.00005, 4, 9), // 50µs .. ~3.3s
	}, []string{"op"})

	storedValues = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: plugin.Namespace,
		Subsystem: "dmp",
		Name:      "stored_values",
		Help:      "Number of live TXT values stored in each served zone.",
	}, []string{"zone"})
)

// countQuery counts one answered query. Query types outside the few a DMP
// node serves share the label "other" to keep the label set small.
func countQuery(server string, qtype uint16, result string) {
	t := "other"
	switch qtype {
	case dns.TypeTXT, dns.TypeSOA, dns.TypeNS, dns.TypeA, dns.TypeAAAA, dns.TypeANY,
		dns.TypeAXFR, dns.TypeIXFR:
		t = dns.TypeToString[qtype]
	}
	queriesTotal.WithLabelValues(server, t, result).Inc()
}

// observeStore records how long the store operation op took since start.
func observeStore(op string, start time.Time) {
	storeDuration.WithLabelValues(op).Observe(time.Since(start).Seconds())
}
