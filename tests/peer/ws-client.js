#!/usr/bin/env node
// ws-client.js - an independent client of invigil protocol v1, written on
// Node's `ws` rather than libwebsockets, to check that `invigil feed` speaks
// the protocol as documented (man/invigil-feed.1, proto/proto.h).
//
// usage: node ws-client.js CHECK URL [options]
//
//   stream URL [--count N] [--feed ID]
//        handshake negotiates invigil.v1; hello -> welcome with valid fields;
//        N stream messages, each valid, seq gapless from welcome.first_seq
//   replay URL --scenario FILE [--feed ID]
//        the whole stream equals the scenario file, line for line (seq i+1,
//        every field, ts as in the file), and nothing follows it
//   resume URL [--k K] [--more M]
//        read K, disconnect, reconnect with resume {epoch, after_seq: K}: the
//        next message is K+1; the K + M messages equal a fresh connection's;
//        a resume in another epoch starts again from first_seq
//   commands URL
//        pause an in_progress attempt (ack ok, state paused), the same cmd id
//        again (ack ok, no second state change), a non-existent attempt
//        (ack ok:false naming it)
//   refused-commands URL
//        a replaying feed answers every cmd with ok:false and a reason
//   subprotocol URL
//        a client offering only another subprotocol is not served
//   limits URL
//        a 70 KB message gets close 1009; a text frame that is not UTF-8
//        gets close 1007
//   edges URL
//        what invigil-proto(7) says of the edges: any request path is
//        served; a second hello gets no second welcome and the stream goes
//        on; a hello of another version is closed 1002 with the decoder's
//        sentence; a plain HTTP request (no upgrade) gets no answer
//   auth URL --token T
//        no Authorization header: HTTP 401 (text/html, the body's sentence,
//        no WWW-Authenticate); a wrong token: 401; T: welcome
//
// Prints one "ok: ..." line per check passed, and exits 0; on the first
// failure prints "ws-client: CHECK: why" on stderr and exits 1.
'use strict';

const fs = require('fs');
const net = require('net');
const crypto = require('crypto');
const base = require('./conn');

const { SUBPROTOCOL, TIMEOUT_MS, parseArgs, ok } = base;
const STREAM_TYPES = new Set(['attempt', 'event', 'answer', 'state', 'ack']);
const STATES = ['scheduled', 'checked_in', 'in_progress', 'paused',
    'submitted', 'terminated'];
const MODALITIES = ['remote', 'test_center'];
const KINDS = ['focus_lost', 'focus_returned', 'fullscreen_exit', 'clipboard',
    'print_screen', 'devtools_opened', 'display_added', 'vm_detected',
    'remote_access', 'prohibited_process', 'face_missing', 'face_returned',
    'faces_multiple', 'gaze_away', 'voice_detected', 'object_detected',
    'identity_mismatch', 'ip_change', 'device_change', 'network_lost',
    'network_restored', 'idle', 'raise_hand'];
const TS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let check = '?';

class CheckError extends Error {}

function fail(why) {
	throw new CheckError(why);
}

// ---- message validation, field by field (proto/codec.c's rules)

function utf8len(s) {
	return Buffer.byteLength(s, 'utf8');
}

function isInt(v, min) {
	return Number.isInteger(v) && v >= min;
}

