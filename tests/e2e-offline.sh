#!/bin/bash
# e2e-offline.sh - a candidate whose network dropped shows OFFLINE in the
# attempts table (a real terminal, tmux 120x40), another in progress does
# not (the state cell says OFFLINE, not in_progress).
. "$(dirname "$0")/lib.sh"
watchdog 60

command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps)"
A='"exam":"EX-1","form":"A","modality":"remote","state":"scheduled"'
cat >"$T/lost.jsonl" <<JSONL
{"t":"attempt","attempt":"A0001","candidate":"C0001","name":"Ana Lima",$A,"ip":"10.1.2.3","device":"dev-1"}
{"t":"attempt","attempt":"A0002","candidate":"C0002","name":"Ben Okafor",$A,"ip":"10.9.8.7","device":"dev-2"}
{"t":"state","attempt":"A0001","state":"in_progress"}
{"t":"state","attempt":"A0002","state":"in_progress"}
{"t":"event","attempt":"A0001","kind":"network_lost","data":{}}
{"t":"event","attempt":"A0002","kind":"idle","data":{"seconds":5}}
JSONL
start_feed --replay "$T/lost.jsonl" --id hall --rate 100
SOCK="$T/tmux.sock"
stop_tmux() { tm kill-server 2>/dev/null; cleanup; }
trap stop_tmux EXIT
tm -f /dev/null new-session -d -x 120 -y 40 \
    "cd '$T' && TERM=xterm-256color '$INVIGIL' --feed ws://127.0.0.1:$FEED_PORT/ --db '$T/o.db' --proctor e2e; echo \"exit=\$?\" > '$T/exit'; sleep 60"
screen() { tm capture-pane -p -t 0; }
row() { screen | grep -E "^[> ]$1 "; }
offline() { row A0001 | grep -q ' OFFLINE '; }
since=$(date +%s)
wait_for 15 offline || { screen >&2; fail "A0001 lost its network but is not shown OFFLINE"; }
took=$(( $(date +%s) - since ))
row A0002 | grep -q ' in_progress ' || { screen >&2; fail "A0002 (online) is not shown in_progress"; }
echo "A0001: $(row A0001 | cut -c1-60)"
echo "A0002: $(row A0002 | cut -c1-60)"
tm send-keys -t 0 q
quit() { [ -f "$T/exit" ]; }
wait_for 10 quit || fail "q did not quit"
[ "$(cat "$T/exit")" = "exit=0" ] || fail "console $(cat "$T/exit")"
echo "PASS: a candidate whose network dropped is shown OFFLINE, an online one in_progress (OFFLINE on screen within $took s)"
