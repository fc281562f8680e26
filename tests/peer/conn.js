// conn.js - the WebSocket connection the Node test clients share
// (ws-client.js, the reference checks of a feed; ws-attack.js, the hostile
// client): one connection to a feed with a queue of what it received, read
// one item at a time with a timeout.  Also the small helpers both scripts
// need (argument parsing, the "ok:" line).
'use strict';

const WebSocket = require('ws');

const SUBPROTOCOL = 'invigil.v1';
const MAX_MESSAGE = 64 * 1024;
const TIMEOUT_MS = 15000;

// "ATTACK URL --count 3" -> { _: ['ATTACK', 'URL'], count: '3' }
function parseArgs(argv) {
	const a = { _: [] };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i].startsWith('--')) {
			a[argv[i].slice(2)] = argv[i + 1];
			i++;
		} else {
			a._.push(argv[i]);
		}
	}
	return a;
}

function ok(what) {
	process.stdout.write('ok: ' + what + '\n');
}

// A connection to url.  opts.protocols: the subprotocols offered (a string
// or an array; invigil.v1 when not given, none when null); opts.token: sent
// as "Authorization: Bearer TOKEN"; opts.authorization: that header as given.  Received items, in order:
// {msg, text} (a text frame that is JSON), {error} (a binary frame, one over
// 64 KiB, text that is not JSON) and, last, {closed: {code, reason}}.
// `opened` resolves on the upgrade and rejects on an error or an HTTP
// answer (an Error with statusCode, headers and body).
class Conn {
	constructor(url, opts = {}) {
		const protocols = opts.protocols === undefined ? SUBPROTOCOL :
		    opts.protocols;
		const headers = {};
		if (opts.token !== undefined)
			headers.Authorization = 'Bearer ' + opts.token;
		if (opts.authorization !== undefined)
			headers.Authorization = opts.authorization;
		this.url = url;
		this.queue = [];
		this.waiters = [];
		this.closed = null;	// {code, reason} once closed
		this.ws = protocols === null ?
		    new WebSocket(url, { headers, handshakeTimeout: TIMEOUT_MS }) :
		    new WebSocket(url, protocols, { headers,
		    handshakeTimeout: TIMEOUT_MS });
		this.opened = new Promise((resolve, reject) => {
			this.ws.once('open', resolve);
			this.ws.once('unexpected-response', (req, res) => {
				const e = new Error(`HTTP ${res.statusCode}`);
				e.statusCode = res.statusCode;
				e.headers = res.headers;
				e.body = '';
				res.setEncoding('utf8');
				res.on('data', (d) => { e.body += d; });
				res.on('end', () => reject(e));
				res.on('error', () => reject(e));
			});
			this.ws.once('error', reject);
		});
		this.opened.catch(() => {});
		this.ws.on('error', () => {});
		this.ws.on('message', (data, isBinary) => {
			if (isBinary) {
				this.push({ error: 'the feed sent a binary frame' });
				return;
			}
			const text = data.toString('utf8');
			if (data.length > MAX_MESSAGE) {
				this.push({ error: `a message of ${data.length} bytes, over 64 KiB` });
				return;
			}
			let m;
			try {
				m = JSON.parse(text);
			} catch (e) {
				this.push({ error: `not JSON: ${text.slice(0, 200)}` });
				return;
			}
			this.push({ msg: m, text });
		});
		this.ws.on('close', (code, reason) => {
			this.closed = { code, reason: reason.toString() };
			this.push({ closed: this.closed });
		});
	}

	push(item) {
		if (this.waiters.length > 0)
			this.waiters.shift()(item);
		else
			this.queue.push(item);
	}

	// The next item, or {timeout: sentence} after timeout ms.
	next(timeout = TIMEOUT_MS, what = 'a message') {
		if (this.queue.length > 0)
			return Promise.resolve(this.queue.shift());
		if (this.closed)
			return Promise.resolve({ closed: this.closed });
		return new Promise((resolve) => {
			const w = (item) => {
				clearTimeout(timer);
				resolve(item);
			};
			const timer = setTimeout(() => {
				const i = this.waiters.indexOf(w);
				if (i >= 0)
					this.waiters.splice(i, 1);
				resolve({ timeout: `no ${what} within ${timeout} ms` });
			}, timeout);
			this.waiters.push(w);
		});
	}

	// Items until pred(item), a close or the timeout; returns the last.
	async until(pred, timeout = TIMEOUT_MS) {
		const end = Date.now() + timeout;
		for (;;) {
			const left = end - Date.now();
			if (left <= 0)
				return { timeout: `nothing awaited within ${timeout} ms` };
			const item = await this.next(left);
			if (item.timeout || item.closed || pred(item))
				return item;
		}
	}

	// A text frame: a string as it is, anything else as JSON.
	send(data) {
		this.ws.send(typeof data === 'string' ? data : JSON.stringify(data));
	}

	// A close handshake (code 1000), or a reset after 2 s without one.
	async close() {
		if (this.closed)
			return;
		const done = new Promise((r) => this.ws.once('close', r));
		this.ws.close(1000);
		const t = setTimeout(() => this.ws.terminate(), 2000);
		await done;
		clearTimeout(t);
	}

	// Drop the connection at once (no close frame).
	terminate() {
		this.ws.terminate();
	}
}

module.exports = { Conn, SUBPROTOCOL, MAX_MESSAGE, TIMEOUT_MS, parseArgs, ok };
