package names_test

import (
	"fmt"

	"github.com/dnsmesh/dmp/pkg/names"
)

func ExampleClassify() {
	o := names.Classify("Claim-8.mb-66446940f5ce.Provider.Example.", "provider.example")
	fmt.Println(o.Kind, o.Slot, o.Hash, o.Domain)

	o = names.Classify("rotate.dmp.alice.provider.example", "provider.example")
	fmt.Println(o.Kind, o.Of, o.Domain)
	// Output:
	// claim 8 66446940f5ce provider.example
	// rotation identity (zone-anchored) alice.provider.example
}
