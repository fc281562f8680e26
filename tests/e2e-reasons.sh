#!/bin/bash
# e2e-reasons.sh - reason codes (invigil-reasons(5)) as invigil(1) promises
# them, on a real console:
#   - on the screen (tmux, --demo, --reasons FILE): n opens the picker;
#     ? over it lists its keys; Esc cancels with nothing recorded; typing
#     "sec.s" narrows it to security.second_person (the first letters of
#     each part), Down moves, Up comes back, Enter opens the reason prompt
#     with the code; a code with text=required is refused without words;
#     the words then record it, and the journal row has the code;
#   - headless: an unknown code is answered ok:false naming the close
#     match, a text=required code without words is refused, a code whose
#     words are optional is recorded without them (reason NULL), a code
#     for other acts (acts=dismiss,note) is refused for warn, and every
#     journal row carries its code;
#   - a bad reason file stops the console at start with FILE:LINE:COL;
#     `invigil reasons check` says the same, and OK for a good file.
[ -n "${E2E_DEADLINE:-}" ] || E2E_DEADLINE=150 exec timeout 150 bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps)"
SOCK="$T/tmux.sock"
stop_tmux() { tm kill-server 2>/dev/null; cleanup; }
trap stop_tmux EXIT

# 1. Bad files: refused at start and by `reasons check`, with file:line:col.
printf 'other "Other" text=required\nsecurity.second_person "Second" text=requird\n' >"$T/bad.reasons"
"$INVIGIL" --headless --demo=3 --db "$T/bad.db" --reasons "$T/bad.reasons" \
    </dev/null >"$T/bad.out" 2>"$T/bad.err"
rc=$?
[ $rc = 2 ] || fail "a bad reason file: exit $rc, want 2: $(cat "$T/bad.err")"
grep -q "bad.reasons:2:33: text= is \"required\" or \"optional\"" "$T/bad.err" ||
    fail "no FILE:LINE:COL at start: $(cat "$T/bad.err")"
grep -q "check it with 'invigil reasons check" "$T/bad.err" ||
    fail "the start error does not point to invigil reasons check: $(cat "$T/bad.err")"
[ -e "$T/bad.db" ] && fail "the console created its database with a bad reason file"
"$INVIGIL" reasons check "$T/bad.reasons" >"$T/chk.out" 2>"$T/chk.err"
rc=$?
[ $rc = 1 ] && grep -q "bad.reasons:2:33:" "$T/chk.err" ||
    fail "reasons check of a bad file: exit $rc, $(cat "$T/chk.out" "$T/chk.err")"
"$INVIGIL" reasons defaults >"$T/good.reasons" || fail "reasons defaults failed"
printf 'drill.fire "Fire drill"\n' >>"$T/good.reasons"
"$INVIGIL" reasons check "$T/good.reasons" >"$T/chk.out" 2>&1 ||
    fail "reasons check of the defaults: $(cat "$T/chk.out")"
grep -q "good.reasons: 25 reason codes, OK" "$T/chk.out" || fail "reasons check: $(cat "$T/chk.out")"
echo "ok: a bad reason file is refused at start ($(head -1 "$T/bad.err"))"

# 2. The screen: the picker.
tm -f /dev/null new-session -d -x 120 -y 40 \
    "cd '$T' && '$INVIGIL' --demo=6 --db '$T/s.db' --proctor reasons-e2e --reasons '$T/good.reasons'; echo \"exit=\$?\" > '$T/exit'; sleep 60"
screen() { tm capture-pane -p -t 0; }
listed() { screen | grep -q '6 candidates' && screen | grep -qE '^>A[0-9]{4} '; }
wait_for 15 listed || { screen >&2; fail "the demo attempts were not listed"; }
ATTEMPT=$(screen | sed -n 's/^>\(A[0-9]\{4\}\) .*/\1/p')
see() { screen | grep -q -- "$1"; }
expect() { wait_for 3 see "$1" || { screen >&2; fail "$2"; }; }
journal() { sqlite3 -readonly "$T/s.db" "$1"; }

tm send-keys -t 0 o
expect "Reason code to note $ATTEMPT" "no picker after o"
expect "> environment.noise" "the picker does not start on the first code"
see "drill.fire" || { screen >&2; fail "the picker does not list the file's own code"; }
tm send-keys -t 0 '?'
expect "pick the code, then say why in words" "? over the picker does not show its keys"
see "narrow the list" || { screen >&2; fail "the picker's help does not say typing narrows it"; }
tm send-keys -t 0 Escape
wait_for 3 sh -c "! tmux -S '$SOCK' capture-pane -p -t 0 | grep -q 'pick the code, then'" ||
    { screen >&2; fail "Esc did not close the help"; }
tm send-keys -t 0 Escape
expect "cancelled; nothing recorded" "Esc did not cancel the picker"
see "Reason code to note" && { screen >&2; fail "the picker is still open after Esc"; }
[ "$(journal "select count(*) from journal")" = 0 ] || fail "a cancelled picker recorded something"
echo "ok: ? lists the picker's keys, Esc cancels with nothing recorded"

