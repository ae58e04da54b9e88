#!/usr/bin/env bash
# Runs every test of the project: unit, fuzz smoke, plugin, Redis and
# end-to-end. Missing Debian tools are installed when run as root;
# otherwise the script names them and, with CI=true, fails.
set -euo pipefail
cd "$(dirname "$0")/.."

need=(redis-server:redis-server dig:dnsutils kdig:knot-dnsutils
	nsupdate:dnsutils knsupdate:knot-dnsutils)
missing=()
for pair in "${need[@]}"; do
	cmd=${pair%%:*} pkg=${pair##*:}
	command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "test.sh: installing $pkgs"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
	elif [ "${CI:-}" = true ]; then
		echo "test.sh: missing Debian packages: $pkgs (run as root to install)" >&2
		exit 1
	else
		echo "test.sh: missing Debian packages: $pkgs; tests needing them will skip" >&2
		echo "test.sh: install with: sudo apt-get install -y $pkgs" >&2
	fi
fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 ./...

echo "== fuzz smoke"
scripts/fuzz-smoke.sh
