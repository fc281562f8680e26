#!/bin/bash
# e2e-hostile.sh - hostile strings reach the screen only through the display
# sanitiser (escape sequences and bidi overrides shown as visible escapes)
# while the database keeps the raw bytes; a feed that refuses the console's
# token is shown as REFUSED and the console goes on with its other feed.
. "$(dirname "$0")/lib.sh"

cat >"$T/hostile.jsonl" <<'JSONL'
{"t":"attempt","attempt":"H1","candidate":"C1","name":"\u001b[2J\u001b[31mOWNED","exam":"E","modality":"remote","state":"in_progress"}
{"t":"attempt","attempt":"H2","candidate":"C2","name":"Bob\u202eevil\u202c","exam":"E","modality":"remote","state":"in_progress"}
{"t":"attempt","attempt":"H3","candidate":"C3","name":"bell\u0007\u009b31m","exam":"E","modality":"remote","state":"in_progress"}
{"t":"event","attempt":"H1","kind":"object_detected","data":{"object":"\u001b]0;pwned\u0007phone"}}
JSONL
start_feed --replay "$T/hostile.jsonl" --id hostile
GOOD=$FEED_PORT
head -c 24 /dev/urandom | base64 >"$T/token"; chmod 600 "$T/token"
start_feed --simulate 3 --token-file "$T/token" --id locked
LOCKED=$FEED_PORT

SOCK="$T/tmux.sock"
trap 'tm kill-server 2>/dev/null; cleanup' EXIT
tm -f /dev/null new-session -d -x 140 -y 30 \
    "'$INVIGIL' --feed ws://127.0.0.1:$GOOD/ --feed ws://127.0.0.1:$LOCKED/ --db '$T/h.db'; echo \$? >'$T/exit'; sleep 30"
screen() { tm capture-pane -p -t 0; }
# quit_console: q, then the console's exit status (written by the tmux
# command) within 20 s; anything but 0 fails.
quit_console() {
	tm send-keys -t 0 q
	wait_for 20 test -s "$T/exit" || { screen >&2; fail "the console did not quit within 20 s of q"; }
	[ "$(cat "$T/exit")" = 0 ] || fail "the console exited $(cat "$T/exit") on q"
}
ready() { screen | grep -q 'H3 ' && screen | grep -q 'REFUSED'; }
wait_for 10 ready || { screen >&2; fail "hostile rows or REFUSED not on screen"; }

screen | grep -qF '\x1b[2J\x1b[31mOWNED' || { screen >&2; fail "ESC sequence not shown escaped"; }
screen | grep -qF 'Bob\u{202e}evil\u{202c}' || { screen >&2; fail "bidi override not shown escaped"; }
screen | grep -qF 'bell\x07\u{009b}31m' || { screen >&2; fail "BEL and C1 CSI not shown escaped"; }
screen | grep -qF 'object=\x1b]0;pwned\x07phone' || { screen >&2; fail "event data not shown escaped"; }
screen | head -1 | grep -q 'invigil' || fail "the header is gone: an escape reached the terminal"
screen | grep -q 'requires a token and none was given' || { screen >&2; fail "no 'requires a token and none was given' on screen"; }
screen | grep -q 'feed hostile  live' || { screen >&2; fail "the other feed is not live"; }

quit_console
# Raw bytes in the database: ESC, U+202E, BEL and U+009B as received.
raw=$(sqlite3 "$T/h.db" "select (instr(name, char(27)) = 1) || (instr(name, char(8238)) > 0)
    from attempts where attempt in ('H1', 'H2') order by attempt")
[ "$raw" = "$(printf '10\n01')" ] || fail "database does not keep the raw bytes ($raw)"
[ "$(sqlite3 "$T/h.db" "select instr(name, char(7)) > 0 and instr(name, char(155)) > 0 from attempts where attempt = 'H3'")" = 1 ] ||
    fail "BEL / C1 not kept raw"
[ "$(sqlite3 "$T/h.db" "select count(*) from messages where feed = 'locked'")" = 0 ] ||
    fail "a feed that refused the token delivered messages"
echo "PASS: hostile strings escaped on screen and raw in the database ($(sqlite3 "$T/h.db" "select count(*) from messages") messages from the hostile feed, 0 from the refused one); refused feed shown, other feed live"
