#!/bin/bash
# e2e-cli.sh - the command line: --help lists every option, bad options and
# bad input exit 2 (usage) or 1 (runtime) with a message that says what to do.
. "$(dirname "$0")/lib.sh"
watchdog 120

expect() {	# expect STATUS PATTERN ARGS...
	want=$1 pat=$2; shift 2
	cases=$((${cases:-0} + 1))
	# An option wrongly accepted would run a console: 10 s, then exit 124.
	out=$(timeout 10 "$INVIGIL" "$@" 2>&1 </dev/null)
	rc=$?
	[ "$rc" = "$want" ] || fail "invigil $*: exit $rc, want $want: $out"
	echo "$out" | grep -qE -- "$pat" || fail "invigil $*: output lacks /$pat/: $out"
}

for o in --feed --db --proctor --rules --headless --demo --seed --rate --token-file --ca --insecure --ping --max-attempts --max-clock-skew --command-timeout --help; do
	expect 0 "$o" --help
done
for o in --listen --simulate --seed --replay --rate --id --name --buffer --no-auth --quiet --help; do
	expect 0 "$o" feed --help
done
# The man pages describe every option the binary has.
MAN=$(cd "$TESTS/../man" && pwd)
for o in $("$INVIGIL" --help | grep -oE -- '--[a-z-]+' | sort -u); do
	grep -qF -- "${o//-/\\-}" "$MAN/invigil.1" || fail "invigil(1) does not describe $o"
done
for o in $("$INVIGIL" feed --help | grep -oE -- '--[a-z-]+' | sort -u); do
	grep -qF -- "${o//-/\\-}" "$MAN/invigil-feed.1" || fail "invigil-feed(1) does not describe $o"
done

for o in $("$INVIGIL" review --help | grep -oE -- '--[a-z-]+' | sort -u); do
	grep -qF -- "${o//-/\\-}" "$MAN/invigil-review.1" || fail "invigil-review(1) does not describe $o"
done
expect 0 "rules check \\[--\\] FILE" rules --help
expect 0 "backtest" review --help
expect 2 "unknown subcommand \"bogus\"" rules bogus
expect 2 "unknown subcommand \"bogus\"" review bogus
expect 2 "^invigil review backtest: give --rules FILE \\(the rules to try\\)$" review backtest --db x.db
expect 2 "^invigil review backtest: give --db PATH \\(the database a console wrote\\) and --rules FILE \\(the rules to try\\)$" review backtest
expect 2 "^invigil review backtest: unknown option --bogus; see 'invigil review --help'$" review backtest --bogus
expect 2 "^invigil review backtest: unexpected argument \"extra\"; give the database with --db and the rules with --rules$" review backtest extra --db x.db --rules y.rules
expect 2 "^invigil review backtest: --db needs a value; see 'invigil review --help'$" review backtest --db
expect 1 "cannot open" rules check "$T/none.rules"
# Every rules subcommand takes --help/-h; any other option is named.
for sub in check defaults; do
	for h in --help -h; do
		expect 0 "^usage: invigil rules check" rules $sub $h
	done
done
expect 2 "^invigil rules check: unknown option -v; a file whose name starts with - goes after --$" rules check -v
expect 2 "^invigil rules check: unknown option -; a file whose name starts with - goes after --$" rules check -
expect 2 "^invigil rules defaults: unknown option --bogus$" rules defaults --bogus
expect 2 "^invigil rules defaults: takes no arguments, not \"x\"$" rules defaults x
expect 2 "^invigil rules: unknown option \"-v\"; try 'invigil rules --help'$" rules -v
expect 1 "^-x: cannot open the rule file" rules check -- -x