function validate(m) {
	const where = m && m.seq !== undefined ? 'seq ' + m.seq : 'message';
	const str = (f, max, optional) => {
		if (m[f] === undefined) {
			if (!optional)
				fail(`${where} (${m.t}): field "${f}" missing`);
			return;
		}
		if (typeof m[f] !== 'string' || utf8len(m[f]) > max)
			fail(`${where} (${m.t}): field "${f}" is not a string of at most ${max} bytes: ${JSON.stringify(m[f])}`);
	};
	const oneOf = (f, set) => {
		if (!set.includes(m[f]))
			fail(`${where} (${m.t}): field "${f}" is ${JSON.stringify(m[f])}, not one of ${set.join(' ')}`);
	};
	const int = (f, min, optional) => {
		if (m[f] === undefined && optional)
			return;
		if (!isInt(m[f], min))
			fail(`${where} (${m.t}): field "${f}" is ${JSON.stringify(m[f])}, not an integer >= ${min}`);
	};
	const bool = (f) => {
		if (typeof m[f] !== 'boolean')
			fail(`${where} (${m.t}): field "${f}" is ${JSON.stringify(m[f])}, not a boolean`);
	};
	const ts = () => {
		if (typeof m.ts !== 'string' || !TS_RE.test(m.ts) ||
		    Number.isNaN(Date.parse(m.ts)))
			fail(`${where} (${m.t}): field "ts" is ${JSON.stringify(m.ts)}, not RFC 3339 UTC with milliseconds`);
	};
	if (m === null || typeof m !== 'object' || Array.isArray(m))
		fail('a message is not a JSON object');
	if (typeof m.t !== 'string')
		fail(`${where}: field "t" missing or not a string`);
	if (STREAM_TYPES.has(m.t)) {
		int('seq', 1);
		ts();
	}
	switch (m.t) {
	case 'welcome':
		ts();
		str('feed', 64);
		str('name', 256);
		int('epoch', 0);
		int('first_seq', 0);
		int('last_seq', 0);
		if (m.first_seq - 1 > m.last_seq)
			fail(`welcome: first_seq ${m.first_seq} > last_seq ${m.last_seq} + 1`);
		if (m.last_seq >= 1 && m.first_seq < 1)
			fail(`welcome: first_seq ${m.first_seq} with last_seq ${m.last_seq}`);
		break;
	case 'attempt':
		str('attempt', 64);
		str('candidate', 64);
		str('name', 256);
		str('exam', 64);
		str('form', 64, true);
		str('center', 64, true);
		oneOf('modality', MODALITIES);
		oneOf('state', STATES);
		str('ip', 45, true);
		str('device', 64, true);
		break;
	case 'event':
		str('attempt', 64);
		oneOf('kind', KINDS);
		if (m.data !== undefined && (m.data === null ||
		    typeof m.data !== 'object' || Array.isArray(m.data)))
			fail(`${where} (event): field "data" is not an object`);
		if (m.data !== undefined && utf8len(JSON.stringify(m.data)) > 16 * 1024)
			fail(`${where} (event): field "data" over 16 KiB`);
		break;
	case 'answer':
		str('attempt', 64);
		str('item', 64);
		str('response', 256);
		bool('correct');
		int('elapsed_ms', 0);
		int('changed', 0, true);
		break;
	case 'state':
		str('attempt', 64);
		oneOf('state', STATES);
		break;
	case 'ack':
		str('cmd', 64);
		bool('ok');
		str('error', 1024, true);
		if (!m.ok && !m.error)
			fail(`${where} (ack): ok is false without an error`);
		break;
	case 'gap':
		ts();
		int('from_seq', 1);
		int('to_seq', m.from_seq);
		str('why', 1024);
		break;
	default:
		fail(`${where}: unknown type "t": ${JSON.stringify(m.t)}`);
	}
}

// ---- a connection with a queue of received messages

// The reference client's connection: conn.js's, and the next message
// validated field by field with the stream's seq continuity checked.
class Conn extends base.Conn {
	constructor(url, opts = {}) {
		super(url, opts);
		this.lastSeq = null;
	}

	// The next message, validated; stream messages must continue the seq.
	async msg(timeout, what) {
		const item = await this.next(timeout, what);
		if (item.timeout)
			fail(item.timeout);
		if (item.error)
			fail(item.error);
		if (item.closed)
			fail(`the feed closed the connection (code ${item.closed.code} ${item.closed.reason}) while waiting for ${what || 'a message'}`);
		const m = item.msg;
		validate(m);
		if (STREAM_TYPES.has(m.t)) {
			if (this.lastSeq !== null && m.seq !== this.lastSeq + 1)
				fail(`seq ${m.seq} follows seq ${this.lastSeq}: the stream is not gapless`);
			this.lastSeq = m.seq;
		} else if (m.t === 'gap') {
			fail(`the feed sent gap ${m.from_seq}..${m.to_seq}: ${m.why}`);
		}
		return m;
	}

