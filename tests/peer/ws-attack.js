#!/usr/bin/env node
// ws-attack.js - a hostile client of `invigil feed` on Node's `ws`, for
// tests/e2e-feed-attack.sh.  Loopback only; every loop is bounded in count
// and in time.
//
// usage: node ws-attack.js ATTACK URL [options]
//
//   resume URL
//        hellos whose resume.after_seq is 2^63-1, 2^63-2, -1, 2^63 and
//        1e30 in the feed's own epoch: each is served from last_seq + 1 or
//        closed with 1002 and a reason; the feed never drops the connection
//        without a close frame
//   inject URL
//        a hello whose proctor, and cmds whose id and attempt, hold ESC,
//        an OSC title sequence, C1 and bidi controls; waits for the acks
//   flood URL --count N [--per P]
//        N commands with distinct ids, P per connection (default 200, the
//        feed's burst), each connection then closed; prints how many were
//        acknowledged and how many connections the feed closed with 1008
//   window URL [--junk N]
//        pause an attempt, then N (default 15000) junk commands: the pause's
//        ack is dropped from the feed's buffer (10000 acks), a resume from
//        before it gets a gap over it, and re-sending the pause gets ok
//        again without a second pause (16384 ids remembered)
//   overrate URL
//        one connection that sends $OVER (default 1000) commands at once:
//        at most the burst is carried out (a second console counts the
//        acks), then the connection is closed (1008, or reset when the rest
//        of the burst is still arriving)
//   noproto URL
//        a WebSocket client that offers no subprotocol: closed with 1002,
//        never sent welcome; one that offers 6, the last invigil.v1: served
//   idle URL --count N [--local ADDR] [--hold SECS]
//        N TCP connections from ADDR that send nothing (half of them half a
//        handshake), held up to SECS (default 30); prints how many the feed
//        closed at once, how many later and after how long
//   count URL
//        a fresh console: prints the number of non-ack and ack stream
//        messages and gaps it is sent until it is idle for 1 s
'use strict';

const net = require('net');
const crypto = require('crypto');
const { Conn, SUBPROTOCOL, parseArgs, ok } = require('./conn');

let attack = '?';

function fail(why) {
	throw new Error(why);
}

// A connection that said hello as proctor and was welcomed: {c, welcome}.
async function helloed(url, proctor) {
	const c = new Conn(url);
	try {
		await c.opened;
	} catch (e) {
		fail(`connecting as ${JSON.stringify(proctor)}: ${e.message}`);
	}
	c.send(JSON.stringify({ t: 'hello', proto: 1, proctor }));
	const item = await c.until((i) => i.msg && i.msg.t === 'welcome');
	if (!item.msg)
		fail(`no welcome for ${JSON.stringify(proctor)}: ${JSON.stringify(item)}`);
	return { c, welcome: item.msg };
}

async function welcomeOf(url) {
	const { c, welcome } = await helloed(url, 'attack');
	c.terminate();
	return welcome;
}

async function attackResume(url) {
	const w = await welcomeOf(url);
	// Raw JSON: these numbers do not survive a JavaScript number.
	const values = ['9223372036854775807', '9223372036854775806', '-1',
	    '9223372036854775808', '1e30', String(w.last_seq + 1000)];
	for (const v of values) {
		const c = new Conn(url);
		await c.opened;
		c.send(`{"t":"hello","proto":1,"proctor":"attack",` +
		    `"resume":{"epoch":${w.epoch},"after_seq":${v}}}`);
		const first = await c.next();
		if (first.closed) {
			if (first.closed.code !== 1002 || first.closed.reason === '')
				fail(`after_seq ${v}: closed ${first.closed.code} "${first.closed.reason}", want 1002 with a reason`);
			ok(`after_seq ${v}: closed 1002 "${first.closed.reason}"`);
			continue;
		}
		if (!first.msg || first.msg.t !== 'welcome')
			fail(`after_seq ${v}: ${JSON.stringify(first)}, want welcome or close 1002`);
		// Served: nothing it already claims to hold, no bogus gap.
		const item = await c.next(1500);
		c.terminate();
		if (item.closed)
			fail(`after_seq ${v}: welcome, then closed ${item.closed.code} "${item.closed.reason}"`);
		if (item.msg && item.msg.t === 'gap')
			fail(`after_seq ${v}: a gap ${item.msg.from_seq}..${item.msg.to_seq}`);
		if (item.msg && item.msg.seq <= first.msg.last_seq)
			fail(`after_seq ${v}: sent seq ${item.msg.seq}, at or below last_seq ${first.msg.last_seq}`);
		ok(`after_seq ${v}: welcome (last_seq ${first.msg.last_seq}), then ${item.msg ? 'seq ' + item.msg.seq : 'nothing old'}`);
	}
}

