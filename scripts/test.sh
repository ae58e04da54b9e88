#!/usr/bin/env bash
# Runs every test of the project, in this order: go vet and gofmt, the
# binaries' build, unit tests, plugin tests, Redis tests, end-to-end tests
# (real coredns-dmp processes queried with dig, kdig, nsupdate, knsupdate
# and dnsmesh), a short fuzz run of every fuzz target, and the main job
# (scripts/demo.sh) so its transcript lands in the log, and a short run of
# every benchmark in bench/ so none of them rots. Prints the time of each
# stage and of the whole run.
#
# Tests start their own redis-server processes (internal/redistest); no
# system Redis needs to run. Missing Debian tools are installed when run as
# root; otherwise the script names them. With CI=true a missing tool is a
# failure, never a skip.
#
# Environment: CI=true (strict), FUZZTIME (per fuzz target, default 3s).
set -euo pipefail
cd "$(dirname "$0")/.."

# Tool → Debian package, for everything the tests run.
need=(redis-server:redis-server redis-cli:redis-tools dig:dnsutils
	nsupdate:dnsutils kdig:knot-dnsutils knsupdate:knot-dnsutils
	faketime:faketime dnsperf:dnsperf bc:bc)
# Not a command: Debian's python3 with dnspython (plugin/dmp's interop test
# signs UPDATEs with the reference client's library).
need+=(dnspython:python3-dnspython)

# have reports whether a tool of the need list is present.
have() {
	case $1 in
	dnspython) /usr/bin/python3 -c 'import dns.update, dns.query' >/dev/null 2>&1 ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

# install_missing installs or names the Debian packages of missing tools.
install_missing() {
	local missing=() pair cmd
	for pair in "${need[@]}"; do
		cmd=${pair%%:*}
		have "$cmd" || missing+=("$pair")
	done
	[ ${#missing[@]} -eq 0 ] && return 0

	local tools pkgs
	tools=$(printf '%s\n' "${missing[@]}" | cut -d: -f1 | tr '\n' ' ')
	pkgs=$(printf '%s\n' "${missing[@]}" | cut -d: -f2 | sort -u | tr '\n' ' ')
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "test.sh: missing ${tools% }; installing Debian packages: ${pkgs% }"
		apt-get update -qq
		# shellcheck disable=SC2086 # one word per package
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$pkgs >/dev/null
		for pair in "${missing[@]}"; do
			have "${pair%%:*}" || {
				echo "test.sh: ${pair%%:*} still missing after installing ${pair##*:}" >&2
				exit 1
			}
		done
		return 0
	fi
	echo "test.sh: missing tools: ${tools% }" >&2
	echo "test.sh: install them with: sudo apt-get install -y ${pkgs% }" >&2
	if [ "${CI:-}" = true ]; then
		echo "test.sh: CI=true, so a missing tool is a failure" >&2
		exit 1
	fi
	echo "test.sh: tests that need them will be skipped" >&2
}

# stage runs one named step and prints how long it took.
stage() {
	local name=$1 t0=$SECONDS
	shift
	echo
	echo "== $name"
	"$@"
	echo "-- $name: $((SECONDS - t0)) s"
}

# gofmt_check fails when any Go file is not gofmt-formatted.
gofmt_check() {
	local bad
	bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
	if [ -n "$bad" ]; then
		echo "not gofmt-formatted:" >&2
		echo "$bad" >&2
		return 1
	fi
}

# build_binaries builds every command, as `go install ./cmd/...` would.
build_binaries() {
	local out
	out=$(mktemp -d)
	go build -o "$out" ./cmd/...
	ls "$out"
	rm -rf "$out"
}

# bench_smoke runs each benchmark in bench/ for about a second on a small
# data set: it checks that they still run, not how fast (their figures are
# in bench/README.md, measured with the defaults).
bench_smoke() {
	local t
	for t in dnsperf bc redis-server redis-cli dig; do
		if ! have "$t"; then
			[ "${CI:-}" = true ] && { echo "test.sh: $t missing" >&2; return 1; }
			echo "test.sh: $t missing: benchmark smoke skipped"
			return 0
		fi
	done
	DURATION=1 ROUNDS=1 N=300 bench/read-qps.sh
	go run ./bench/updateload -duration 1s -rounds 1
	N=1 bench/client-timings.sh
}

command -v go >/dev/null || { echo "test.sh: go is not on PATH" >&2; exit 1; }

# Package groups. Every package is in exactly one; unit gets the rest.
plugin_pkgs=$(go list ./plugin/...)
redis_pkgs=$(go list ./internal/store/... ./internal/redistest/...)
e2e_pkgs=$(go list ./cmd/...)
unit_pkgs=$(go list ./... | grep -vxF -e "$plugin_pkgs" -e "$redis_pkgs" -e "$e2e_pkgs")
install_missing
if [ "${CI:-}" = true ]; then
	echo "test.sh: CI=true: tests needing a missing tool fail instead of skipping"
fi

# shellcheck disable=SC2086 # word-split package lists on purpose
{
	stage "go vet" go vet ./...
	stage "gofmt" gofmt_check
	stage "build coredns-dmp, dnsmesh, dmpctl" build_binaries
	stage "unit tests" go test -count=1 $unit_pkgs
	stage "plugin tests" go test -count=1 $plugin_pkgs
	stage "store and Redis tests" go test -count=1 $redis_pkgs
	stage "end-to-end tests (coredns-dmp, dig, kdig, nsupdate, dnsmesh)" \
		go test -count=1 $e2e_pkgs
	stage "fuzz smoke (${FUZZTIME:-3s} per target)" env FUZZTIME="${FUZZTIME:-3s}" \
		scripts/fuzz-smoke.sh
	stage "main job: scripts/demo.sh" scripts/demo.sh
	stage "benchmark smoke (bench/, about a second each)" bench_smoke
}

echo
echo "test.sh: all passed in $((SECONDS / 60)) min $((SECONDS % 60)) s"
