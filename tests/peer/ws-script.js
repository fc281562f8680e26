#!/usr/bin/env node
// ws-script.js - a scripted, hostile feed for invigil protocol v1 on Node's
// `ws`: it sends exactly the frames a test wrote, so that a test can craft
// what a well-behaved feed never sends (a conflicting duplicate, a late
// message inside a gap, a gap to 2^63-1, a second welcome, no pongs).
//
// usage: node ws-script.js HOST PORT SCRIPT [--no-pong] [--no-subprotocol]
//
// HOST may be an IPv6 address (::1).  PORT 0 lets the kernel choose.  Once
// listening it prints {"ev":"listening","port":P} on stdout.
//
// SCRIPT holds one section per connection, in order, separated by lines
// "--- connection"; the last section serves every later connection.  When
// a connection's first message (the console's hello) arrives, the lines of
// its section run in order:
//   a JSON text           sent as one text frame, "$TS" replaced by the time
//   #sleep MS             wait
//   #oversize N           send an event message of exactly N bytes (for
//                         close 1009)
//   #badutf8 SEQ          send an event with that seq as a text message in
//                         two fragments whose bytes are not UTF-8: the first
//                         ends in a lead byte (0xC3) that the second does not
//                         continue (for close 1007)
//   #stream FROM N MS A   send N focus_lost events for attempt A, seq FROM on,
//                         one every MS milliseconds
// Blank lines and lines starting with "# " are comments.  Afterwards the
// connection stays open, answering pings unless --no-pong is given.
// --no-subprotocol accepts the upgrade without selecting invigil.v1 (no
// Sec-WebSocket-Protocol in the 101), as a server that ignores it would.
//
// One JSON line per event on stdout: listening, connected, recv (every
// message from the console, parsed), closed (code and reason).
'use strict';

const fs = require('fs');
const WebSocket = require('ws');

const argv = process.argv.slice(2);
if (argv.length < 3) {
	process.stderr.write('usage: node ws-script.js HOST PORT SCRIPT ' +
	    '[--no-pong] [--no-subprotocol]\n');
	process.exit(2);
}
const [host, port, file] = argv;
const noPong = argv.includes('--no-pong');
const noSubprotocol = argv.includes('--no-subprotocol');
const sections = fs.readFileSync(file, 'utf8').split(/^--- connection.*$/m)
    .map((s) => s.split('\n').filter((l) => l.trim() !== '' &&
    !l.startsWith('# ')));
if (sections.length > 1 && sections[0].length === 0)
	sections.shift();

function log(o) {
	process.stdout.write(JSON.stringify(o) + '\n');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => new Date().toISOString();

async function run(ws, lines) {
	for (const line of lines) {
		if (ws.readyState !== WebSocket.OPEN)
			return;
		const w = line.trim().split(/\s+/);
		if (w[0] === '#sleep') {
			await sleep(Number(w[1]));
		} else if (w[0] === '#oversize') {
			const head = `{"t":"event","seq":999,"ts":"${now()}",` +
			    '"attempt":"A0001","kind":"idle","data":{"pad":"';
			const pad = 'x'.repeat(Math.max(0, Number(w[1]) -
			    head.length - 3));
			ws.send(head + pad + '"}}');
		} else if (w[0] === '#badutf8') {
			const head = Buffer.from(`{"t":"event","seq":${Number(w[1])},` +
			    `"ts":"${now()}","attempt":"A0001","kind":"idle",` +
			    '"data":{"s":"\xc3', 'latin1');
			ws.send(head, { binary: false, fin: false });
			ws.send(Buffer.from('"}}'), { binary: false, fin: true });
		} else if (w[0] === '#stream') {
			const from = Number(w[1]), n = Number(w[2]);
			for (let i = 0; i < n && ws.readyState === WebSocket.OPEN; i++) {
				ws.send(JSON.stringify({ t: 'event', seq: from + i,
				    ts: now(), attempt: w[4], kind: 'focus_lost' }));
				await sleep(Number(w[3]));
			}
		} else {
			ws.send(line.split('$TS').join(now()));
		}
	}
}

const wss = new WebSocket.Server({ host, port: Number(port),
    autoPong: !noPong,
    handleProtocols: (p) => (p.has('invigil.v1') && !noSubprotocol ?
    'invigil.v1' : false) });
let count = 0;
wss.on('listening', () => log({ ev: 'listening', port: wss.address().port }));
wss.on('connection', (ws) => {
	const n = ++count;
	const lines = sections[Math.min(n, sections.length) - 1] || [];
	let started = false;

	log({ ev: 'connected', n, protocol: ws.protocol });
	ws.on('message', (data) => {
		let msg;
		try {
			msg = JSON.parse(data.toString());
		} catch (e) {
			msg = { unparsed: data.toString() };
		}
		log({ ev: 'recv', n, msg });
		if (!started) {
			started = true;
			run(ws, lines).catch((e) => log({ ev: 'error', n,
			    error: String(e) }));
		}
	});
	ws.on('close', (code, reason) => log({ ev: 'closed', n, code,
	    reason: reason.toString() }));
	ws.on('error', () => {});
});
function stop() {
	for (const c of wss.clients)
		c.terminate();
	wss.close(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
