#!/usr/bin/python3
"""Send one TSIG-signed DNS UPDATE the way the DMP reference client does.

The reference writer (records-server-cli.md section B.4) builds a
dns.update.UpdateMessage for the zone, adds one TXT RR, signs it with a
keyring holding a dns.tsig.Key, sends it with dns.query.udp and
raise_on_truncation=True, and sends it again with dns.query.tcp when
dnspython raises dns.message.Truncated. A value longer than 255 bytes is
written as several quoted strings in the one RR, as DECISIONS W7 asks.

Usage:
  dnspython_update.py SERVER PORT ZONE KEYNAME SECRET_HEX ALGORITHM OWNER TTL < VALUE

It prints one JSON object: the rcode, the transport that carried the
answer, the size of the UPDATE and whether the reply carried a TSIG
(dnspython verifies it against the key when present). The exit status is
0 for NOERROR and 1 otherwise.
"""

import json
import sys

import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.tsig
import dns.update

STRING_MAX = 255


def quoted_strings(value: bytes) -> str:
    """Return value as 255-byte presentation-format strings, space-separated."""
    parts = []
    for i in range(0, len(value), STRING_MAX):
        piece = value[i:i + STRING_MAX]
        out = []
        for byte in piece:
            if byte in (0x22, 0x5C):  # '"' and '\'
                out.append("\\" + chr(byte))
            elif 0x20 <= byte < 0x7F:
                out.append(chr(byte))
            else:
                out.append("\\%03d" % byte)
        parts.append('"' + "".join(out) + '"')
    return " ".join(parts)


def build(zone, keyname, secret, algorithm, owner, ttl, value):
    """Build and sign the UPDATE as the reference writer does."""
    kname = dns.name.from_text(keyname)
    key = dns.tsig.Key(name=kname, secret=secret, algorithm=algorithm)
    upd = dns.update.UpdateMessage(zone)
    upd.add(dns.name.from_text(owner), ttl, "TXT", quoted_strings(value))
    upd.use_tsig({kname: key}, keyname=kname, algorithm=algorithm)
    return upd


def send(upd, server, port):
    """UDP first; TCP again when the reply says it was truncated."""
    try:
        reply = dns.query.udp(upd, server, port=port, timeout=5.0,
                              raise_on_truncation=True)
        return reply, "udp"
    except dns.message.Truncated:
        reply = dns.query.tcp(upd, server, port=port, timeout=5.0)
        return reply, "tcp"


def main(argv):
    if len(argv) != 9:
        sys.stderr.write(__doc__)
        return 2
    server, port, zone, keyname, secret_hex, algorithm, owner, ttl = argv[1:]
    value = sys.stdin.buffer.read()
    upd = build(zone, keyname, bytes.fromhex(secret_hex), algorithm, owner,
                int(ttl), value)
    size = len(upd.to_wire())
    try:
        reply, transport = send(upd, server, int(port))
    except Exception as exc:  # report every failure the same way
        print(json.dumps({"error": "%s: %s" % (type(exc).__name__, exc),
                          "update_bytes": size}))
        return 1
    rcode = dns.rcode.to_text(reply.rcode())
    print(json.dumps({"rcode": rcode, "transport": transport,
                      "update_bytes": size, "signed_reply": reply.had_tsig}))
    return 0 if rcode == "NOERROR" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
