#!/usr/bin/env bash
# Runs every native fuzz target briefly: FUZZTIME each (default 5s).
# A failing target prints its output, including the failing input's path
# under the package's testdata/fuzz, and the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-5s}
n=0
while read -r pkg dir; do
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null |
		sed 's/^func //'); do
		echo "fuzz $pkg $f ($t)"
		if ! out=$(go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg" 2>&1); then
			printf '%s\n' "$out" >&2
			echo "fuzz-smoke: $pkg $f failed" >&2
			exit 1
		fi
		n=$((n + 1))
	done
done < <(go list -f '{{.ImportPath}} {{.Dir}}' ./...)
echo "fuzz-smoke: $n targets passed"
