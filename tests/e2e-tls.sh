#!/bin/bash
# e2e-tls.sh - wss:// with certificates made here by the openssl command
# line: a console that trusts the CA (--ca) and names the right host gets
# the stream; an unknown CA or a wrong host name is refused and nothing is
# stored; --insecure connects anyway and says so on screen.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || fail "openssl is not installed (scripts/install-deps)"
cd "$T" || exit 1
mkcert() {	# mkcert NAME CA SAN: a key and a certificate signed by CA
	openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "/CN=$3" \
	    -out "$1.csr" 2>/dev/null
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$4" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" \
	    -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
}
mkca() {
	openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$1.key" \
	    -subj "/CN=$1" -days 2 -out "$1.crt" 2>/dev/null
}
mkca ca
mkca otherca
mkcert good ca localhost "DNS:localhost,IP:127.0.0.1"
mkcert wrongname ca elsewhere.example "DNS:elsewhere.example"
mkcert stranger otherca localhost "DNS:localhost,IP:127.0.0.1"
[ -s good.crt ] && [ -s wrongname.crt ] && [ -s stranger.crt ] || fail "openssl could not make certificates"

stored() { sqlite3 -readonly "$1" "select count(*) from messages" 2>/dev/null || echo 0; }
# console DB ARGS...: a headless console on DB, its stderr in DB.err; sets
# CPID_<name of DB without .db>.
console() {
	db=$1; shift
	"$INVIGIL" --headless --db "$db" "$@" >/dev/null 2>"$db.err" &
	PIDS="$PIDS $!"
	eval "CPID_${db%.db}=$!"
}
# finish DB: stop DB's console; it must exit 0 within the deadline.
finish() {
	eval "p=\$CPID_${1%.db}"
	kill -TERM "$p" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$p" 2>/dev/null || { wait "$p" && return 0; cat "$1.err" >&2; fail "console on $1 exited $? on SIGTERM"; }
		sleep 0.1
	done
	fail "console on $1 still running 10 s after SIGTERM"
}
stored_over() { [ "$(stored "$1")" -gt "$2" ]; }
said() { grep -q "$2" "$1.err"; }

for cert in good wrongname stranger; do
	start_feed --simulate 5 --rate 100 --cert $cert.crt --key $cert.key --id tls-$cert
	eval "PORT_$cert=$FEED_PORT"
done

# The same feed, the same moment: the console given --ca connects, the one
# without it is refused for the reason of TLS verification, not any other.
console ok.db --feed "wss://localhost:$PORT_good/" --ca ca.crt
console sys.db --feed "wss://localhost:$PORT_good/"
wait_for 10 stored_over ok.db 5 || { cat ok.db.err >&2; fail "trusted CA and right host: nothing stored"; }
wait_for 10 said sys.db "cannot connect: TLS: unable to get local issuer.*give --ca" ||
    { cat sys.db.err >&2; fail "a private CA without --ca: no TLS verification failure"; }
finish ok.db
finish sys.db
[ "$(stored sys.db)" = 0 ] || fail "a private CA was trusted without --ca"

console name.db --feed "wss://localhost:$PORT_wrongname/" --ca ca.crt
wait_for 10 said name.db "cannot connect: TLS: hostname mismatch" || { cat name.db.err >&2; fail "wrong host name: no message"; }
finish name.db
[ "$(stored name.db)" = 0 ] || fail "a certificate for another host name was accepted"

console ca.db --feed "wss://localhost:$PORT_stranger/" --ca ca.crt
wait_for 10 said ca.db "cannot connect: TLS: unable to get local issuer.*give --ca" || { cat ca.db.err >&2; fail "unknown CA: no message"; }
finish ca.db
[ "$(stored ca.db)" = 0 ] || fail "a certificate from an unknown CA was accepted"

console insecure.db --feed "wss://localhost:$PORT_stranger/" --insecure
wait_for 10 stored_over insecure.db 5 || { cat insecure.db.err >&2; fail "--insecure did not connect"; }
finish insecure.db

# On screen, --insecure is spelt out.
tmux -S "$T/tmux.sock" -f /dev/null new-session -d -x 120 -y 30 \
    "'$INVIGIL' --feed wss://localhost:$PORT_stranger/ --insecure --db '$T/screen.db'; sleep 30"
warned() { tmux -S "$T/tmux.sock" capture-pane -p -t 0 | grep -q "WARNING: --insecure"; }
wait_for 5 warned || { tmux -S "$T/tmux.sock" capture-pane -p -t 0 >&2; tmux -S "$T/tmux.sock" kill-server; fail "no --insecure warning on screen"; }
tmux -S "$T/tmux.sock" kill-server
echo "PASS: wss:// verified with --ca ($(stored ok.db) messages stored); wrong host name and unknown CA refused ($(stored sys.db), $(stored name.db) and $(stored ca.db) stored without a trusted certificate); --insecure warns ($(stored insecure.db) stored); 5 consoles exited 0 on SIGTERM"
