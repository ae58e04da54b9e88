// Command coredns-bench is coredns-dmp plus CoreDNS's file plugin, built
// only so that bench/read-qps.sh can compare dmp with file in one binary.
// It is not shipped.
package main

import (
	_ "github.com/dnsmesh/dmp/plugin/dmp"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/file"
	_ "github.com/coredns/coredns/plugin/log"
)

func init() {
	dnsserver.Directives = []string{"bind", "errors", "log", "cache", "dmp", "file"}
}

func main() {
	coremain.Run()
}