// ESC [2J, an OSC title, a C1 CSI, bidi overrides, BEL.
const NASTY = '\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202eevil\u202c\u2066x\u2069';

async function attackInject(url) {
	const { c } = await helloed(url, 'p' + NASTY);
	const ids = [];
	for (let i = 0; i < 3; i++) {
		const id = `inj${i}` + NASTY.slice(0, 20 - i);
		ids.push(id);
		c.send(JSON.stringify({ t: 'cmd', id, attempt: 'A' + NASTY,
		    action: 'warn', text: NASTY }));
	}
	// A cmd that fails validation (unknown action), id and all.
	const bad = 'bad' + NASTY.slice(0, 12);
	ids.push(bad);
	c.send(JSON.stringify({ t: 'cmd', id: bad, attempt: NASTY, action: NASTY }));
	// Not a cmd, not a hello: logged as ignored.
	c.send(JSON.stringify({ t: 'state', seq: 1, ts: '2026-01-01T00:00:00.000Z',
	    attempt: NASTY, state: 'paused' }));
	const want = new Set(ids);
	const item = await c.until((i) => {
		if (i.msg && i.msg.t === 'ack')
			want.delete(i.msg.cmd);
		return want.size === 0;
	});
	c.terminate();
	if (want.size > 0)
		fail(`no ack for ${[...want].map((s) => JSON.stringify(s)).join(', ')} (${JSON.stringify(item)})`);
	ok(`hello, ${ids.length} cmds and a stray state with ESC/OSC/C1/bidi in proctor, id, attempt: all acknowledged`);
}

async function attackFlood(url, args) {
	const count = Number(args.count || 20000);
	const per = Number(args.per || 200);
	const f = await floodCommands(url, count, per, Date.now() + 120000);
	ok(`flood: ${f.sent} commands with distinct ids over ${f.conns} connections (${per} each): ${f.acked} acknowledged, ${f.closed1008} connections closed 1008`);
}

// Send count junk commands, per on each connection; returns the number.
async function floodCommands(url, count, per, deadline) {
	const nonce = crypto.randomBytes(4).toString('hex');
	let sent = 0, acked = 0, closed1008 = 0, conns = 0;

	while (sent < count && Date.now() < deadline) {
		const { c } = await helloed(url, 'flood');
		conns++;
		const mine = new Set();
		const n = Math.min(per, count - sent);
		for (let i = 0; i < n; i++) {
			const id = `junk-${nonce}-${sent + i}`;
			mine.add(id);
			c.send(JSON.stringify({ t: 'cmd', id, attempt: 'A' + (sent + i),
			    action: 'warn' }));
		}
		sent += n;
		const end = await c.until((i) => {
			if (i.msg && i.msg.t === 'ack' && mine.delete(i.msg.cmd))
				acked++;
			return mine.size === 0;
		}, 10000);
		if (end.closed && end.closed.code === 1008)
			closed1008++;
		c.terminate();
	}
	if (sent < count)
		fail(`sent ${sent} of ${count} commands in the time allowed`);
	return { sent, acked, closed1008, conns };
}

