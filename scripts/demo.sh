#!/usr/bin/env bash
# The main job: two identities exchange an end-to-end encrypted message
# through a real coredns-dmp node on this machine.
#
# Builds coredns-dmp, dnsmesh and dmpctl into a temporary folder, starts a
# node on 127.0.0.1 (free ports, embedded bbolt store), creates alice and
# bob in separate config homes, registers their TSIG keys over the node's
# registration endpoint, publishes identities and prekeys, pins each other,
# sends a message each way and receives it. Every command is printed with
# `$` and its output indented. The node is stopped and the temporary
# folder removed on exit, also on failure; any failure exits non-zero.
#
# Needs Go and the clone only: no root, no Debian package; the network only
# for Go's module download on the first build.
#
# Environment:
#   DEMO_ALICE_PASSPHRASE, DEMO_BOB_PASSPHRASE  passphrases (defaults below)
#   DEMO_KEEP=1  keep the temporary folder (node log, config homes)
set -euo pipefail
cd "$(dirname "$0")/.."

zone=mesh.example
work=$(mktemp -d "${TMPDIR:-/tmp}/dmp-demo.XXXXXX")
bin=$work/bin
node_pid=

# cleanup stops the node and removes the work folder, whatever happened.
cleanup() {
	local rc=$?
	if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
		kill -TERM "$node_pid" 2>/dev/null || true
		wait "$node_pid" 2>/dev/null || true
	fi
	if [ "$rc" != 0 ]; then
		echo "demo: FAILED (exit $rc)" >&2
		if [ -s "$work/node/node.log" ]; then
			echo "demo: last lines of the node log:" >&2
			tail -n 20 "$work/node/node.log" | sed 's/^/    /' >&2
		fi
	fi
	if [ "${DEMO_KEEP:-}" = 1 ]; then
		echo "demo: kept $work" >&2
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# quote prints its arguments as a shell would need them typed.
quote() {
	local a s=
	for a in "$@"; do
		case $a in
		*[[:space:]\'\"\$*?]*) s+=" \"$a\"" ;;
		*) s+=" $a" ;;
		esac
	done
	printf '%s' "${s# }"
}

# show prints a command as typed, runs it and indents its output. The
# command's exit status is the function's.
show() {
	local who=$1
	shift
	local disp
	disp=$(quote "$@")
	printf '\n%s$ %s\n' "$who" "${disp//$bin\//}"
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ -n "$out" ]; then
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	LAST_OUTPUT=$out
	if [ "$rc" != 0 ]; then
		echo "demo: '$*' exited $rc" >&2
		return "$rc"
	fi
}

# as runs dnsmesh as one user: own config home, passphrase from the
# environment (never on the command line).
as() {
	local user=$1
	shift
	local pass
	case $user in
	alice) pass=${DEMO_ALICE_PASSPHRASE:-correct horse battery alice} ;;
	bob) pass=${DEMO_BOB_PASSPHRASE:-correct horse battery bob} ;;
	esac
	DMP_CONFIG_HOME=$work/$user DMP_PASSPHRASE=$pass "$bin/dnsmesh" "$@"
}

# dnsmesh_as wraps `as` so the transcript reads like a user's shell.
dnsmesh_as() {
	local user=$1
	shift
	printf '\n[%s] $ dnsmesh %s\n' "$user" "$(quote "$@")"
	local out rc=0
	out=$(as "$user" "$@" 2>&1) || rc=$?
	if [ -n "$out" ]; then
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	LAST_OUTPUT=$out
	if [ "$rc" != 0 ]; then
		echo "demo: '$user: dnsmesh $*' exited $rc" >&2
		return "$rc"
	fi
}

# expect fails the demo unless the last output contains $1.
expect() {
	case $LAST_OUTPUT in
	*"$1"*) ;;
	*)
		echo "demo: expected output containing: $1" >&2
		return 1
		;;
	esac
}

# http_status prints the status code of GET http://127.0.0.1:$1$2, using
# bash's /dev/tcp so no curl is needed.
http_status() {
	local line
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
	IFS=' ' read -r _ line _ <&3 || true
	exec 3<&- 3>&-
	printf '%s' "$line"
}

