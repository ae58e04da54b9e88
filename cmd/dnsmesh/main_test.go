package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/dnsmesh/dmp/pkg/client"

	"github.com/rogpeppe/go-internal/testscript"
)

// envAsMain makes the test binary act as dnsmesh (used by the end-to-end
// tests, which run it as a real process).
const envAsMain = "DNSMESH_TEST_AS_MAIN"

// envKillAt makes the test binary SIGKILL itself at a receive checkpoint:
// "point:n" kills at the n-th time recv reaches point (see
// client.Checkpoint*). The crash tests use it.
const envKillAt = "DNSMESH_TEST_KILL_AT"

func dnsmeshMain() int {
	client.UseLowCostKDFForTests()
	checkpoint = killAt(os.Getenv(envKillAt))
	return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// killAt returns a checkpoint hook that kills the process with SIGKILL
// at the n-th hit of a point, for spec "point:n"; nil for "".
func killAt(spec string) func(string) {
	if spec == "" {
		return nil
	}
	point, count, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 {
		n = 1
	}
	hits := 0
	return func(p string) {
		if p != point {
			return
		}
		if hits++; hits == n {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way; never run past the point
		}
	}
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
