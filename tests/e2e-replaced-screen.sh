#!/bin/bash
# e2e-replaced-screen.sh - the console in a real terminal (tmux, 160x40)
# follows feed A on a port; A dies and feed B answers on the same port.  The
# header must show B live at the URL and A as replaced, A's candidates must
# stay on screen marked REPLACED, and B's candidates appear beside them.
. "$(dirname "$0")/lib.sh"
watchdog 90

command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps)"
SOCK="$T/tmux.sock"
stop_tmux() { tm kill-server 2>/dev/null; cleanup; }
trap stop_tmux EXIT

start_feed_fixed --simulate 5 --seed 1 --rate 100 --id hall-A
PORT=$FEED_PORT
tm -f /dev/null new-session -d -x 160 -y 40 \
    "cd '$T' && TERM=xterm-256color '$INVIGIL' --feed ws://127.0.0.1:$PORT/ --db '$T/s.db' --proctor tmux-e2e; sleep 60"
screen() { tm capture-pane -p -t 0; }
rows() { [ "$(screen | grep -cE "^[> ]A[0-9]{4} .* $1")" -ge "$2" ]; }
wait_for 15 rows "" 5 || { screen >&2; fail "feed A's 5 candidates are not on screen"; }
screen | grep -q "feed hall-A  live" || { screen >&2; fail "the header does not show hall-A live"; }

kill -KILL "$FEED_PID"; wait "$FEED_PID" 2>/dev/null
feed_on "$PORT" --simulate 3 --seed 2 --rate 100 --id hall-B
shown() { screen | grep -q "feed hall-A  REPLACED: ws://127.0.0.1:$PORT/ answers as feed hall-B now; its 5 attempts are kept"; }
wait_for 40 shown || { screen >&2; fail "the header does not show hall-A replaced by hall-B"; }
wait_for 10 rows REPLACED 5 || { screen >&2; fail "feed A's candidates are not marked REPLACED"; }
screen | grep -q "feed hall-B  live" || { screen >&2; fail "the header does not show hall-B live"; }
wait_for 10 rows "" 8 || { screen >&2; fail "feed B's candidates are not beside A's"; }
screen | grep "REPLACED" | head -3
echo "PASS: header shows hall-B live and hall-A replaced at the URL; A's 5 candidates stay, marked REPLACED, beside B's $(( $(screen | grep -cE '^[> ]A[0-9]{4} ') - 5 ))"
