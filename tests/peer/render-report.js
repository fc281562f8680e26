#!/usr/bin/env node
// render-report.js - open an invigil case report (invigil review report) in
// a real headless browser, Debian's chromium, over the DevTools protocol,
// and check what a reader would see.  Node's built-ins and `ws` only.
//
// usage: node render-report.js REPORT.html [--sections N] [--plots N]
//            [--text STRING]... [--no-element-text STRING]...
//
// Fails (exit 1, "render-report: why" on stderr) when
//   - chromium is missing (set CHROMIUM to another binary): never a skip;
//   - the page logs a console message of level error or warning, throws an
//     exception, opens a dialog, or a request fails;
//   - the page makes any network request at all: the only request allowed
//     is the report's own file:// URL;
//   - an element the report's writer never makes appears (a script, an
//     img, an iframe ... made from a hostile string), or any element has an
//     on* attribute, or a javascript: URL;
//   - a bidi control character (U+061C, U+200E-200F, U+202A-202E,
//     U+2066-2069) reaches the rendered text;
//   - the number of sections is not N, fewer than N plots are drawn, or a
//     plot (svg.plot) has no drawn mark: every element of class "mark" must
//     have a bounding box (getBBox) with a non-zero width or height, and
//     the plot itself a non-empty box on the screen;
//   - a --text STRING is not in the rendered text (document.body.innerText).
// Prints "render-report: ok: ..." and exits 0 otherwise.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, execFileSync } = require('child_process');
const { pathToFileURL } = require('url');
const WebSocket = require('ws');

const problems = [];
let chrome = null;
let profile = null;

let finishing = false;

// Print the verdict and exit once chromium is gone and its profile removed
// (a browser still writing there would make the removal fail).
function done(code, msg) {
	if (finishing)
		return;
	finishing = true;
	const finish = () => {
		if (profile !== null) {
			try {
				fs.rmSync(profile, { recursive: true, force: true,
				    maxRetries: 5 });
			} catch (e) { /* left in the temporary directory */ }
		}
		if (code === 0)
			process.stdout.write(`render-report: ok: ${msg}\n`);
		else
			process.stderr.write(`render-report: ${msg}\n`);
		process.exit(code);
	};
	if (chrome === null)
		return finish();
	chrome.removeAllListeners('exit');
	chrome.on('exit', finish);
	setTimeout(finish, 5000).unref();
	chrome.kill('SIGKILL');
}

function usage() {
	done(2, 'usage: node render-report.js REPORT.html [--sections N] ' +
	    '[--plots N] [--text STRING]...');
}

const args = process.argv.slice(2);
const opt = { file: null, sections: null, plots: 1, texts: [] };
for (let i = 0; i < args.length; i++) {
	const a = args[i];
	if (a === '--sections' || a === '--plots') {
		if (i + 1 >= args.length) usage();
		opt[a.slice(2)] = Number(args[++i]);
	} else if (a === '--text') {
		if (i + 1 >= args.length) usage();
		opt.texts.push(args[++i]);
	} else if (opt.file === null && !a.startsWith('--')) {
		opt.file = a;
	} else {
		usage();
	}
}
if (opt.file === null) usage();
if (!fs.existsSync(opt.file)) done(1, `${opt.file} does not exist`);
const fileUrl = pathToFileURL(path.resolve(opt.file)).href;

// The browser: Debian's chromium, or what CHROMIUM names.
const browser = process.env.CHROMIUM || 'chromium';
try {
	execFileSync('sh', ['-c', 'command -v "$1"', 'sh', browser],
	    { stdio: 'ignore' });
} catch (e) {
	done(1, `${browser} not found: install Debian's chromium ` +
	    '(scripts/install-deps does)');
}

const timer = setTimeout(() => done(1, 'timed out after 90 s; ' +
    problems.join('; ')), 90000);
timer.unref();

profile = fs.mkdtempSync(path.join(os.tmpdir(), 'render-report.'));
const flags = ['--headless', '--disable-gpu', '--no-first-run',
    '--no-default-browser-check', '--disable-extensions',
    '--disable-background-networking', '--disable-sync',
    '--disable-component-update', '--remote-debugging-port=0',
    `--user-data-dir=${profile}`, 'about:blank'];
