#!/usr/bin/env node
// ws-server.js - an independent feed for invigil protocol v1, written on
// Node's `ws` rather than libwebsockets, serving the messages of a JSONL
// scenario file to invigil consoles.
//
// usage: node ws-server.js PORT FILE [--token T] [--rate R] [--epoch E]
//                          [--feed ID] [--name NAME] [--evil KIND@SEQ[,...]]
//
// PORT 0 lets the kernel choose; either way the server prints
// "listening on 127.0.0.1:PORT" on stderr once it listens.
//
// The file's messages (blank lines and # comments skipped) are numbered
// seq 1..N in file order, keeping their ts (or stamping the send time).
// With --rate R they become available R per second from the start (the
// first at once); without, all at once.  The server:
//   - refuses an upgrade that does not offer subprotocol invigil.v1 (HTTP 400)
//     and, with --token, one without "Authorization: Bearer T" (HTTP 401);
//   - closes 1002 if the first message is not hello {proto: 1};
//   - answers hello with welcome {feed, name, epoch, first_seq 1, last_seq},
//     then sends from seq 1, or after resume.after_seq when resume.epoch is
//     its epoch, then the rest as it becomes available;
//   - answers cmd with an ack in the stream (ok for an attempt it has sent,
//     ok:false naming an unknown one; a repeated cmd id gets the same ack);
//   - caps messages at 64 KiB (close 1009) and checks UTF-8 (close 1007);
//   - --evil oversize@S | bad-utf8@S | invalid@S (comma-separated list):
//     on the first connection that reaches seq S, send in its place (once)
//     a 70 KB message, a text frame that is not UTF-8, or a message that
//     fails validation;
//     after the first two, send nothing more on that connection (the
//     console is expected to close it with 1009 or 1007); after an invalid
//     one, carry on with seq S+1 (the console keeps it in rejects and
//     records seq S as rejected: a seq is never used for two messages).
// On SIGTERM or SIGINT it closes every connection (1001) and exits 0.
//
// One JSON line per event on stdout, for the test to read: listening,
// refused, connected, hello, start, cmd, evil, closed (with the close code
// and the range of seq sent on that connection).
'use strict';

const fs = require('fs');
const crypto = require('crypto');
const http = require('http');
const WebSocket = require('ws');

const SUBPROTOCOL = 'invigil.v1';
const MAX_MESSAGE = 64 * 1024;
const HIGH_WATER = 256 * 1024;

function usage(why) {
	process.stderr.write(`ws-server: ${why}\nusage: node ws-server.js PORT FILE [--token T] [--rate R] [--epoch E] [--feed ID] [--name NAME] [--evil KIND@SEQ[,...]]\n`);
	process.exit(2);
}

const args = { _: [] };
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	if (a.startsWith('--')) {
		if (i + 1 >= process.argv.length)
			usage(`${a} needs a value`);
		args[a.slice(2)] = process.argv[++i];
	} else {
		args._.push(a);
	}
}
if (args._.length !== 2)
	usage('PORT and FILE are required');
const PORT = Number(args._[0]);
const FILE = args._[1];
const TOKEN = args.token;
const RATE = Number(args.rate || 0);
const EPOCH = Number(args.epoch || 7);
const FEED = args.feed || 'node-peer';
const NAME = args.name || 'Node ws peer';
const evils = new Map();	// seq -> kind, each used once
for (const e of args.evil ? args.evil.split(',') : []) {
	const m = /^(oversize|bad-utf8|invalid)@(\d+)$/.exec(e);
	if (!m)
		usage(`--evil ${e}: want oversize@SEQ, bad-utf8@SEQ or invalid@SEQ`);
	evils.set(Number(m[2]), m[1]);
}
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535)
	usage(`bad PORT ${args._[0]}`);

function log(ev, fields) {
	process.stdout.write(JSON.stringify(Object.assign({ ev }, fields)) + '\n');
}

function now() {
	return new Date().toISOString();	// RFC 3339 UTC, milliseconds
}

