#!/bin/bash
# e2e-peer-client.sh - `invigil feed` against a second, independent
# implementation of protocol v1: a client on Node's `ws` package
# (tests/peer/ws-client.js), not libwebsockets.  On the simulator: the
# handshake and subprotocol, hello -> welcome, every message valid and seq
# gapless, resume without duplicates or holes, commands and their acks
# (repeated cmd id, unknown attempt), the 64 KiB cap (1009) and UTF-8 (1007),
# the edges invigil-proto(7) states (any path, a second hello, a hello of
# another version, a plain HTTP request).
# On a replayed scenario: the stream equals the file, resume, refused
# commands.  With --token-file: HTTP 401 without or with a wrong token, as
# the page describes it (text/html, its sentence, no WWW-Authenticate).
# The auth part always runs: `invigil feed` has --token-file.
. "$(dirname "$0")/lib.sh"

PEER=$TESTS/peer

peer_setup

# peer CHECK ARGS...: run one check of ws-client.js; its "ok:" lines go to
# stdout, and its failure is ours.
NCHECKS=0
peer() {
	node "$PEER/ws-client.js" "$@" >"$T/peer.out" 2>"$T/peer.err" ||
	    { cat "$T/peer.out"; fail "$1: $(cat "$T/peer.err")"; }
	cat "$T/peer.out"
	cat "$T/peer.out" >>"$T/oks"
	NCHECKS=$((NCHECKS + 1))
}

# 1. The simulator.
start_feed --simulate 20 --seed 3 --rate 300 --id peer-sim
URL=ws://127.0.0.1:$FEED_PORT/
peer stream "$URL" --count 500 --feed peer-sim
peer resume "$URL" --k 150 --more 150
peer commands "$URL"
peer subprotocol "$URL"
peer limits "$URL"
peer edges "$URL"
peer stream "$URL" --count 50 --feed peer-sim	# still serving after all that
kill -0 "$FEED_PID" 2>/dev/null || fail "the feed died during the checks"

# 2. A replayed scenario: the stream is the file.
python3 "$TESTS/gen-scenario.py" 3000 100 >"$T/scenario.jsonl"
start_feed --replay "$T/scenario.jsonl" --id peer-replay
URL=ws://127.0.0.1:$FEED_PORT/
peer replay "$URL" --scenario "$T/scenario.jsonl" --feed peer-replay
peer resume "$URL" --k 1000 --more 1000
peer refused-commands "$URL"

# 3. Bearer tokens.
TOKEN=peer-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(umask 077; printf '%s\n' "$TOKEN" >"$T/token")
start_feed --simulate 5 --seed 3 --rate 300 --id peer-auth \
    --token-file "$T/token"
peer auth "ws://127.0.0.1:$FEED_PORT/" --token "$TOKEN"

echo "PASS: a ws (Node) client and invigil feed interoperate: handshake, stream, resume, commands, limits, replay, bearer token auth ($NCHECKS checks of ws-client.js passed, $(grep -c '^ok:' "$T/oks") ok lines)"