expect 2 "unknown option --bogus" --bogus
expect 2 "--max-attempts wants a whole number from 1 to 10000000, not \"0\"" --max-attempts 0 --feed ws://127.0.0.1:1/
expect 2 "--max-clock-skew wants a whole number from 1 to 31622400, not \"1d\"" --max-clock-skew 1d --feed ws://127.0.0.1:1/
expect 2 "no feed" --headless
# An option that would be ignored is refused; so is the same feed twice.
U=ws://127.0.0.1:1/
expect 2 "^invigil: --feed $U is given twice; give each feed once$" --headless --db "$T/x.db" --feed $U --feed $U
expect 2 "^invigil: --feed ws://127.0.0.1:1 is the same feed as --feed $U; give each feed once$" --headless --db "$T/x.db" --feed $U --feed ws://127.0.0.1:1
expect 2 "^invigil: --seed sets the --demo simulator's seed, and there is no --demo: give --demo, or leave --seed out$" --headless --db "$T/x.db" --feed $U --seed 3
expect 2 "^invigil: --rate sets the --demo simulator's speed, and there is no --demo: give --demo, or leave --rate out$" --headless --db "$T/x.db" --feed $U --rate 3
printf 'not read\n' >"$T/ca.pem"
expect 2 "^invigil: --ca is trusted for wss:// feeds, and no --feed is wss://: leave --ca out, or give the feed's wss:// URL$" --headless --db "$T/x.db" --feed $U --ca "$T/ca.pem"
expect 2 "^invigil: --ca is trusted for wss:// feeds" --headless --db "$T/x.db" --demo --ca "$T/ca.pem"
expect 2 "^invigil: --insecure turns off the checks of wss:// feeds, and no --feed is wss://: leave --insecure out, or give the feed's wss:// URL$" --headless --db "$T/x.db" --feed $U --insecure
head -c 24 /dev/urandom | base64 >"$T/token"; chmod 600 "$T/token"
expect 2 "^invigil: --token-file is sent to the --feed feeds, and there is none \(the --demo simulator takes no token\): leave --token-file out, or give --feed URL$" --headless --db "$T/x.db" --demo --token-file "$T/token"
expect 2 "^invigil: --command-timeout times the \"unanswered\" lines of --headless, and there is no --headless: give --headless, or leave --command-timeout out$" --db "$T/x.db" --feed $U --command-timeout 5
expect 2 "^invigil: --command-timeout wants a whole number from 1 to 86400, not \"0\"$" --headless --db "$T/x.db" --feed $U --command-timeout 0
feeds=""; for i in $(seq 1 32); do feeds="$feeds --feed ws://127.0.0.1:$i/"; done
expect 2 "^invigil: at most 32 feeds, --demo's simulator included: give one --feed fewer$" --headless --db "$T/x.db" --demo $feeds
expect 2 "needs a value" --feed
expect 2 "must start with ws:// or wss://" --headless --feed http://x/ --db "$T/x.db"
expect 2 "whole number from 1" --demo=0
expect 2 "unknown command \"feeds\"" feeds
expect 2 "the screen needs a terminal" --feed ws://127.0.0.1:1/ --db "$T/x.db"
expect 2 "exactly one of --simulate N and --replay FILE" feed
expect 2 "whole number from 1" feed --simulate abc
expect 2 "HOST:PORT" feed --simulate 3 --listen nowhere
expect 2 "unknown option --bogus" feed --bogus

printf '{"t":"attempt","attempt":"A1","candidate":"C1","name":"n","exam":"E","modality":"remote","state":"scheduled"}\n{"t":"event","attempt":"A1","kind":"focus_lsot"}\n' >"$T/bad.jsonl"
expect 1 "bad.jsonl:2: .*kind" feed --replay "$T/bad.jsonl" --listen 127.0.0.1:0
expect 1 "cannot open" feed --replay "$T/none.jsonl" --listen 127.0.0.1:0
printf 'not a database, just text\n' >"$T/text.db"
expect 1 "text.db" --headless --feed ws://127.0.0.1:1/ --db "$T/text.db"
echo "PASS: options listed, usage errors exit 2, bad input exits 1 with a message ($cases command lines, each exit status and message as expected)"
