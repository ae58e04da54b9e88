#!/usr/bin/env bash
# read-qps.sh: read throughput of the dmp plugin against CoreDNS's file
# plugin, on the same 10 000 TXT RRsets, in one run.
#
# Targets (each its own coredns-bench process on 127.0.0.1):
#   file        CoreDNS file plugin, zone file generated from the data
#   dmp-redis   dmp on a local redis-server (cache bypassed, the default)
#   dmp-cache   dmp on Redis behind CoreDNS cache, caching allowed (N14)
#   dmp-bolt    dmp on the embedded bbolt store
#
# Needs: go, redis-server, dnsperf (apt-get install redis-server dnsperf).
# Env: DURATION (s per target and round, default 10), ROUNDS (2),
#      CLIENTS (dnsperf -c, 4), N (RRsets, 10000).
#
# Each round runs every target once; the best round of each target is
# reported, since the slower rounds measure whatever else the machine ran.
set -euo pipefail

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
CLIENTS=${CLIENTS:-4}
N=${N:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

for tool in go redis-server redis-cli dnsperf dig bc python3; do
	command -v "$tool" >/dev/null || { echo "read-qps: $tool not found" >&2; exit 1; }
done

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

echo "building..." >&2
(cd "$ROOT" && go build -o "$WORK/coredns-bench" ./bench/coredns-bench \
	&& go build -o "$WORK/benchdata" ./bench/benchdata)

RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no \
	--dir "$WORK" >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
	redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break
	sleep 0.1
done

echo "writing $N RRsets..." >&2
"$WORK/benchdata" -n "$N" -redis "127.0.0.1:$RPORT" -bolt "$WORK/dmp.db" \
	-zonefile "$WORK/example.org.zone" -queries "$WORK/queries.txt"

# corefile TARGET PORT prints the Corefile of one target.
corefile() {
	local body
	case $1 in
	file) body="file $WORK/example.org.zone" ;;
	dmp-redis) body="dmp {
        redis redis://127.0.0.1:$RPORT
        ns ns1.example.org
    }" ;;
	dmp-cache) body="cache 60 {
        success 20480
    }
    dmp {
        redis redis://127.0.0.1:$RPORT
        ns ns1.example.org
        cache
    }" ;;
	dmp-bolt) body="dmp {
        db $WORK/dmp.db
        ns ns1.example.org
    }" ;;
	esac
	printf 'example.org:%s {\n    bind 127.0.0.1\n    %s\n}\n' "$2" "$body"
}

# bench TARGET prints the QPS dnsperf measured against TARGET.
bench() {
	local port pid qps
	port=$(free_port)
	corefile "$1" "$port" >"$WORK/Corefile.$1"
	"$WORK/coredns-bench" -conf "$WORK/Corefile.$1" >"$WORK/$1.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	for _ in $(seq 100); do
		dig @127.0.0.1 -p "$port" +time=1 +tries=1 example.org SOA >/dev/null 2>&1 && break
		sleep 0.1
	done
	# Warm up (page cache, connection pools, the cache plugin) for 2 s.
	dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries.txt" -l 2 -c "$CLIENTS" >/dev/null 2>&1
	dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries.txt" -l "$DURATION" -c "$CLIENTS" \
		>"$WORK/$1.dnsperf" 2>&1
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	if ! grep -q 'Queries lost: *0 ' "$WORK/$1.dnsperf"; then
		grep 'Queries lost' "$WORK/$1.dnsperf" >&2
	fi
	if ! grep -q 'NOERROR [0-9]* (100.00%)' "$WORK/$1.dnsperf"; then
		echo "read-qps: $1: not every answer was NOERROR:" >&2
		grep -A3 'Response codes' "$WORK/$1.dnsperf" >&2
		exit 1
	fi
	awk '/Queries per second/ {print $4}' "$WORK/$1.dnsperf"
}

declare -A QPS
for round in $(seq "$ROUNDS"); do
	for target in file dmp-redis dmp-cache dmp-bolt; do
		echo "round $round: $target for ${DURATION}s..." >&2
		q=$(bench "$target")
		echo "  $q qps" >&2
		if [ -z "${QPS[$target]:-}" ] || [ "$(echo "$q > ${QPS[$target]}" | bc)" = 1 ]; then
			QPS[$target]=$q
		fi
	done
done

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
# redis-server --version prints "Redis server v=7.0.15 sha=..."; keep the number.
redis_version=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
echo "kernel: $(uname -r); $(go version | cut -d' ' -f3); redis $redis_version"
echo "data: $N TXT RRsets, one 160-byte value each; dnsperf -c $CLIENTS -l $DURATION, UDP;" \
	"best of $ROUNDS rounds"
printf '%-10s %12s %10s\n' target qps "vs file"
for target in file dmp-redis dmp-cache dmp-bolt; do
	printf '%-10s %12.0f %10.2f\n' "$target" "${QPS[$target]}" \
		"$(echo "${QPS[$target]} / ${QPS[file]}" | bc -l)"
done
