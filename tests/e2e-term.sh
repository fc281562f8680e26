#!/bin/bash
# e2e-term.sh - terminal craft in a real terminal (tmux, TERM=xterm-256color,
# a replayed feed of candidates with hostile names: CJK, combining accents, an
# emoji, a zero-width joiner, a bidi override): at 80x24 the columns that do
# not fit are dropped (no CANDID., no EVENTS), every row's STATE starts at the
# same display column, the key bar is cut at a word and keeps ? help and q
# quit; the cursor sits on the selected row in the attempts table, the flags
# queue, the journal and the detail; the mouse (SGR reports written into the
# pane) selects a row with a click, scrolls with the wheel, opens the detail
# with a second click and runs a key bar word; --no-mouse asks the terminal
# for no mouse reports; resized to 120x40, 200x50 and back, the screen redraws
# with the columns of each width; NO_COLOR=1 still tells the selected row by
# reverse video and a critical flag by bold and its word; the KEYS of
# man/invigil.1 are `invigil help --keys`.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || fail "python3 is not installed (scripts/install-deps)"
watchdog 150
use_tmux

# ---- the man page's KEYS are the key tables'
"$INVIGIL" help --keys >"$T/keys" || fail "invigil help --keys: exit $?"
sed -n '/^\.\\" BEGIN KEYS/,/^\.\\" END KEYS/p' "$TESTS/../man/invigil.1" | sed '1d;$d' >"$T/man-keys"
[ -s "$T/man-keys" ] || fail "man/invigil.1 has no BEGIN KEYS ... END KEYS block"
diff -u "$T/man-keys" "$T/keys" >"$T/keys.diff" ||
    { cat "$T/keys.diff" >&2; fail "man/invigil.1's KEYS differ from the key tables (run scripts/man-keys)"; }
grep -q '^\.B S\\-Tab$' "$T/keys" || fail "invigil help --keys does not escape S-Tab for roff"

# ---- the feed: hostile names, one critical flag (T03's remote access)
# (JSON escapes, kept as written: \u0301 a combining acute, \u200d a
# zero-width joiner, \u202e a right-to-left override.)
names=('王芳王芳王芳王芳王芳' 'Re\u0301my Che\u0301rie' '\ud83d\ude00 smile'
    'Ann\u200de' 'Bob\u202eevil\u202c' '\u0301lead' 'Zoë Ångström' plain
    'Ωmega ελληνικά' 'A Very Long Ascii Name Indeed' eleven twelve)
for i in "${!names[@]}"; do
	printf '{"t":"attempt","attempt":"T%02d","candidate":"C%02d","name":"%s",' $((i + 1)) $((i + 1)) "${names[$i]}"
	printf '"exam":"E","modality":"remote","state":"in_progress"}\n'
done >"$T/names.jsonl"
echo '{"t":"event","attempt":"T03","kind":"remote_access","data":{"tool":"vnc"}}' >>"$T/names.jsonl"
start_feed --replay "$T/names.jsonl" --id names
PORT=$FEED_PORT

console() {	# console SESSION WxH ENV OPTIONS
	tm -f /dev/null new-session -d -s "$1" -x "${2%x*}" -y "${2#*x}" \
	    "cd '$T' && env TERM=xterm-256color $3 '$INVIGIL' --no-config --feed ws://127.0.0.1:$PORT/ --db '$T/$1.db' --proctor term $4; echo \"exit=\$?\" >'$T/$1.exit'; sleep 60"
}
screen() { tm capture-pane -p -t "$1"; }
cursor_y() { tm display -p -t "$1" '#{cursor_y}'; }
# The 0-based line of the selected row (its first cell is ">").
sel_y() { screen "$1" | grep -n '^>' | head -1 | cut -d: -f1 | awk '{ print $1 - 1 }'; }
sel_id() { screen "$1" | grep '^>' | head -1 | cut -c2-4; }
rows_ready() { [ "$(screen "$1" | grep -cE '^[> ]T[0-9]{2} ')" -ge "$2" ]; }
# click SESSION X Y [BUTTON]: an SGR mouse report (1-based cells), press
# and release, written into the pane as the terminal would.
click() { tm send-keys -t "$1" -l "$(printf '\033[<%d;%d;%dM' "${4:-0}" "$2" "$3")";
	[ "${4:-0}" -ge 64 ] || tm send-keys -t "$1" -l "$(printf '\033[<%d;%d;%dm' "${4:-0}" "$2" "$3")"; }

# Every attempt row's STATE starts at one display column (wide characters
# two, combining marks none); prints it, or fails with the rows.
state_column() {
	screen "$1" | python3 -c '
import sys, unicodedata
def width(s):
    w = 0
    for c in s:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return w
cols = set()
for line in sys.stdin.read().split("\n"):
    if len(line) > 3 and line[0] in "> " and line[1] == "T" and line[2:4].isdigit():
        i = line.find(" in_progress ")
        if i < 0:
            sys.exit("no STATE on row: " + line)
        cols.add(width(line[:i + 1]))
if len(cols) != 1:
    sys.exit("STATE starts at display columns %s" % sorted(cols))
print(cols.pop())'
}

