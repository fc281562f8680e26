#!/bin/bash
# e2e-subprotocol.sh - a feed (tests/peer/ws-script.js, Node's ws) that
# accepts the WebSocket upgrade without selecting the subprotocol
# invigil.v1: the console must not speak to it.  It closes each such
# connection with 1002 and the reason "the subprotocol invigil.v1 was not
# agreed" before sending hello, says why on stderr, takes nothing from the
# connection (on odd connections the feed sends a welcome and a message at
# once), and tries again later.  The close code is checked on the even
# connections, where the feed waits as a feed does: with the feed's bytes
# unread, lws may end the connection without the close frame arriving
# (the feed then sees 1006).
. "$(dirname "$0")/lib.sh"
watchdog 60

TS=2026-11-23T18:00:00.000Z
cat >"$T/script" <<EOS
{"t":"welcome","ts":"$TS","feed":"nosub","name":"No subprotocol","epoch":5,"first_seq":1,"last_seq":1}
{"t":"attempt","seq":1,"ts":"$TS","attempt":"A0001","candidate":"C1","name":"Ana","exam":"E1","modality":"remote","state":"in_progress"}
EOS
# The script runs on a connection's first message; this feed speaks first.
node -e '
const WebSocket = require(process.argv[1] + "/node_modules/ws");
const lines = require("fs").readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean);
const wss = new WebSocket.Server({ host: "127.0.0.1", port: 0, handleProtocols: () => false });
let n = 0;
const log = (o) => process.stdout.write(JSON.stringify(o) + "\n");
wss.on("listening", () => log({ ev: "listening", port: wss.address().port }));
wss.on("connection", (ws, req) => {
	const c = ++n;
	log({ ev: "connected", n: c, offered: req.headers["sec-websocket-protocol"], protocol: ws.protocol });
	if (c % 2 === 1)
		for (const l of lines) ws.send(l);
	ws.on("message", (d) => log({ ev: "recv", n: c, msg: d.toString() }));
	ws.on("close", (code, reason) => log({ ev: "closed", n: c, code, reason: reason.toString() }));
	ws.on("error", () => {});
});
process.on("SIGTERM", () => process.exit(0));
' "$TESTS/peer" "$T/script" >"$T/peer.log" 2>&1 &
PEER_PID=$!
PIDS="$PIDS $PEER_PID"
peer_setup
port() { PORT=$(sed -n 's/.*"listening","port":\([0-9]*\).*/\1/p' "$T/peer.log"); [ -n "$PORT" ]; }
wait_for 10 port || fail "the peer did not start: $(cat "$T/peer.log")"

DB=$T/s.db
"$INVIGIL" --headless --feed "ws://127.0.0.1:$PORT/" --db "$DB" \
    </dev/null >"$T/out" 2>"$T/err" &
CONSOLE=$!
PIDS="$PIDS $CONSOLE"
thrice() { [ "$(grep -c '"ev":"closed"' "$T/peer.log")" -ge 3 ]; }
wait_for 20 thrice || fail "the console did not close three times: $(cat "$T/peer.log") $(cat "$T/err")"
stop_ok $CONSOLE console
cat "$T/peer.log"

grep -q '"ev":"connected","n":1,"offered":"invigil.v1"' "$T/peer.log" ||
    fail "the console did not offer invigil.v1"
for n in $(sed -n 's/.*"ev":"closed","n":\([0-9]*[02468]\),.*/\1/p' "$T/peer.log"); do
	grep -q "\"ev\":\"closed\",\"n\":$n,\"code\":1002,\"reason\":\"the subprotocol invigil.v1 was not agreed\"" "$T/peer.log" ||
	    fail "connection $n was not closed with 1002 and the reason"
done
grep '"ev":"closed"' "$T/peer.log" | grep -vq '"code":100[26]' &&
    fail "a connection closed with another code"
grep -q '"ev":"recv"' "$T/peer.log" && fail "the console spoke (hello) on a connection without invigil.v1"
grep -q 'did not select the subprotocol invigil.v1.*closed with 1002' "$T/err" ||
    fail "the console did not say why: $(cat "$T/err")"
q() { sqlite3 -readonly "$DB" "$1" 2>/dev/null; }
[ "$(q "select count(*) from messages") $(q "select count(*) from feeds where feed = 'nosub'") $(q "select count(*) from rejects")" = "0 0 0" ] ||
    fail "something was taken from the connection: $(q "select count(*) from messages"), $(q "select * from feeds"), $(q "select reason from rejects")"
codes=$(sed -n 's/.*"ev":"closed","n":[0-9]*,"code":\([0-9]*\).*/\1/p' "$T/peer.log" | sort | uniq -c | awk '{printf "%s%s x %s", (NR > 1 ? ", " : ""), $1, $2}')
echo "PASS: a feed that selects no subprotocol: each connection closed with 1002 (the subprotocol invigil.v1 was not agreed) before hello, said on stderr, nothing taken in, tried again ($(grep -c '"ev":"connected"' "$T/peer.log") connections, closes: $codes; 0 messages, 0 rejects; console exited 0)"
