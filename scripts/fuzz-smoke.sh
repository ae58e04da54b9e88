#!/usr/bin/env bash
# Runs every native fuzz target briefly: FUZZTIME each (default 5s).
# A failing target prints its output, including the failing input's path
# under the package's testdata/fuzz, and the script exits non-zero.
#
# Go 1.26's fuzz coordinator can report a bare "context deadline exceeded"
# when -fuzztime runs out while a worker is mid-call (golang/go#75804,
# fixed in Go 1.27); it writes no failing input. Such a run is retried, up
# to three tries; any other failure, or one that wrote an input, fails.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-5s}
n=0

# deadline_race reports whether out is the coordinator's race alone.
deadline_race() {
	grep -q '^    context deadline exceeded$' <<<"$1" &&
		! grep -q 'Failing input written to' <<<"$1"
}

# fuzz_one runs target $2 of package $1, retrying the deadline race.
fuzz_one() {
	local out try
	for try in 1 2 3; do
		if out=$(go test -run '^$' -fuzz "^$2\$" -fuzztime "$t" "$1" 2>&1); then
			return 0
		fi
		deadline_race "$out" || break
		echo "fuzz-smoke: $1 $2: Go's fuzztime deadline race (golang/go#75804), try $try"
	done
	printf '%s\n' "$out" >&2
	echo "fuzz-smoke: $1 $2 failed" >&2
	return 1
}

while read -r pkg dir; do
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null |
		sed 's/^func //'); do
		echo "fuzz $pkg $f ($t)"
		fuzz_one "$pkg" "$f" || exit 1
		n=$((n + 1))
	done
done < <(go list -f '{{.ImportPath}} {{.Dir}}' ./...)
echo "fuzz-smoke: $n targets passed"