// A pause whose ack the feed has dropped from its buffer (more acks came
// after it) is answered again from the command memory: same ok, not
// carried out twice; a console resuming from before it gets a gap for it.
async function attackWindow(url, args) {
	const junk = Number(args.junk || 15000);
	const { c: a } = await helloed(url, 'window-a');
	let attempt, epoch, pauseAck;
	const id = 'window-' + crypto.randomBytes(4).toString('hex');
	for (let tries = 1; tries <= 3 && !pauseAck; tries++) {
		const st = await a.until((i) => i.msg && i.msg.t === 'state' &&
		    i.msg.state === 'in_progress' && i.msg.attempt !== attempt, 60000);
		if (!st.msg)
			fail(`no attempt in progress: ${JSON.stringify(st)}`);
		attempt = st.msg.attempt;
		a.send(JSON.stringify({ t: 'cmd', id: id + '-' + tries, attempt,
		    action: 'pause' }));
		const ak = await a.until((i) => i.msg && i.msg.t === 'ack' &&
		    i.msg.cmd === id + '-' + tries);
		if (!ak.msg)
			fail(`no ack of the pause: ${JSON.stringify(ak)}`);
		if (ak.msg.ok)
			pauseAck = ak.msg;
	}
	if (!pauseAck)
		fail('three pauses of in_progress attempts were refused');
	a.terminate();
	const w0 = await welcomeOf(url);
	epoch = w0.epoch;
	const f = await floodCommands(url, junk, 200, Date.now() + 120000);

	const { c: b, welcome } = await helloed(url, 'window-b');
	b.terminate();
	const r = new Conn(url);
	await r.opened;
	r.send(JSON.stringify({ t: 'hello', proto: 1, proctor: 'window-b',
	    resume: { epoch, after_seq: pauseAck.seq - 1 } }));
	let gapOver = null, sawAck = false, n = 0;
	await r.until((i) => {
		if (!i.msg)
			return false;
		if (i.msg.t === 'gap' && i.msg.from_seq <= pauseAck.seq &&
		    i.msg.to_seq >= pauseAck.seq)
			gapOver = i.msg;
		if (i.msg.seq === pauseAck.seq)
			sawAck = true;
		n++;
		return i.msg.seq !== undefined && i.msg.seq > pauseAck.seq;
	}, 15000);
	if (sawAck)
		fail(`seq ${pauseAck.seq} (the ack) was still held after ${f.sent} more acks`);
	if (!gapOver)
		fail(`resumed after seq ${pauseAck.seq - 1}: no gap for the dropped ack ${pauseAck.seq} (${n} messages)`);
	ok(`the ack of ${pauseAck.cmd} (seq ${pauseAck.seq}) fell out after ${f.sent} junk commands; a resume from seq ${pauseAck.seq - 1} gets gap ${gapOver.from_seq}..${gapOver.to_seq} for it (welcome first_seq ${welcome.first_seq})`);

	// The console re-sends it: the same answer, not a second pause.
	r.send(JSON.stringify({ t: 'cmd', id: pauseAck.cmd, attempt,
	    action: 'pause' }));
	let again = null;
	const states = [];
	await r.until((i) => {
		if (i.msg && i.msg.t === 'state' && i.msg.attempt === attempt)
			states.push(i.msg.state);
		if (i.msg && i.msg.t === 'ack' && i.msg.cmd === pauseAck.cmd)
			again = i.msg;
		return again !== null;
	});
	r.terminate();
	if (!again)
		fail(`no ack for the re-sent ${pauseAck.cmd}`);
	if (again.ok !== true || again.seq <= pauseAck.seq)
		fail(`the re-sent ${pauseAck.cmd} got ${JSON.stringify(again)}, want ok true with a new seq (the pause carried out once)`);
	if (states.includes('paused'))
		fail(`the re-sent ${pauseAck.cmd} paused ${attempt} again`);
	ok(`the re-sent ${pauseAck.cmd} (within the window of remembered ids) is answered ok again at seq ${again.seq}, not carried out twice`);
}

// More commands at once than the burst: the feed carries out at most the
// burst (and what refilled meanwhile), as a second, quiet console sees in
// the acks, and closes the flooding connection, with 1008 unless the close
// frame is lost to the TCP reset that closing a socket with unread input
// causes (the rest of the burst is still arriving).
async function attackOverrate(url) {
	const n = Number(process.env.OVER || 1000);
	const prefix = `over-${crypto.randomBytes(4).toString('hex')}-`;
	const { c: watcher } = await helloed(url, 'watcher');
	const { c } = await helloed(url, 'overrate');
	for (let i = 0; i < n; i++)
		c.send(JSON.stringify({ t: 'cmd', id: prefix + i, attempt: 'A1',
		    action: 'warn' }));
	const end = await c.until(() => false);
	c.terminate();
	let acked = 0;
	const stop = Date.now() + 15000;
	while (Date.now() < stop) {
		const item = await watcher.next(1000);
		if (item.timeout || item.closed)
			break;
		if (item.msg.t === 'ack' && item.msg.cmd.startsWith(prefix))
			acked++;
	}
	watcher.terminate();
	if (!end.closed)
		fail(`${n} commands at once: still open after 15 s, want a close (1008)`);
	if (end.closed.code !== 1008 && end.closed.code !== 1006)
		fail(`${n} commands at once: closed ${end.closed.code} "${end.closed.reason}", want 1008`);
	if (acked > 220)
		fail(`${n} commands at once: ${acked} carried out and acknowledged, want at most the burst of 200 (and what refilled)`);
	ok(`${n} commands at once: ${acked} carried out (another console saw the acks), then closed ${end.closed.code}${end.closed.reason ? ' "' + end.closed.reason + '"' : ' (reset: the close frame was lost)'}`);
}

