#!/bin/bash
# e2e-config.sh - the console's config file (man/invigil-config.5): plain
# `invigil --headless` takes its feeds, proctor and database from
# $XDG_CONFIG_HOME/invigil/config and connects to two feeds, each with its
# own token (feed URL token-file=PATH), storing messages from both; a
# wrong per-feed token is refused by that feed only; the command line
# overrides the file (a --feed there replaces the file's feeds); `config
# check` prints what the file sets (never a token) or FILE:LINE errors,
# exit 1; a file others may write, and a FIFO, are refused at once.
. "$(dirname "$0")/lib.sh"
watchdog 120

mkdir -p "$XDG_CONFIG_HOME/invigil"
CONF=$XDG_CONFIG_HOME/invigil/config
for t in a b wrong; do
	head -c 24 /dev/urandom | base64 >"$T/$t.token"
	chmod 600 "$T/$t.token"
done
start_feed --simulate 3 --token-file "$T/a.token" --id hall-a
PORT_A=$FEED_PORT; LOG_A=$FEED_LOG
start_feed --simulate 3 --token-file "$T/b.token" --id hall-b
PORT_B=$FEED_PORT; LOG_B=$FEED_LOG

# The file: comments, quoting, ~ (HOME is the test's directory here).
export HOME=$T
cat >"$CONF" <<EOF
# hall 3
feed ws://127.0.0.1:$PORT_A/ token-file=~/a.token
feed "ws://127.0.0.1:$PORT_B/" token-file='$T/b.token'   # the second room
proctor ana
db $T/hall.db
ping 10
EOF
chmod 600 "$CONF"

# config path, config check: each option with its line, no token.
[ "$("$INVIGIL" config path)" = "$CONF" ] ||
    fail "config path: $("$INVIGIL" config path), not $CONF"
"$INVIGIL" config check >"$T/check.out" 2>&1 ||
    fail "config check of a good file: $(cat "$T/check.out")"
cat >"$T/check.want" <<EOF
$CONF: 7 settings
$CONF:2: --feed ws://127.0.0.1:$PORT_A/
$CONF:2: --feed-token-file $T/a.token
$CONF:3: --feed ws://127.0.0.1:$PORT_B/
$CONF:3: --feed-token-file $T/b.token
$CONF:4: --proctor ana
$CONF:5: --db $T/hall.db
$CONF:6: --ping 10
EOF
diff -u "$T/check.want" "$T/check.out" >&2 || fail "config check printed something else"
for t in a b; do
	grep -qF -- "$(cat "$T/$t.token")" "$T/check.out" && fail "config check printed token $t"
done

# Plain invigil --headless: both feeds, each with its token, proctor ana.
"$INVIGIL" --headless </dev/null >"$T/c1.out" 2>"$T/c1.err" &
C1=$!; PIDS="$PIDS $C1"
from() { rows_at_least "$T/hall.db" 1 "where feed = '$1'"; }
wait_for 20 from hall-a && wait_for 20 from hall-b ||
    { cat "$T/c1.err" >&2; fail "the console on the file's feeds did not store messages from both"; }
grep -q "HTTP 401" "$T/c1.err" && fail "a token was refused: $(cat "$T/c1.err")"
stop "$C1" || fail "the console did not stop cleanly: $(cat "$T/c1.err")"
# The proctor's signing key is made on first use, named by the id.
[ -f "$XDG_CONFIG_HOME/invigil/ana.key" ] ||
    fail "proctor ana from the file: no ana.key in $(ls "$XDG_CONFIG_HOME/invigil")"
echo "ok: plain invigil --headless stored messages of hall-a and hall-b, each with its own token"

# A wrong token for feed B only: B refuses it, A lets the console in.
sed -i "s|token-file='$T/b.token'|token-file=$T/wrong.token|" "$CONF"
sed -i "s|^db .*|db $T/wrong.db|" "$CONF"
"$INVIGIL" --headless </dev/null >"$T/c2.out" 2>"$T/c2.err" &
C2=$!; PIDS="$PIDS $C2"
said() { grep -qF -- "$2" "$T/$1.err"; }
wait_for 20 said c2 "invigil: feed ws://127.0.0.1:$PORT_B/: feed refused the token (HTTP 401); check its --feed-token-file" ||
    { cat "$T/c2.err" >&2; fail "feed B did not refuse the wrong token"; }
wait_for 20 rows_at_least "$T/wrong.db" 1 "where feed = 'hall-a'" ||
    fail "feed A did not let the console in: $(cat "$T/c2.err")"
said c2 "ws://127.0.0.1:$PORT_A/: feed refused" && fail "feed A refused: $(cat "$T/c2.err")"
rows_at_least "$T/wrong.db" 1 "where feed = 'hall-b'" && fail "messages of feed B with a wrong token"
stop "$C2"
echo "ok: a wrong token of one feed is refused by that feed only"

# The command line overrides: --db, --proctor, and --feed replaces the
# file's feeds (its token files with them: B is given its own again).
"$INVIGIL" --headless --db "$T/cli.db" --proctor bob \
    --feed "ws://127.0.0.1:$PORT_B/" --feed-token-file "$T/b.token" \
    </dev/null >"$T/c3.out" 2>"$T/c3.err" &