	// Wait for the upgrade, check the subprotocol, say hello, get welcome.
	async hello(resume, proctor = 'node-peer') {
		await this.opened;
		if (this.ws.protocol !== SUBPROTOCOL)
			fail(`negotiated subprotocol is "${this.ws.protocol}", not ${SUBPROTOCOL}`);
		const h = { t: 'hello', proto: 1, proctor };
		if (resume)
			h.resume = resume;
		this.send(h);
		const w = await this.msg(TIMEOUT_MS, 'welcome');
		if (w.t !== 'welcome')
			fail(`the first message after hello is "${w.t}", not welcome`);
		this.welcome = w;
		return w;
	}

	// The next stream message (the first one sets where seq starts).
	async stream(what) {
		const m = await this.msg(TIMEOUT_MS, what);
		if (!STREAM_TYPES.has(m.t))
			fail(`unexpected "${m.t}" in the stream`);
		return m;
	}

}

// Canonical JSON (sorted keys) to compare messages field by field.
function canon(v) {
	if (Array.isArray(v))
		return '[' + v.map(canon).join(',') + ']';
	if (v !== null && typeof v === 'object')
		return '{' + Object.keys(v).sort().map((k) =>
		    JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
	return JSON.stringify(v);
}

// ---- checks

async function checkStream(url, args) {
	const n = Number(args.count || 500);
	const c = new Conn(url);
	const w = await c.hello();
	ok(`handshake negotiated ${SUBPROTOCOL}`);
	if (args.feed !== undefined && w.feed !== args.feed)
		fail(`welcome.feed is "${w.feed}", want "${args.feed}"`);
	if (typeof w.name !== 'string' || w.name === '')
		fail('welcome.name is empty');
	ok(`welcome: feed ${w.feed}, name ${JSON.stringify(w.name)}, epoch ${w.epoch}, seq ${w.first_seq}..${w.last_seq}, ts ${w.ts}`);
	const first = await c.stream('the first stream message');
	if (first.seq !== w.first_seq && !(w.last_seq === 0 && first.seq === 1))
		fail(`the stream starts at seq ${first.seq}, welcome said first_seq ${w.first_seq}`);
	const types = {};
	let prevTs = 0;
	let backwards = 0;
	for (let i = 1; i < n; i++) {
		const m = await c.stream(`stream message ${i + 1} of ${n}`);
		types[m.t] = (types[m.t] || 0) + 1;
		const t = Date.parse(m.ts);
		if (t < prevTs)
			backwards++;
		prevTs = t;
	}
	await c.close();
	ok(`${n} stream messages valid, seq ${first.seq}..${c.lastSeq} gapless (${Object.entries(types).map(([k, v]) => k + ' ' + v).join(', ')}${backwards ? `; ts went backwards ${backwards} times` : ''})`);
}

function readScenario(path) {
	return fs.readFileSync(path, 'utf8').split('\n')
	    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
	    .map((l) => JSON.parse(l));
}

async function checkReplay(url, args) {
	const lines = readScenario(args.scenario);
	const c = new Conn(url);
	const w = await c.hello();
	if (args.feed !== undefined && w.feed !== args.feed)
		fail(`welcome.feed is "${w.feed}", want "${args.feed}"`);
	if (w.last_seq > lines.length || w.first_seq > 1)
		fail(`welcome says seq ${w.first_seq}..${w.last_seq} for a scenario of ${lines.length}`);
	for (let i = 0; i < lines.length; i++) {
		const m = await c.stream(`scenario message ${i + 1}`);
		if (m.seq !== i + 1)
			fail(`scenario line ${i + 1} arrived as seq ${m.seq}`);
		const got = Object.assign({}, m);
		delete got.seq;
		if (canon(got) !== canon(lines[i]))
			fail(`seq ${m.seq}: got ${canon(got)}, scenario has ${canon(lines[i])}`);
	}
	const extra = await c.next(500, 'more');
	if (extra.msg)
		fail(`a message after the scenario's end: ${extra.text.slice(0, 200)}`);
	await c.close();
	ok(`replay: ${lines.length} messages equal the scenario, seq 1..${lines.length}, field for field, nothing after`);
}

async function readN(c, k, what) {
	const out = [];
	for (let i = 0; i < k; i++)
		out.push(await c.stream(`${what} ${i + 1} of ${k}`));
	return out;
}

async function checkResume(url, args) {
	const k = Number(args.k || 100);
	const more = Number(args.more || 100);

	const a = new Conn(url);
	const wa = await a.hello();
	const before = await readN(a, k, 'first connection: message');
	if (before[0].seq !== wa.first_seq)
		fail(`first connection starts at seq ${before[0].seq}, not first_seq ${wa.first_seq}`);
	const afterSeq = before[k - 1].seq;
	await a.close();

	const b = new Conn(url);
	const wb = await b.hello({ epoch: wa.epoch, after_seq: afterSeq });
	if (wb.epoch !== wa.epoch)
		fail(`the feed changed epoch ${wa.epoch} -> ${wb.epoch} between connections`);
	const after = await readN(b, more, 'resumed connection: message');
	if (after[0].seq !== afterSeq + 1)
		fail(`resumed after seq ${afterSeq}, the next message is seq ${after[0].seq}`);
	await b.close();
	ok(`resume: read ${k} (seq ..${afterSeq}), reconnected with resume {epoch ${wa.epoch}, after_seq ${afterSeq}}, next was seq ${after[0].seq}`);

	// Nothing duplicated or skipped: the same as one uninterrupted read.
	const f = new Conn(url);
	const wf = await f.hello();
	if (wf.first_seq !== wa.first_seq)
		fail('the buffer moved during the test; use a bigger --buffer');
	const whole = await readN(f, k + more, 'fresh connection: message');
	await f.close();
	const joined = before.concat(after);
	for (let i = 0; i < joined.length; i++) {
		if (canon(joined[i]) !== canon(whole[i]))
			fail(`seq ${whole[i].seq}: across the resume ${canon(joined[i])}, uninterrupted ${canon(whole[i])}`);
	}
	ok(`resume: the ${k}+${more} messages across the reconnection equal an uninterrupted read of seq ${whole[0].seq}..${whole[whole.length - 1].seq}`);

	// Another epoch: the feed starts again from what it holds.
	const e = new Conn(url);
	const we = await e.hello({ epoch: wa.epoch + 1, after_seq: afterSeq });
	const m = await e.stream('the first message after a resume in another epoch');
	await e.close();
	if (m.seq !== we.first_seq)
		fail(`resume in epoch ${wa.epoch + 1} (feed is in ${we.epoch}) started at seq ${m.seq}, not first_seq ${we.first_seq}`);
	ok(`resume in another epoch (${wa.epoch + 1}) starts from first_seq ${we.first_seq}`);
}

// Read until pred(m) is true; returns the message and those before it.
async function readUntil(c, pred, what, limit = 200000) {
	const seen = [];
	for (let i = 0; i < limit; i++) {
		const m = await c.stream(what);
		if (pred(m))
			return { m, seen };
		seen.push(m);
	}
	fail(`no ${what} in ${limit} messages`);
}

async function checkCommands(url) {
	const c = new Conn(url);
	await c.hello();
	const state = new Map();
	const track = (m) => {
		if (m.t === 'attempt' || m.t === 'state')
			state.set(m.attempt, m.state);
	};
	const nonce = crypto.randomBytes(4).toString('hex');

	let attempt, ack, seen, cmdId;
	for (let tries = 1; ; tries++) {
		// An attempt the feed has just said is in progress.
		const r = await readUntil(c, (m) => {
			track(m);
			return m.t === 'state' && m.state === 'in_progress' &&
			    (attempt === undefined || m.attempt !== attempt);
		}, 'state in_progress');
		attempt = r.m.attempt;
		cmdId = `peer-${nonce}-${tries}`;
		c.send({ t: 'cmd', id: cmdId, attempt, action: 'pause',
		    text: 'node peer: pause test' });
		({ m: ack, seen } = await readUntil(c, (m) => {
			track(m);
			return m.t === 'ack' && m.cmd === cmdId;
		}, `ack of ${cmdId}`));
		if (ack.ok)
			break;
		// It may have ended between our view and the command.
		if (tries === 3 || !/not in_progress/.test(ack.error))
			fail(`pause of in_progress ${attempt}: ack ok:false: ${ack.error}`);
	}
	const paused = seen.filter((m) => m.t === 'state' &&
	    m.attempt === attempt && m.state === 'paused');
	if (paused.length !== 1)
		fail(`pause of ${attempt} acknowledged ok, but ${paused.length} state paused messages for it came before the ack`);
	ok(`cmd ${cmdId} pause ${attempt}: state paused (seq ${paused[0].seq}) then ack ok (seq ${ack.seq})`);

	// The same cmd id again: the same command, not executed twice.
	c.send({ t: 'cmd', id: cmdId, attempt, action: 'pause',
	    text: 'node peer: pause test' });
	const r2 = await readUntil(c, (m) => {
		track(m);
		return m.t === 'ack' && m.cmd === cmdId;
	}, `second ack of ${cmdId}`);
	const changes = r2.seen.filter((m) => m.t === 'state' && m.attempt === attempt);
	if (changes.length > 0)
		fail(`the repeated cmd ${cmdId} changed ${attempt} again: ${canon(changes[0])}`);
	if (r2.m.ok !== ack.ok || (r2.m.error || '') !== (ack.error || ''))
		fail(`repeated cmd id ${cmdId} (same pause of ${attempt}) was not answered with the same ack: first ${canon(ack)}, then ${canon(r2.m)}`);
	ok(`repeated cmd id ${cmdId}: answered with the same ack (ok), no second state change`);

	// An attempt that does not exist.
	const ghost = 'A9999';
	const ghostId = `peer-${nonce}-ghost`;
	c.send({ t: 'cmd', id: ghostId, attempt: ghost, action: 'pause', text: 'x' });
	const r3 = await readUntil(c, (m) => m.t === 'ack' && m.cmd === ghostId,
	    `ack of ${ghostId}`);
	if (r3.m.ok !== false)
		fail(`pause of non-existent ${ghost} was acknowledged ok`);
	if (!r3.m.error.includes(ghost))
		fail(`the refusal of ${ghost} does not name it: ${JSON.stringify(r3.m.error)}`);
	ok(`pause of non-existent ${ghost}: ack ok:false, ${JSON.stringify(r3.m.error)}`);

	// A paused attempt goes quiet: nothing about it for a second.
	const end = Date.now() + 1000;
	let n = 0;
	while (Date.now() < end) {
		const item = await c.next(Math.max(1, end - Date.now()), '');
		if (item.timeout)
			break;
		if (!item.msg)
			fail(item.error || `closed ${item.closed && item.closed.code}`);
		n++;
		if (item.msg.attempt === attempt && item.msg.t !== 'ack')
			fail(`paused ${attempt} is not quiet: ${item.text.slice(0, 200)}`);
	}
	ok(`paused ${attempt} stays quiet (${n} other messages in the next second)`);
	await c.close();
}

async function checkRefusedCommands(url) {
	const c = new Conn(url);
	await c.hello();
	const first = await c.stream('a first message');
	const id = 'peer-replay-' + crypto.randomBytes(3).toString('hex');
	c.send({ t: 'cmd', id, attempt: first.attempt || 'A00000', action: 'warn' });
	const r = await readUntil(c, (m) => m.t === 'ack' && m.cmd === id, `ack of ${id}`);
	await c.close();
	if (r.m.ok !== false || !r.m.error)
		fail(`a replaying feed acknowledged ${canon(r.m)}`);
	ok(`a replaying feed refuses cmd: ${JSON.stringify(r.m.error)}`);
}

async function checkSubprotocol(url) {
	const c = new Conn(url, { protocols: 'bogus.v9' });
	try {
		await c.opened;
	} catch (e) {
		ok(`a client offering only bogus.v9 is refused (${e.message})`);
		return;
	}
	// Upgraded: it must not be served as invigil.v1.
	c.ws.send(JSON.stringify({ t: 'hello', proto: 1, proctor: 'node-peer' }));
	const item = await c.next(3000, 'anything');
	c.ws.terminate();
	if (item.msg && item.msg.t === 'welcome')
		fail(`a client offering only bogus.v9 was served (negotiated "${c.ws.protocol}")`);
	ok(`a client offering only bogus.v9 is not served (${item.closed ? 'closed ' + item.closed.code : item.timeout || item.error})`);
}

async function checkLimits(url) {
	// 70 KB in one text message: close 1009.
	const big = new Conn(url);
	await big.hello();
	big.ws.send(JSON.stringify({ t: 'cmd', id: 'big', attempt: 'A0001',
	    action: 'message', text: 'x'.repeat(70 * 1024) }));
	let code = await closeCode(big);
	if (code !== 1009)
		fail(`a 70 KB message: close code ${code}, want 1009`);
	ok('a 70 KB message from the client: close 1009');

	// Also in fragments: the cap is on the message, not the frame.
	const frag = new Conn(url);
	await frag.hello();
	const chunk = Buffer.alloc(16 * 1024, 'y');
	for (let i = 0; i < 5; i++)
		frag.ws.send(chunk, { binary: false, fin: i === 4 });
	code = await closeCode(frag);
	if (code !== 1009)
		fail(`a 80 KB message in five fragments: close code ${code}, want 1009`);
	ok('an 80 KB message in 16 KB fragments: close 1009');

	// A text frame that is not UTF-8: close 1007.  ws does not validate
	// what it sends, so a Buffer goes out as is.
	const bad = new Conn(url);
	await bad.hello();
	bad.ws.send(Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xc3,
	    0x28, 0xff, 0x22, 0x7d]), { binary: false });
	code = await closeCode(bad);
	if (code === 1007) {
		ok('a text frame that is not UTF-8: close 1007');
	} else {
		// Make sure it was ws, not the feed: send the frame by hand.
		code = await rawBadUtf8(url);
		if (code !== 1007)
			fail(`a text frame that is not UTF-8: close code ${code}, want 1007`);
		ok('a text frame that is not UTF-8 (raw socket): close 1007');
	}
}