# ---- 80x24
console s 80x24 "" ""
wait_for 15 rows_ready s 12 || { screen s >&2; fail "80x24: the 12 attempts are not on screen"; }
head=$(screen s | grep '^ ATTEMPT  ')
case "$head" in
*CANDID.*|*EVENTS*) screen s >&2; fail "80x24: CANDID. or EVENTS not dropped: $head" ;;
esac
for c in ATTEMPT NAME STATE OUTCOME LAST RISK FLAGS; do
	echo "$head" | grep -q " $c" || { screen s >&2; fail "80x24: column $c missing from '$head'"; }
done
col80=$(state_column s) || { screen s >&2; fail "80x24: STATE not aligned"; }
screen s | grep -qF 'Bob\u{202e}' || { screen s >&2; fail "bidi override not shown escaped"; }
screen s | grep -qF 'Ann\u{200d}e' || { screen s >&2; fail "zero-width joiner not shown escaped"; }
# The key bar: cut at a word, within 80 columns.
bar=$(screen s | tail -1)
[ "${#bar}" -le 80 ] || fail "80x24: key bar longer than 80: $bar"
echo "$bar" | grep -qE '^ d dismiss(  [^ ]+ [a-z]+)* *$' || fail "80x24: key bar not cut at a word: '$bar'"
echo "$bar" | grep -qE '  \? help  q quit *$' || fail "80x24: key bar does not end with ? help and q quit: '$bar'"
# The critical flag's attempt is first and selected; the cursor is on it.
[ "$(sel_id s)" = T03 ] || { screen s >&2; fail "T03 (critical) is not the selected first row"; }
[ "$(cursor_y s)" = "$(sel_y s)" ] || { screen s >&2; fail "attempts: cursor on line $(cursor_y s), selected row on $(sel_y s)"; }

# ---- the mouse: click T08's row; wheel down (3); second click opens
y8=$(screen s | grep -n '^[> ]T08 ' | cut -d: -f1)
click s 20 "$y8"
wait_for 3 sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t s | grep '^>' | cut -c2-4)\" = T08 ]" ||
    { screen s >&2; fail "a click on T08's row (line $y8) did not select it"; }
[ "$(cursor_y s)" = "$(sel_y s)" ] || fail "the cursor did not follow the click: $(cursor_y s) vs $(sel_y s)"
click s 20 "$y8" 65		# wheel down: three rows
wait_for 3 sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t s | grep '^>' | cut -c2-4)\" = T11 ]" ||
    { screen s >&2; fail "the wheel did not move the selection three rows (T08 -> T11): $(sel_id s)"; }
click s 20 "$y8" 64		# wheel up
wait_for 3 sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t s | grep '^>' | cut -c2-4)\" = T08 ]" ||
    { screen s >&2; fail "the wheel up did not come back to T08"; }
y2=$(screen s | grep -n '^[> ]T02 ' | cut -d: -f1)
click s 12 "$y2"; click s 12 "$y2"
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t s | head -1 | grep -q ' ATTEMPT T02 '" ||
    { screen s >&2; fail "a second click on T02 did not open its detail"; }
screen s | sed -n 2p | grep -q ' outcome valid ' || { screen s >&2; fail "the detail does not show the outcome among its facts"; }
tm send-keys -t s Escape
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t s | grep -q '^ ATTEMPT  '" || fail "Esc did not come back from the detail"
# A key bar word: c confirm on the selected T02 (no flag: said so).
bar=$(screen s | tail -1)
cx=$(( $(echo "$bar" | awk '{ print index($0, "c confirm") }') + 1 ))
click s "$cx" 24
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t s | grep -q 'T02 has no open flag to confirm'" ||
    { screen s >&2; fail "a click on 'c confirm' of the key bar did not run c"; }

# ---- the cursor in the detail (its selected flag), the queue, the journal
tm send-keys -t s g Enter	# T03, the critical one
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t s | head -1 | grep -q ' ATTEMPT T03 '" || { screen s >&2; fail "Enter did not open T03"; }
[ "$(cursor_y s)" = "$(sel_y s)" ] || { screen s >&2; fail "detail: cursor on line $(cursor_y s), selected flag on $(sel_y s)"; }
tm send-keys -t s Escape Tab
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t s | head -1 | grep -q 'FLAGS QUEUE'" || { screen s >&2; fail "Tab: no flags queue"; }
qhead=$(screen s | sed -n 2p)
case "$qhead" in *CANDID.*|*COUNT*) screen s >&2; fail "queue at 80: CANDID. or COUNT not dropped: $qhead" ;; esac
[ "$(cursor_y s)" = "$(sel_y s)" ] || { screen s >&2; fail "queue: cursor on line $(cursor_y s), selected row on $(sel_y s)"; }
# Dismiss it (from the queue), so that the journal has a row.
tm send-keys -t s d
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t s | grep -q 'Reason code to dismiss'" || { screen s >&2; fail "no picker after d"; }
tm send-keys -t s Enter
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t s | grep -q 'Reason to dismiss'" || { screen s >&2; fail "no prompt after the code"; }
tm send-keys -t s -l "a test"
tm send-keys -t s Enter
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t s | grep -q 'recorded as journal #'" || { screen s >&2; fail "the dismissal was not recorded"; }
tm send-keys -t s Tab
wait_for 5 sh -c "tmux -S '$SOCK' capture-pane -p -t s | grep -q '^>.* dismiss '" || { screen s >&2; fail "the journal does not show the dismissal selected"; }
[ "$(cursor_y s)" = "$(sel_y s)" ] || { screen s >&2; fail "journal: cursor on line $(cursor_y s), selected row on $(sel_y s)"; }
tm send-keys -t s Tab
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t s | grep -q '^ ATTEMPT  '" || fail "Tab did not come round to the attempts"