// Chromium refuses to run as root with its sandbox.
if (typeof process.getuid === 'function' && process.getuid() === 0)
	flags.unshift('--no-sandbox');
chrome = spawn(browser, flags, { stdio: ['ignore', 'ignore', 'pipe'] });
let chromeErr = '';
chrome.stderr.on('data', (d) => {
	chromeErr = (chromeErr + d).slice(-4000);
});
chrome.on('exit', (code) => {
	chrome = null;
	done(1, `chromium exited (${code}) before the check ended: ${chromeErr}`);
});

// DevToolsActivePort: the port on line 1, the browser's path on line 2.
function activePort() {
	return new Promise((resolve) => {
		const f = path.join(profile, 'DevToolsActivePort');
		const poll = () => {
			let text = '';
			try { text = fs.readFileSync(f, 'utf8'); } catch (e) { /* not yet */ }
			const lines = text.split('\n');
			if (lines.length >= 2 && /^\d+$/.test(lines[0]) && lines[1])
				resolve(`ws://127.0.0.1:${lines[0]}${lines[1]}`);
			else
				setTimeout(poll, 50);
		};
		poll();
	});
}

// A DevTools connection: send(method, params, session) -> result.
function connect(url) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { perMessageDeflate: false });
		const pending = new Map();
		const listeners = [];
		let next = 1;
		ws.on('message', (data) => {
			const m = JSON.parse(data.toString());
			if (m.id !== undefined && pending.has(m.id)) {
				const p = pending.get(m.id);
				pending.delete(m.id);
				if (m.error)
					p.reject(new Error(`${p.method}: ${m.error.message}`));
				else
					p.resolve(m.result);
			} else if (m.method) {
				for (const l of listeners) l(m);
			}
		});
		ws.on('error', reject);
		ws.on('open', () => resolve({
			send(method, params, sessionId) {
				const id = next++;
				const msg = { id, method, params: params || {} };
				if (sessionId) msg.sessionId = sessionId;
				ws.send(JSON.stringify(msg));
				return new Promise((res, rej) =>
				    pending.set(id, { resolve: res, reject: rej, method }));
			},
			on(fn) { listeners.push(fn); },
			close() { ws.close(); }
		}));
	});
}

// What runs in the page (through Runtime.evaluate: the page itself has
// no script and its policy allows none).
function inspect() {
	const allowed = new Set(['html', 'head', 'meta', 'title', 'style',
	    'body', 'h1', 'h2', 'h3', 'h4', 'p', 'ol', 'li', 'a', 'section',
	    'table', 'tbody', 'tr', 'th', 'td', 'bdi', 'div', 'span', 'b',
	    'svg', 'rect', 'line', 'text', 'circle', 'path']);
	const out = { unexpected: [], onattr: [], plots: [], sections: 0,
	    text: document.body.innerText, bidi: false };
	for (const el of document.querySelectorAll('*')) {
		const tag = el.localName;
		if (!allowed.has(tag))
			out.unexpected.push(tag);
		for (const at of el.attributes) {
			if (/^on/i.test(at.name) ||
			    /^\s*javascript:/i.test(at.value))
				out.onattr.push(`${tag} ${at.name}`);
		}
	}
	out.sections = document.querySelectorAll('section').length;
	out.bidi = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(
	    document.body.textContent);
	for (const svg of document.querySelectorAll('svg.plot')) {
		const box = svg.getBoundingClientRect();
		const marks = svg.querySelectorAll('.mark');
		let drawn = 0;
		const empty = [];
		for (const m of marks) {
			const b = m.getBBox();
			if (b.width > 0 || b.height > 0)
				drawn++;
			else if (empty.length < 3)
				empty.push(m.outerHTML.slice(0, 120));
		}
		const all = svg.getBBox();
		out.plots.push({ id: svg.id, width: box.width,
		    height: box.height, bw: all.width, bh: all.height,
		    marks: marks.length, drawn, empty });
	}
	return JSON.stringify(out);
}

