#!/usr/bin/env bash
# client-timings.sh: wall time of `dnsmesh send` and `dnsmesh recv` of a
# 1 KiB message on loopback, split into Argon2id (the passphrase KDF every
# command runs once) and the rest.
#
# 1. Argon2id alone: the Go benchmark of keys.FromPassphrase
#    (bench/clienttime).
# 2. A coredns-dmp node on 127.0.0.1 with the embedded store, alice and
#    bob registered, published and pinned (as scripts/demo.sh does).
# 3. N rounds (default 10) of: alice sends bob a fresh 1 KiB message, bob
#    receives it (checked). Each command is timed from the shell.
#
# Needs Go only. Env: N (rounds, default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10}
zone=mesh.example
work=$(mktemp -d "${TMPDIR:-/tmp}/dmp-timings.XXXXXX")
node_pid=
cleanup() {
	if [ -n "$node_pid" ]; then
		kill -TERM "$node_pid" 2>/dev/null || true
		wait "$node_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

echo "client-timings: Argon2id benchmark..." >&2
argon_ns=$(go test -run '^$' -bench '^BenchmarkFromPassphrase$' -benchtime 20x \
	./bench/clienttime | awk '/^BenchmarkFromPassphrase/ {print $3}')
[ -n "$argon_ns" ] || { echo "client-timings: benchmark printed no result" >&2; exit 1; }

echo "client-timings: building and starting a node..." >&2
go build -o "$work" ./cmd/coredns-dmp ./cmd/dnsmesh

# http_status prints the status of GET http://127.0.0.1:$1$2 (bash /dev/tcp).
http_status() {
	local code
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&3
	IFS=' ' read -r _ code _ <&3 || true
	exec 3<&- 3>&-
	printf '%s' "$code"
}

start_node() {
	port=$((20000 + RANDOM % 20000))
	cat >"$work/Corefile" <<EOF
$zone:$port {
    bind 127.0.0.1
    ready 127.0.0.1:$((port + 2))
    dmp {
        db $work/dmp.db
        registration 127.0.0.1:$((port + 1)) node.$zone
    }
}
EOF
	(cd "$work" && exec ./coredns-dmp -conf Corefile >node.log 2>&1) &
	node_pid=$!
	for _ in $(seq 100); do
		kill -0 "$node_pid" 2>/dev/null || { node_pid=; return 1; }
		[ "$(http_status $((port + 2)) /ready 2>/dev/null)" = 200 ] && return 0
		sleep 0.2
	done
	return 1
}
for _ in 1 2 3 4 5; do start_node && break; done
[ -n "$node_pid" ] || { echo "client-timings: node did not start" >&2; exit 1; }

as() {
	local u=$1
	shift
	DMP_CONFIG_HOME=$work/$u DMP_PASSPHRASE="timing pass $u" "$work/dnsmesh" "$@"
}
for u in alice bob; do
	as $u init $u --domain $zone --dns-server "127.0.0.1:$port" \
		--register-url "http://127.0.0.1:$((port + 1))" >/dev/null
	as $u tsig register >/dev/null
	as $u identity publish --advertise-v2 >/dev/null
	as $u identity refresh-prekeys --count $((N + 20)) >/dev/null
done
as alice identity fetch bob@$zone --add >/dev/null
as bob identity fetch alice@$zone --add >/dev/null

# now_us prints the time in microseconds.
now_us() { local t=${EPOCHREALTIME/./}; printf '%s' "$t"; }

echo "client-timings: $N rounds of send + recv of 1 KiB..." >&2
send_us=0 recv_us=0
for i in $(seq "$N"); do
	msg="round $i $(head -c 1536 /dev/urandom | base64 -w0)"
	msg=${msg:0:1024}
	t0=$(now_us)
	printf '%s' "$msg" | as alice send bob@$zone - >/dev/null
	t1=$(now_us)
	out=$(as bob recv)
	t2=$(now_us)
	case $out in
	*"$msg"*) ;;
	*) echo "client-timings: round $i: bob did not receive the message" >&2; exit 1 ;;
	esac
	send_us=$((send_us + t1 - t0)) recv_us=$((recv_us + t2 - t1))
done

awk -v a="$argon_ns" -v s="$send_us" -v r="$recv_us" -v n="$N" 'BEGIN {
	argon = a / 1e6; send = s / n / 1000; recv = r / n / 1000
	printf "client timings, 1 KiB message on loopback, mean of %d rounds\n\n", n
	printf "%-22s %9s %14s %9s %15s\n", "command", "total ms", "Argon2id ms", "rest ms",
		"Argon2id share"
	printf "%-22s %9.1f %14.1f %9.1f %14.0f%%\n", "dnsmesh send", send, argon,
		send - argon, 100 * argon / send
	printf "%-22s %9.1f %14.1f %9.1f %14.0f%%\n", "dnsmesh recv", recv, argon,
		recv - argon, 100 * argon / recv
	printf "\nrecv / send: %.2f   keys.FromPassphrase alone: %.1f ms\n", recv / send, argon
}'