# ---- resize: 120x40, 200x50, back to 80x24
resize() { tm resize-window -t s -x "${1%x*}" -y "${1#*x}" 2>/dev/null || tm resize-pane -t s -x "${1%x*}" -y "${1#*x}"; }
resize 120x40
wide() { screen s | grep '^ ATTEMPT  ' | grep -q 'CANDID.*EVENTS' && [ "$(screen s | wc -l)" = 40 ]; }
wait_for 3 wide || { screen s >&2; fail "at 120x40 the columns did not come back (CANDID., EVENTS)"; }
col120=$(state_column s) || { screen s >&2; fail "120x40: STATE not aligned"; }
resize 200x50
namew() { screen s | grep '^ ATTEMPT  ' | sed 's/.*\(NAME *\)STATE.*/\1/' | awk '{ print length }'; }
wait_for 3 sh -c "[ \"\$(tmux -S '$SOCK' capture-pane -p -t s | wc -l)\" = 50 ]" || fail "not redrawn at 200x50"
sleep 0.3
[ "$(namew)" = 25 ] || { screen s >&2; fail "at 200 columns NAME is $(namew) wide, not 25"; }
col200=$(state_column s) || { screen s >&2; fail "200x50: STATE not aligned"; }
resize 80x24
narrow() { ! screen s | grep '^ ATTEMPT  ' | grep -q 'CANDID.' && [ "$(screen s | wc -l)" = 24 ]; }
wait_for 3 narrow || { screen s >&2; fail "back at 80x24 CANDID. is still shown"; }
[ "$(state_column s)" = "$col80" ] || { screen s >&2; fail "back at 80x24 STATE moved"; }
[ "$(tm display -p -t s '#{mouse_any_flag}')" = 1 ] || fail "the console did not ask the terminal for mouse reports"
tm send-keys -t s q
wait_for 5 test -s "$T/s.exit" || { screen s >&2; fail "q did not quit"; }
[ "$(cat "$T/s.exit")" = exit=0 ] || fail "console $(cat "$T/s.exit")"

# ---- --no-mouse: no mouse reports asked for
console n 80x24 "" --no-mouse
wait_for 15 rows_ready n 12 || { screen n >&2; fail "--no-mouse: no attempts"; }
[ "$(tm display -p -t n '#{mouse_any_flag}')" = 0 ] || fail "--no-mouse still asks the terminal for mouse reports"

# ---- NO_COLOR: no colour, but reverse video on the selected row and bold
# on the critical flag, with its word
console m 120x40 "NO_COLOR=1" ""
wait_for 15 rows_ready m 12 || { screen m >&2; fail "NO_COLOR: no attempts"; }
sleep 0.3
tm capture-pane -e -p -t m >"$T/mono"
# The SGR sequence that starts the selected row turns reverse (7) on.
perl -ne '$r = 1 if /\e\[(?:[0-9]+;)*7(?:;[0-9]+)*m(?:\e\[[0-9;]*m)*>T03 /; END { exit !$r }' "$T/mono" ||
    { grep -a 'T03' "$T/mono" | cat -v >&2; fail "NO_COLOR: the selected row is not in reverse video"; }
# The critical flag on a row not selected: move off T03, then look.
tm send-keys -t m j
wait_for 3 sh -c "tmux -S '$SOCK' capture-pane -p -t m | grep -q '^>T01 '" || { screen m >&2; fail "NO_COLOR: j did not move"; }
tm capture-pane -e -p -t m >"$T/mono"
perl -ne '$r = 1 if / T03 .*\e\[(?:[0-9]+;)*1(?:;[0-9]+)*m[^\e]*critical remote/; END { exit !$r }' "$T/mono" ||
    { grep -a 'T03' "$T/mono" | cat -v >&2; fail "NO_COLOR: the critical flag is not bold, or not named critical"; }

echo "PASS: 80x24 drops CANDID./EVENTS (queue: CANDID./COUNT), STATE at display column $col80 on every row with CJK, combining, emoji, ZWJ and bidi names (120: $col120, 200: $col200), key bar cut at a word; cursor on the selected row in attempts, detail, queue and journal; click selects, wheel moves 3, a second click opens the detail, a key bar word is its key; resize 120x40/200x50/80x24 redraws; --no-mouse asks no reports; NO_COLOR keeps reverse and bold; man KEYS = invigil help --keys"