async function main() {
	const browserUrl = await activePort();
	const cdp = await connect(browserUrl);
	const { targetId } = await cdp.send('Target.createTarget',
	    { url: 'about:blank' });
	const { sessionId } = await cdp.send('Target.attachToTarget',
	    { targetId, flatten: true });
	let loaded = null;
	const load = new Promise((resolve) => { loaded = resolve; });
	let navigating = false;
	cdp.on((m) => {
		if (m.sessionId !== sessionId)
			return;
		const p = m.params || {};
		switch (m.method) {
		case 'Runtime.exceptionThrown':
			problems.push('exception: ' +
			    JSON.stringify(p.exceptionDetails).slice(0, 300));
			break;
		case 'Runtime.consoleAPICalled':
			problems.push(`console.${p.type}: ` +
			    JSON.stringify(p.args).slice(0, 300));
			break;
		case 'Log.entryAdded':
			if (p.entry.level === 'error' || p.entry.level === 'warning')
				problems.push(`log ${p.entry.level}: ${p.entry.text}` +
				    (p.entry.url ? ` (${p.entry.url})` : ''));
			break;
		case 'Network.requestWillBeSent':
			if (navigating && p.request.url !== fileUrl)
				problems.push(`network request: ${p.request.url}`);
			break;
		case 'Network.loadingFailed':
			problems.push(`request failed: ${p.errorText}` +
			    (p.blockedReason ? ` (${p.blockedReason})` : ''));
			break;
		case 'Page.javascriptDialogOpening':
			problems.push(`dialog: ${p.message}`);
			break;
		case 'Page.loadEventFired':
			if (navigating) loaded();
			break;
		}
	});
	for (const d of ['Runtime', 'Log', 'Network', 'Page'])
		await cdp.send(`${d}.enable`, {}, sessionId);
	navigating = true;
	const nav = await cdp.send('Page.navigate', { url: fileUrl },
	    sessionId);
	if (nav.errorText)
		problems.push(`navigation failed: ${nav.errorText}`);
	await load;
	// Late events (a lazy request, a console message) get a moment.
	await new Promise((r) => setTimeout(r, 500));
	const ev = await cdp.send('Runtime.evaluate', {
		expression: `(${inspect.toString()})()`, returnByValue: true
	}, sessionId);
	if (ev.exceptionDetails)
		done(1, 'the inspection threw: ' +
		    JSON.stringify(ev.exceptionDetails).slice(0, 300));
	const r = JSON.parse(ev.result.value);
	cdp.close();

	if (r.unexpected.length > 0)
		problems.push('elements the report never writes: ' +
		    [...new Set(r.unexpected)].join(', '));
	if (r.onattr.length > 0)
		problems.push('event-handler attributes or javascript: URLs: ' +
		    r.onattr.slice(0, 5).join(', '));
	if (r.bidi)
		problems.push('a bidi control character reached the page text');
	if (opt.sections !== null && r.sections !== opt.sections)
		problems.push(`${r.sections} sections, want ${opt.sections}`);
	if (r.plots.length < opt.plots)
		problems.push(`${r.plots.length} plots drawn, want at least ` +
		    `${opt.plots}`);
	let marks = 0;
	for (const p of r.plots) {
		marks += p.drawn;
		if (!(p.width > 0 && p.height > 0 && p.bw > 0 && p.bh > 0))
			problems.push(`plot ${p.id} has an empty box ` +
			    `(${p.width}x${p.height}, drawn ${p.bw}x${p.bh})`);
		if (p.marks === 0 || p.drawn !== p.marks)
			problems.push(`plot ${p.id}: ${p.drawn} of ${p.marks} ` +
			    `marks drawn; empty: ${p.empty.join(' | ')}`);
	}
	for (const t of opt.texts)
		if (!r.text.includes(t))
			problems.push(`the text ${JSON.stringify(t)} is not on ` +
			    'the page');
	if (problems.length > 0)
		done(1, problems.join('\n  '));
	done(0, `${r.sections} sections, ${r.plots.length} plots ` +
	    `(${r.plots.map((p) => p.id).join(' ')}), ${marks} marks drawn, ` +
	    `${opt.texts.length} texts found, no error, no request`);
}

main().catch((e) => done(1, `${e.message}; ${problems.join('; ')}`));
