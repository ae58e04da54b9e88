package main

import (
	"os"
	"testing"

	"github.com/dnsmesh/dmp/pkg/client"

	"github.com/rogpeppe/go-internal/testscript"
)

// envAsMain makes the test binary act as dnsmesh (used by the end-to-end
// tests, which run it as a real process).
const envAsMain = "DNSMESH_TEST_AS_MAIN"

func dnsmeshMain() int {
	client.UseLowCostKDFForTests()
	return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

func TestMain(m *testing.M) {
	client.UseLowCostKDFForTests()
	if os.Getenv(envAsMain) == "1" {
		os.Exit(dnsmeshMain())
	}
	testscript.Main(m, map[string]func(){
		"dnsmesh": func() { os.Exit(dnsmeshMain()) },
	})
}

// TestScripts runs the CLI scripts in testdata/*.txt.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			env.Setenv("DMP_CONFIG_HOME", env.WorkDir+"/home")
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
	})
}
