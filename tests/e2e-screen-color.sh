#!/bin/bash
# e2e-screen-color.sh - NO_COLOR (https://no-color.org) in a real terminal
# (tmux, 120x40, `invigil --demo`): with NO_COLOR=1 the screen has no colour
# at all (capture-pane -e shows every SGR sequence: none may set a
# foreground or background colour, 30-37, 40-47, 90-97, 100-107, 38;5/48;5,
# 38;2/48;2), while without it the same screen does use colour (so the
# check can see colour when there is some), and so does it with NO_COLOR
# set to the empty string (no-color.org: only a non-empty value counts).
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is not installed (scripts/install-deps)"
command -v perl >/dev/null || fail "perl is not installed"
watchdog 90
SOCK="$T/tmux.sock"
stop_tmux() { tm kill-server 2>/dev/null; cleanup; }
trap stop_tmux EXIT

# colour_codes: the colour-setting SGR parameters in the pane, one a line.
colour_codes() {
	tm capture-pane -e -p -t "$1" | perl -ne '
		while (/\e\[([0-9;:]*)m/g) {
			my @p = split /[;:]/, $1;
			for (my $i = 0; $i < @p; $i++) {
				my $v = $p[$i];
				if ($v == 38 || $v == 48) { print "$v;$p[$i+1]\n"; $i += ($p[$i+1] // 0) == 5 ? 2 : 4; next; }
				print "$v\n" if ($v >= 30 && $v <= 37) || ($v >= 40 && $v <= 47) ||
				    ($v >= 90 && $v <= 97) || ($v >= 100 && $v <= 107);
			}
		}'
}
# A flag and a live feed are both on screen: what colour would show.
ready() { tm capture-pane -p -t "$1" | grep -qE ' (critical|high|medium|low) ' &&
    tm capture-pane -p -t "$1" | grep -q ' live '; }

# --theme (here from the config file, man/invigil-config.5) overrides
# NO_COLOR: mono without it, color with it.
mkdir -p "$XDG_CONFIG_HOME/invigil"
printf 'theme mono\n' >"$T/mono.conf"
for mode in colour mono empty themed-mono themed-colour; do
	env="" opt=""
	[ $mode = mono ] && env="NO_COLOR=1"
	[ $mode = empty ] && env="NO_COLOR="
	[ $mode = themed-mono ] && opt="--config '$T/mono.conf'"
	[ $mode = themed-colour ] && env="NO_COLOR=1" opt="--theme color"
	tm -f /dev/null new-session -d -s $mode -x 120 -y 40 \
	    "cd '$T' && env $env '$INVIGIL' --demo --db '$T/$mode.db' $opt; sleep 60"
	wait_for 20 ready $mode || { tm capture-pane -p -t $mode >&2; fail "$mode: no flag on screen within 20 s"; }
	sleep 0.5	# let the frame with the flag finish drawing
done

n=$(colour_codes colour | wc -l)
[ "$n" -gt 0 ] || { tm capture-pane -e -p -t colour | cat -v | head -5 >&2; fail "without NO_COLOR the screen has no colour at all"; }
codes=$(colour_codes mono | sort | uniq -c | tr '\n' ' ')
[ -z "$codes" ] || { tm capture-pane -e -p -t mono | cat -v | head -8 >&2; fail "with NO_COLOR=1 the screen still sets colours (count code): $codes"; }
e=$(colour_codes empty | wc -l)
[ "$e" -gt 0 ] || { tm capture-pane -e -p -t empty | cat -v | head -5 >&2; fail "with NO_COLOR= (empty) the screen has no colour: an empty NO_COLOR must not count"; }
codes=$(colour_codes themed-mono | sort | uniq -c | tr '\n' ' ')
[ -z "$codes" ] || { tm capture-pane -e -p -t themed-mono | cat -v | head -8 >&2; fail "with theme mono the screen still sets colours (count code): $codes"; }
tc=$(colour_codes themed-colour | wc -l)
[ "$tc" -gt 0 ] || { tm capture-pane -e -p -t themed-colour | cat -v | head -5 >&2; fail "with NO_COLOR=1 --theme color the screen has no colour: the option must override NO_COLOR"; }
echo "PASS: NO_COLOR=1 gives a screen without colour ($n colour codes without it, $e with NO_COLOR empty); theme mono none, --theme color $tc despite NO_COLOR"