// ---- the stream: file lines become available over time; acks interleave

let lines;
try {
	lines = fs.readFileSync(FILE, 'utf8').split('\n')
	    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
	    .map((l, i) => {
		    try {
			    return JSON.parse(l);
		    } catch (e) {
			    throw new Error(`${FILE}: message ${i + 1}: ${e.message}`);
		    }
	    });
} catch (e) {
	process.stderr.write(`ws-server: ${e.message}\n`);
	process.exit(1);
}

const stream = [];		// stream[seq - 1] = JSON text
const attempts = new Set();	// attempts the stream has introduced
const acks = new Map();		// cmd id -> ack fields
let fileNext = 0;		// next line of the file to number
const conns = new Set();
const started = Date.now();

function append(obj) {
	const m = Object.assign({ t: obj.t, seq: stream.length + 1 }, obj);
	if (m.ts === undefined)
		m.ts = now();
	if (m.t === 'attempt')
		attempts.add(m.attempt);
	stream.push(JSON.stringify(m));
}

function produce() {
	let due = lines.length;
	if (RATE > 0)
		due = Math.min(lines.length,
		    Math.floor((Date.now() - started) / 1000 * RATE) + 1);
	if (fileNext >= due)
		return;
	while (fileNext < due)
		append(lines[fileNext++]);
	for (const c of conns)
		pump(c);
}

// ---- connections

function pump(c) {
	if (c.next === 0 || c.stalled || c.ws.readyState !== WebSocket.OPEN)
		return;
	while (c.next <= stream.length && c.ws.bufferedAmount < HIGH_WATER) {
		const seq = c.next++;
		const kind = evils.get(seq);
		if (kind !== undefined) {
			evils.delete(seq);
			sendEvil(c, seq, kind);
			if (kind !== 'invalid') {
				c.stalled = true;	// the console should close now
				return;
			}
			continue;
		}
		c.ws.send(stream[seq - 1]);
		if (c.first === null)
			c.first = seq;
		c.last = seq;
	}
}