# start_node writes the Corefile for random ports and starts the node. It
# returns 1 when the node exits before it is ready (a port was taken).
start_node() {
	dns_port=$((20000 + RANDOM % 20000))
	reg_port=$((dns_port + 1)) admin_port=$((dns_port + 2)) ready_port=$((dns_port + 3))
	mkdir -p "$work/node"
	head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/node/admin.token"
	chmod 600 "$work/node/admin.token"
	cat >"$work/node/Corefile" <<EOF
$zone:$dns_port {
    bind 127.0.0.1
    errors
    ready 127.0.0.1:$ready_port
    dmp {
        db $work/node/dmp.db
        ns node.$zone
        registration 127.0.0.1:$reg_port node.$zone
        admin 127.0.0.1:$admin_port $work/node/admin.token
    }
}
EOF
	(cd "$work/node" && exec "$bin/coredns-dmp" -conf Corefile >node.log 2>&1) &
	node_pid=$!
	for _ in $(seq 1 100); do
		if ! kill -0 "$node_pid" 2>/dev/null; then
			wait "$node_pid" 2>/dev/null || true
			node_pid=
			return 1
		fi
		if [ "$(http_status "$ready_port" /ready 2>/dev/null)" = 200 ]; then
			return 0
		fi
		sleep 0.2
	done
	echo "demo: the node did not become ready within 20 s" >&2
	exit 1
}

echo "== DMP demo: alice and bob exchange encrypted messages through a local node"
echo "   (work folder $work)"

echo
echo "== 1. Build"
mkdir -p "$bin"
show "" go build -o "$bin" ./cmd/coredns-dmp ./cmd/dnsmesh ./cmd/dmpctl

echo
echo "== 2. Start a coredns-dmp node on 127.0.0.1 with the embedded store"
started=
for _ in 1 2 3 4 5; do
	if start_node; then
		started=1
		break
	fi
done
if [ -z "$started" ]; then
	echo "demo: the node failed to start five times; its log:" >&2
	sed 's/^/    /' "$work/node/node.log" >&2
	exit 1
fi
echo "Corefile:"
sed 's/^/    /' "$work/node/Corefile"
echo "node pid $node_pid: DNS on 127.0.0.1:$dns_port (UDP and TCP)," \
	"registration on http://127.0.0.1:$reg_port, ready on :$ready_port/ready"

echo
echo "== 3. Create identities (alice and bob each have their own config home;"
echo "      DMP_PASSPHRASE comes from the environment, never the command line)"
for u in alice bob; do
	dnsmesh_as $u init $u --domain $zone --dns-server "127.0.0.1:$dns_port" \
		--register-url "http://127.0.0.1:$reg_port"
done

echo
echo "== 4. Register a TSIG key with the node (challenge, signature, proof of possession)"
for u in alice bob; do
	dnsmesh_as $u tsig register
done
show "[operator] " "$bin/dmpctl" --admin "http://127.0.0.1:$admin_port" \
	--token-file "$work/node/admin.token" keys list
expect "alice"

echo
echo "== 5. Publish identities and one-time prekeys (signed DNS UPDATEs)"
for u in alice bob; do
	dnsmesh_as $u identity publish --advertise-v2
	dnsmesh_as $u identity refresh-prekeys --count 5
done

echo
echo "== 6. Fetch and pin each other (no trust on first use)"
dnsmesh_as alice identity fetch bob@$zone --add
dnsmesh_as bob identity fetch alice@$zone --add
dnsmesh_as alice contacts list

echo
echo "== 7. alice -> bob"
dnsmesh_as alice send bob@$zone "Hi Bob, this travelled through DNS TXT records."
dnsmesh_as bob recv
expect "Hi Bob, this travelled through DNS TXT records."

echo
echo "== 8. bob -> alice"
dnsmesh_as bob send alice@$zone "Hello Alice, got it, encrypted end to end."
dnsmesh_as alice recv
expect "Hello Alice, got it, encrypted end to end."

echo
echo "== 9. A second recv finds nothing new (each message is delivered once)"
dnsmesh_as bob recv
case $LAST_OUTPUT in
*"Hi Bob"*)
	echo "demo: the message was delivered twice" >&2
	exit 1
	;;
esac

echo
echo "== Done: both messages delivered. Stopping the node."