C3=$!; PIDS="$PIDS $C3"
wait_for 20 rows_at_least "$T/cli.db" 1 "where feed = 'hall-b'" ||
    fail "the command line's feed: no messages: $(cat "$T/c3.err")"
sleep 1
rows_at_least "$T/cli.db" 1 "where feed = 'hall-a'" &&
    fail "the file's feed A was kept beside the command line's --feed"
grep -q "$PORT_A" "$T/c3.err" && fail "the console tried the file's feed A: $(cat "$T/c3.err")"
stop "$C3"
[ -f "$XDG_CONFIG_HOME/invigil/bob.key" ] ||
    fail "--proctor bob did not override the file's ana: $(ls "$XDG_CONFIG_HOME/invigil")"
echo "ok: the command line overrides the file; its --feed replaces the file's feeds"

# --feed-token-file without a --feed before it on the command line.
"$INVIGIL" --headless --feed-token-file "$T/b.token" </dev/null >/dev/null 2>"$T/c4.err"
[ $? = 2 ] && said c4 "invigil: --feed-token-file names the token file of the --feed before it, and there is none" ||
    fail "a --feed-token-file without its --feed: $(cat "$T/c4.err")"

# config check: errors with FILE:LINE, exit 1; the console refuses too.
check_err() {	# TEXT WANT: the file TEXT is refused with WANT
	printf '%s' "$1" >"$T/bad.conf"; chmod 600 "$T/bad.conf"
	"$INVIGIL" config check "$T/bad.conf" >"$T/bad.out" 2>&1
	rc=$?
	[ $rc = 1 ] && grep -qF -- "$2" "$T/bad.out" ||
	    fail "config check of '$1': exit $rc, said: $(cat "$T/bad.out") (wanted: $2)"
}
check_err $'ping 10\nfed ws://x/\n' "invigil config check: $T/bad.conf:2: unknown key \"fed\" (did you mean \"feed\"?)"
check_err $'\n\nping 0\n' "invigil: $T/bad.conf:3: ping wants a whole number from 1 to 3600, not \"0\""
check_err $'feed ws://x/ tokn-file=a\n' "$T/bad.conf:1: feed has no setting \"tokn-file\" (did you mean \"token-file\"?)"
check_err $'feed http://x/\n' "$T/bad.conf:1: feed --feed http://x/: the URL must start with"
check_err $'feed ws://x/ token-file=/nonexistent\n' "$T/bad.conf:1: feed-token-file: /nonexistent: cannot open the token file"
check_err $'proctor a\xe2\x80\xaeb\n' "$T/bad.conf:1:10: invisible or bidi character U+202E"
check_err $'headless maybe\n' "$T/bad.conf:1: headless is a flag"
check_err $'theme blue\n' "invigil: $T/bad.conf:1: theme wants auto, color or mono, not \"blue\""
printf 'ping 0\n' >"$T/bad.conf"
"$INVIGIL" --config "$T/bad.conf" --headless --feed ws://127.0.0.1:1/ </dev/null >/dev/null 2>"$T/c5.err"
[ $? = 2 ] && said c5 "$T/bad.conf:1: ping wants a whole number" ||
    fail "the console started with a bad --config file: $(cat "$T/c5.err")"
echo "ok: config check and the console refuse bad files with FILE:LINE"

# Writable by others: refused by both, with what to do.
chmod 620 "$CONF"
"$INVIGIL" config check >"$T/loose.out" 2>&1 && fail "config check passed a group-writable file"
grep -qF "$CONF: the config file is writable by others (mode 620), and it names token files; run: chmod go-w $CONF" "$T/loose.out" ||
    fail "config check of a loose file said: $(cat "$T/loose.out")"
"$INVIGIL" --headless </dev/null >/dev/null 2>"$T/c6.err"
[ $? = 2 ] && said c6 "writable by others" || fail "the console read a loose config file: $(cat "$T/c6.err")"
# --no-config: the file is not read at all.
"$INVIGIL" --no-config --headless </dev/null >/dev/null 2>"$T/c7.err"
[ $? = 2 ] && said c7 "no feed: give --feed URL" || fail "--no-config read the file: $(cat "$T/c7.err")"
chmod 600 "$CONF"
echo "ok: a file others may write is refused; --no-config skips it"

# A FIFO in the file's place: refused at once, not waited on.
rm "$CONF"; mkfifo "$CONF"
t0=$(date +%s%N)
timeout 5 "$INVIGIL" --headless </dev/null >/dev/null 2>"$T/c8.err"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $rc = 2 ] && said c8 "is a FIFO, not a regular file" ||
    fail "a FIFO config: exit $rc: $(cat "$T/c8.err")"
[ "$ms" -lt 2000 ] || fail "a FIFO config took $ms ms to refuse"
timeout 5 "$INVIGIL" config check >"$T/fifo.out" 2>&1
[ $? = 1 ] && grep -qF "is a FIFO" "$T/fifo.out" || fail "config check of a FIFO: $(cat "$T/fifo.out")"
# No file at all: the defaults, silently.
rm "$CONF"
"$INVIGIL" --headless </dev/null >/dev/null 2>"$T/c9.err"
[ $? = 2 ] && said c9 "no feed: give --feed URL" && ! said c9 config ||
    fail "no config file: $(cat "$T/c9.err")"
echo "ok: a FIFO is refused in $ms ms; no file means the defaults"
echo "PASS: the config file feeds plain invigil; errors say FILE:LINE"