async function attackNoproto(url) {
	const c = new Conn(url, { protocols: null });
	try {
		await c.opened;
	} catch (e) {
		ok(`no subprotocol offered: refused before the upgrade (${e.message})`);
		return;
	}
	c.send(JSON.stringify({ t: 'hello', proto: 1, proctor: 'noproto' }));
	const item = await c.until(() => true, 5000);
	c.terminate();
	if (item.msg && item.msg.t === 'welcome')
		fail(`a client that offered no subprotocol was served (negotiated "${c.ws.protocol}")`);
	if (!item.closed || item.closed.code !== 1002)
		fail(`no subprotocol offered: ${JSON.stringify(item)}, want close 1002`);
	ok(`no subprotocol offered: closed 1002 "${item.closed.reason}", no welcome`);

	// A list that ends with invigil.v1 (lws refuses one over 128 bytes).
	const many = [];
	for (let i = 0; i < Number(process.env.NPROTO || 5); i++)
		many.push(`other.v${i}.${'x'.repeat(8)}`);
	many.push(SUBPROTOCOL);
	const l = new Conn(url, { protocols: many });
	try {
		await l.opened;
	} catch (e) {
		fail(`${many.length} subprotocols offered, the last ${SUBPROTOCOL}: ${e.message}`);
	}
	l.send(JSON.stringify({ t: 'hello', proto: 1, proctor: 'longlist' }));
	const w = await l.until(() => true, 5000);
	l.terminate();
	if (!w.msg || w.msg.t !== 'welcome')
		fail(`${many.length} subprotocols offered (${many.join(', ').length} bytes), the last ${SUBPROTOCOL}: ${JSON.stringify(w)}, want welcome`);
	ok(`${many.length} subprotocols offered (${many.join(', ').length} bytes), the last ${SUBPROTOCOL}: negotiated "${l.ws.protocol}", welcome`);
}

function attackIdle(url, args) {
	const u = new URL(url);
	const count = Number(args.count || 400);
	const hold = Number(args.hold || 30) * 1000;
	const local = args.local || '127.0.0.1';
	const started = Date.now();
	let opened = 0, refused = 0, closedSoon = 0, closedLater = 0, errors = 0;
	let lastClose = 0;
	const socks = [];

	return new Promise((resolve) => {
		let pending = count;
		const done = () => {
			for (const s of socks)
				s.destroy();
			ok(`idle: ${count} connections from ${local}: ${opened} opened, ` +
			    `${closedSoon} closed by the feed within 1 s, ${closedLater} later ` +
			    `(the last ${((lastClose - started) / 1000).toFixed(1)} s after the start), ` +
			    `${refused + errors} refused or failed, ` +
			    `${opened - closedSoon - closedLater} still open after ${(hold / 1000)} s`);
			resolve();
		};
		const timer = setTimeout(done, hold);
		for (let i = 0; i < count; i++) {
			const s = net.connect({ host: u.hostname, port: Number(u.port),
			    localAddress: local });
			socks.push(s);
			let at = 0;
			s.on('connect', () => {
				opened++;
				at = Date.now();
				if (i % 2 === 1)	// half a handshake, never finished
					s.write(`GET / HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n`);
			});
			s.on('error', () => {
				errors++;
			});
			s.on('close', () => {
				if (at === 0)
					refused++;
				else if (Date.now() - at < 1000)
					closedSoon++;
				else
					closedLater++;
				lastClose = Date.now();
				if (--pending === 0) {
					clearTimeout(timer);
					done();
				}
			});
		}
	});
}

async function attackCount(url) {
	const { c, welcome } = await helloed(url, 'count');
	let exam = 0, acks = 0, gaps = 0, last = 0;
	const end = Date.now() + 60000;
	while (Date.now() < end) {
		const item = await c.next(1000);
		if (item.timeout)
			break;
		if (item.closed)
			fail(`closed ${item.closed.code} "${item.closed.reason}"`);
		const m = item.msg;
		if (m.t === 'gap') {
			gaps++;
			continue;
		}
		if (m.seq <= last)
			fail(`seq ${m.seq} after ${last}`);
		last = m.seq;
		if (m.t === 'ack')
			acks++;
		else
			exam++;
	}
	c.terminate();
	process.stdout.write(`count: exam ${exam} acks ${acks} gaps ${gaps} first_seq ${welcome.first_seq} last_seq ${welcome.last_seq}\n`);
}

const ATTACKS = {
	resume: attackResume,
	inject: attackInject,
	flood: attackFlood,
	window: attackWindow,
	overrate: attackOverrate,
	noproto: attackNoproto,
	idle: attackIdle,
	count: attackCount,
};

async function main() {
	const args = parseArgs(process.argv.slice(2));
	attack = args._[0];
	const url = args._[1];
	if (!ATTACKS[attack] || !url) {
		process.stderr.write('usage: node ws-attack.js ' +
		    Object.keys(ATTACKS).join('|') + ' URL [options]\n');
		process.exit(2);
	}
	const u = new URL(url);
	if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost')
		fail(`${url}: loopback only`);
	await ATTACKS[attack](url, args);
}

main().then(() => process.exit(0), (e) => {
	process.stderr.write(`ws-attack: ${attack}: ${e.message}\n`);
	process.exit(1);
});