tm send-keys -t 0 o
expect "Reason code to note" "no picker after o (again)"
tm send-keys -t 0 s e c . s
expect "> security.second_person" "typing sec.s did not select security.second_person"
see "security.collusion" && { screen >&2; fail "sec.s did not narrow the list"; }
tm send-keys -t 0 e
expect "> security.second_person" "sec.se lost security.second_person"
tm send-keys -t 0 BSpace BSpace BSpace BSpace BSpace BSpace
expect "> environment.noise" "Backspace did not widen the list back"
tm send-keys -t 0 s e c
expect "> security.prohibited_aid" "sec did not select the first security code"
tm send-keys -t 0 Down
expect "> security.second_person" "Down did not move to security.second_person"
tm send-keys -t 0 Down Up
expect "> security.second_person" "Down Up did not come back"
tm send-keys -t 0 Enter
expect "Reason to note $ATTEMPT \[security.second_person, words required\]" "no reason prompt with the code after Enter"
tm send-keys -t 0 Enter
expect "requires a reason in words; nothing recorded" "a text=required code was not refused without words"
[ "$(journal "select count(*) from journal")" = 0 ] || fail "a code needing words was recorded without them"
tm send-keys -t 0 "a second face at the desk" Enter
expect "recorded as journal #1: note $ATTEMPT" "the note was not recorded"
row=$(journal "select kind, attempt, reason_code, reason, actor from journal where seq = 1")
[ "$row" = "note|$ATTEMPT|security.second_person|a second face at the desk|reasons-e2e" ] ||
    fail "the journal row is \"$row\""
echo "ok: picked with letters and arrows, journaled: $row"

# A code whose words are optional: Enter twice records it without words.
tm send-keys -t 0 o
expect "Reason code to note" "no picker after o (third)"
tm send-keys -t 0 d r i l l Enter
expect "Reason to note $ATTEMPT \[drill.fire, words optional\]" "no prompt for drill.fire"
tm send-keys -t 0 Enter
expect "recorded as journal #2" "a code with optional words was not recorded without them"
row=$(journal "select reason_code, coalesce(reason, 'NULL') from journal where seq = 2")
[ "$row" = "drill.fire|NULL" ] || fail "the optional-words row is \"$row\""
tm send-keys -t 0 q
wait_for 10 test -s "$T/exit" || { screen >&2; fail "q did not quit"; }
[ "$(cat "$T/exit")" = "exit=0" ] || fail "console $(cat "$T/exit")"
echo "ok: a code with optional words is recorded without them ($row)"

# 3. Headless: the same list, the same checks.
mkfifo "$T/in"
"$INVIGIL" --headless --demo=4 --db "$T/h.db" --proctor head-e2e \
    <"$T/in" >"$T/out" 2>"$T/err" &
PIDS="$PIDS $!"
exec 3>"$T/in"
trap 'exec 3>&- 2>/dev/null; stop_tmux' EXIT
has_attempt() { n=$(sqlite3 -readonly "$T/h.db" "select count(*) from attempts" 2>/dev/null); [ "${n:-0}" -ge 1 ]; }
wait_for 20 has_attempt || { cat "$T/err" >&2; fail "the headless console took in no attempt"; }
A=$(sqlite3 -readonly "$T/h.db" "select attempt from attempts order by attempt limit 1")
req() { printf '{"id":"%s","op":"note","attempt":"%s",%s}\n' "$1" "$A" "$2" >&3; }
acked() { grep -q "\"id\":\"$1\",\"ok\":$2" "$T/out"; }
req h1 '"reason_code":"security.second_persn","reason":"x"'
req h2 '"reason_code":"security.collusion"'
req h3 '"reason_code":"technical.connection"'
printf '{"id":"h6","op":"command","attempt":"%s","action":"warn","reason_code":"technical.false_positive","reason":"x"}\n' "$A" >&3
req h4 '"reason_code":"security.collusion","reason":"same answers as A-2"'
wait_for 10 acked h4 true || { cat "$T/out" "$T/err" >&2; fail "h4 was not recorded"; }
grep '"id":"h1"' "$T/out" | grep -q '"ok":false,"error":"unknown reason code \\"security.second_persn\\" (did you mean \\"security.second_person\\"?)' ||
    { cat "$T/out" >&2; fail "an unknown code was not refused naming the close match"; }
grep '"id":"h2"' "$T/out" | grep -q '"ok":false,"error":"the reason code security.collusion (Collusion with another candidate) requires a reason in words' ||
    { cat "$T/out" >&2; fail "a text=required code without words was not refused"; }
acked h3 true || { cat "$T/out" >&2; fail "a code with optional words was refused without them"; }
grep '"id":"h6"' "$T/out" | grep -q '"ok":false,"error":"the reason code technical.false_positive (Flag raised in error) is not a reason to warn' ||
    { cat "$T/out" >&2; fail "a code with acts=dismiss,note was taken for warn"; }
rows=$(sqlite3 -readonly "$T/h.db" "select reason_code || '|' || coalesce(reason, 'NULL') from journal order by seq" | tr '\n' ' ')
[ "$rows" = "technical.connection|NULL security.collusion|same answers as A-2 " ] ||
    fail "the headless journal holds: $rows"
echo "ok: headless: $(grep '"id":"h1"' "$T/out" | cut -c1-160)"
echo "PASS: reason codes: the picker (letters, arrows, Enter, words) records security.second_person in the journal; Esc records nothing; headless refuses an unknown code with a did-you-mean and a code needing words without them; a bad reason file is refused at start with file:line:col"