async function closeCode(c) {
	for (;;) {
		const item = await c.next(TIMEOUT_MS, 'the close');
		if (item.closed)
			return item.closed.code;
		if (item.timeout) {
			c.ws.terminate();
			return 'none (still open after 15 s)';
		}
	}
}

// A hand-made handshake and masked text frame with invalid UTF-8; returns
// the close code the server sends.
function rawBadUtf8(url) {
	const u = new URL(url);
	return new Promise((resolve) => {
		const s = net.connect(Number(u.port), u.hostname);
		let buf = Buffer.alloc(0);
		let upgraded = false;
		const timer = setTimeout(() => {
			s.destroy();
			resolve('none (no close frame within 15 s)');
		}, TIMEOUT_MS);
		s.on('connect', () => {
			s.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\n` +
			    'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
			    `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\n` +
			    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${SUBPROTOCOL}\r\n\r\n`);
		});
		s.on('data', (d) => {
			buf = Buffer.concat([buf, d]);
			if (!upgraded) {
				const end = buf.indexOf('\r\n\r\n');
				if (end < 0)
					return;
				upgraded = true;
				buf = buf.slice(end + 4);
				s.write(frame(0x1, Buffer.from([0xc3, 0x28, 0xff])));
			}
			// Look for a close frame (opcode 8) among the server's frames.
			let off = 0;
			while (buf.length - off >= 2) {
				const op = buf[off] & 0x0f;
				let len = buf[off + 1] & 0x7f, hdr = 2;
				if (len === 126) {
					if (buf.length - off < 4)
						break;
					len = buf.readUInt16BE(off + 2);
					hdr = 4;
				} else if (len === 127) {
					if (buf.length - off < 10)
						break;
					len = Number(buf.readBigUInt64BE(off + 2));
					hdr = 10;
				}
				if (buf.length - off < hdr + len)
					break;
				if (op === 0x8) {
					clearTimeout(timer);
					s.destroy();
					resolve(len >= 2 ? buf.readUInt16BE(off + hdr) : 1005);
					return;
				}
				off += hdr + len;
			}
		});
		s.on('error', () => {});
		s.on('close', () => {
			clearTimeout(timer);
			resolve('none (connection closed without a close frame)');
		});
	});
}

