// Command coredns-dmp is CoreDNS built with the dmp plugin and the few
// plugins a DMP node needs around it, and nothing else.
package main

import (
	_ "github.com/dnsmesh/dmp/plugin/dmp"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

// directives is the plugin order of every server block, first to see a
// query first, in CoreDNS's own relative order (core/dnsserver/zdirectives.go).
// cache sits in front of dmp so that, when a Corefile allows it, answers
// are served from the cache; by default dmp zones bypass it (DECISIONS N14).
var directives = []string{
	"reload",
	"bind",
	"ready",
	"health",
	"prometheus",
	"errors",
	"log",
	"cache",
	"dmp",
}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