function sendEvil(c, seq, kind) {
	log('evil', { conn: c.id, kind, seq });
	switch (kind) {
	case 'oversize':
		c.ws.send(JSON.stringify({ t: 'event', seq, ts: now(),
		    attempt: 'A00000', kind: 'idle',
		    data: { pad: 'x'.repeat(70 * 1024) } }));
		break;
	case 'bad-utf8':
		c.ws.send(Buffer.concat([Buffer.from('{"t":"event","seq":' + seq +
		    ',"ts":"' + now() + '","attempt":"A00000","kind":"idle","data":{"s":"'),
		    Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')]),
		    { binary: false });
		break;
	case 'invalid':
		// Not a stream message the console can take: rejected, kept,
		// its seq recorded as rejected, and the stream goes on.
		c.ws.send(JSON.stringify({ t: 'event', seq, ts: now(),
		    attempt: 'A00000', kind: 'teleported' }));
		break;
	}
}

function tokenOk(header) {
	if (TOKEN === undefined)
		return true;
	const m = /^Bearer +(\S+)\s*$/i.exec(header || '');
	if (!m)
		return false;
	const a = crypto.createHash('sha256').update(m[1]).digest();
	const b = crypto.createHash('sha256').update(TOKEN).digest();
	return crypto.timingSafeEqual(a, b);
}

const server = http.createServer((req, res) => {
	res.writeHead(426, { 'Content-Type': 'text/plain' });
	res.end(`this is an invigil feed: connect by WebSocket, subprotocol ${SUBPROTOCOL}\n`);
});

const wss = new WebSocket.Server({
	server,
	maxPayload: MAX_MESSAGE,
	handleProtocols: () => SUBPROTOCOL,
	verifyClient: (info, cb) => {
		const offered = (info.req.headers['sec-websocket-protocol'] || '')
		    .split(',').map((s) => s.trim());
		if (!offered.includes(SUBPROTOCOL)) {
			log('refused', { status: 400, why: `subprotocol ${JSON.stringify(offered.join(','))}` });
			cb(false, 400, `subprotocol ${SUBPROTOCOL} required`);
			return;
		}
		if (!tokenOk(info.req.headers.authorization)) {
			log('refused', { status: 401, why: info.req.headers.authorization ? 'wrong token' : 'no token' });
			cb(false, 401, 'bearer token required',
			    { 'WWW-Authenticate': 'Bearer realm="invigil"' });
			return;
		}
		cb(true);
	},
});

let nconn = 0;
wss.on('connection', (ws) => {
	const c = { id: ++nconn, ws, next: 0, first: null, last: null,
	    stalled: false };
	conns.add(c);
	log('connected', { conn: c.id });
	ws.on('message', (data, isBinary) => {
		let m;
		try {
			if (isBinary)
				throw new Error('binary frame');
			m = JSON.parse(data.toString('utf8'));
		} catch (e) {
			log('bad', { conn: c.id, why: e.message });
			if (c.next === 0)
				ws.close(1002, 'hello expected');
			return;
		}
		if (c.next === 0) {
			if (m.t !== 'hello' || m.proto !== 1 ||
			    typeof m.proctor !== 'string') {
				log('bad', { conn: c.id, why: 'first message is not hello', msg: m });
				ws.close(1002, 'hello {proto: 1} expected first');
				return;
			}
			hello(c, m);
		} else if (m.t === 'cmd') {
			cmd(c, m);
		} else {
			log('bad', { conn: c.id, why: `unexpected ${m.t}` });
		}
	});
	ws.on('close', (code, reason) => {
		conns.delete(c);
		log('closed', { conn: c.id, code, reason: reason.toString(),
		    first: c.first, last: c.last });
	});
	ws.on('error', (e) => log('error', { conn: c.id, why: e.message }));
});

function hello(c, h) {
	let start = 1;
	const r = h.resume;
	if (r && r.epoch === EPOCH && Number.isInteger(r.after_seq))
		start = r.after_seq + 1;
	if (start > stream.length + 1) {
		log('ahead', { conn: c.id, after_seq: r.after_seq, last_seq: stream.length });
		start = stream.length + 1;
	}
	log('hello', { conn: c.id, proctor: h.proctor, resume: r || null });
	c.ws.send(JSON.stringify({ t: 'welcome', ts: now(), feed: FEED,
	    name: NAME, epoch: EPOCH, first_seq: 1, last_seq: stream.length }));
	c.next = start;
	log('start', { conn: c.id, from: start });
	pump(c);
}

function cmd(c, m) {
	let ack = acks.get(m.id);
	const repeated = ack !== undefined;
	if (!repeated) {
		if (typeof m.id !== 'string' || typeof m.attempt !== 'string')
			ack = { ok: false, error: 'cmd needs "id" and "attempt"' };
		else if (!attempts.has(m.attempt))
			ack = { ok: false, error: `no attempt "${m.attempt}" on this feed` };
		else
			ack = { ok: true };
		if (typeof m.id === 'string')
			acks.set(m.id, ack);
	}
	log('cmd', { conn: c.id, id: m.id, action: m.action, attempt: m.attempt,
	    repeated, ok: ack.ok });
	append(Object.assign({ t: 'ack', cmd: String(m.id) }, ack));
	for (const x of conns)
		pump(x);
}

setInterval(produce, 20);
setInterval(() => {
	for (const c of conns)
		pump(c);
}, 10);

function stop() {
	for (const c of conns)
		c.ws.close(1001, 'feed going away');
	setTimeout(() => process.exit(0), 200);
	server.close();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.listen(PORT, '127.0.0.1', () => {
	const port = server.address().port;
	log('listening', { port, epoch: EPOCH, feed: FEED, messages: lines.length });
	process.stderr.write(`listening on 127.0.0.1:${port}\n`);
	produce();
});
server.on('error', (e) => {
	process.stderr.write(`ws-server: ${e.message}\n`);
	process.exit(1);
});