function frame(opcode, payload) {
	const mask = crypto.randomBytes(4);
	const hdr = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
	const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
	return Buffer.concat([hdr, mask, body]);
}

async function checkAuth(url, args) {
	const token = args.token;
	if (!token)
		fail('--token missing');
	// The right token under another 7-byte scheme ("Digest ", as long as
	// "Bearer ") or none: only "Bearer TOKEN" lets a client in.
	for (const [what, opts] of [['no token', {}],
	    ['a wrong token',
	     { token: 'wrong-' + crypto.randomBytes(12).toString('hex') }],
	    ['the token with its last character changed',
	     { token: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') }],
	    ['the token under the scheme "Digest"',
	     { authorization: 'Digest ' + token }],
	    ['the token under the scheme "Basic"',
	     { authorization: 'Basic ' + token }],
	    ['the token with no scheme', { authorization: token }]]) {
		const c = new Conn(url, opts);
		let status = null, refusal = null;
		try {
			await c.opened;
		} catch (e) {
			status = e.statusCode || e.message;
			refusal = e;
		}
		if (status === null) {
			c.ws.terminate();
			fail(`a client with ${what} was upgraded; want HTTP 401 before the upgrade`);
		}
		if (status !== 401)
			fail(`a client with ${what} got ${status}, want HTTP 401`);
		// As invigil-proto(7) AUTHENTICATION describes the reference feed's.
		if (!/^text\/html/.test(refusal.headers['content-type'] || '') ||
		    !refusal.body.includes('a valid bearer token is required') ||
		    refusal.headers['www-authenticate'] !== undefined)
			fail(`a client with ${what}: the 401 is not as the page says: ` +
			    `${JSON.stringify(refusal.headers)} ${refusal.body}`);
		ok(`a client with ${what}: HTTP 401`);
	}
	const c = new Conn(url, { token });
	const w = await c.hello();
	await c.stream('a first message with the right token');
	await c.close();
	ok(`the right token: upgraded to ${SUBPROTOCOL}, welcome from ${w.feed}, stream flows`);
}

// A plain HTTP request, no upgrade: resolves with what came back within ms.
function plainGet(url, ms) {
	const u = new URL(url);
	return new Promise((resolve) => {
		const s = net.connect(Number(u.port), u.hostname);
		let got = '';
		const timer = setTimeout(() => {
			s.destroy();
			resolve(got);
		}, ms);
		s.on('connect', () => s.write(`GET ${u.pathname} HTTP/1.1\r\n` +
		    `Host: ${u.host}\r\n\r\n`));
		s.on('data', (d) => { got += d.toString(); });
		s.on('error', () => {});
		s.on('close', () => {
			clearTimeout(timer);
			resolve(got);
		});
	});
}

async function checkEdges(url) {
	const other = new URL(url);
	other.pathname = '/any/path';
	const c = new Conn(other.toString());
	await c.hello();
	await c.stream('a first message on another path');
	ok('a request path other than / is served the same');

	c.send({ t: 'hello', proto: 1, proctor: 'node-peer' });
	for (let i = 0; i < 3; i++) {
		const m = await c.msg(TIMEOUT_MS, 'the stream after a second hello');
		if (m.t === 'welcome')
			fail('a second hello got a second welcome');
	}
	await c.close();
	ok('a second hello: no second welcome, the stream went on');

	const v = new Conn(url);
	await v.opened;
	v.send({ t: 'hello', proto: 2, proctor: 'node-peer' });
	const item = await v.next(TIMEOUT_MS, 'a close');
	if (!item.closed || item.closed.code !== 1002 || item.closed.reason !==
	    'field "proto": expected protocol version 1, got 2')
		fail(`a hello of version 2: ${JSON.stringify(item)}, want close ` +
		    '1002 with the decoder\'s sentence');
	ok('a hello of version 2: close 1002, the decoder\'s sentence');

	const got = await plainGet(url, 1500);
	if (got !== '')
		fail(`a plain HTTP request was answered: ${got.slice(0, 200)}`);
	ok('a plain HTTP request: no answer');
}

const CHECKS = {
	stream: checkStream,
	replay: checkReplay,
	resume: checkResume,
	commands: checkCommands,
	'refused-commands': checkRefusedCommands,
	subprotocol: checkSubprotocol,
	limits: checkLimits,
	edges: checkEdges,
	auth: checkAuth,
};

async function main() {
	const args = parseArgs(process.argv.slice(2));
	check = args._[0];
	const url = args._[1];
	if (!CHECKS[check] || !url) {
		process.stderr.write('usage: node ws-client.js ' +
		    Object.keys(CHECKS).join('|') + ' URL [options]\n');
		process.exit(2);
	}
	await CHECKS[check](url, args);
}

main().then(() => process.exit(0), (e) => {
	process.stderr.write(`ws-client: ${check}: ${e instanceof CheckError ? e.message : e.stack}\n`);
	process.exit(1);
});
