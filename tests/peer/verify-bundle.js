#!/usr/bin/env node
// verify-bundle.js - an independent verifier of invigil evidence bundles
// (man/invigil-bundle.5), on Node's built-in crypto and tests/peer/tlog.js
// only.  Written from the formats, not from the C: C2SP signed-note
// (https://c2sp.org/signed-note), C2SP tlog-checkpoint
// (https://c2sp.org/tlog-checkpoint) and RFC 6962 / RFC 9162 section 2.1
// (leaf and node hashes, inclusion proofs, in tlog.js).
//
// usage: node verify-bundle.js [--key VKEY]... FILE
//
// A bundle is one signed note whose text is one JSON object a line.  This
// checks the note's signature by the exporter (a --key of the exporter's
// name if given, else the vkey on the first line), every checkpoint note's
// signature (by a --key if any is given, else by the bundle's key lines),
// every journal entry's inclusion proof to its checkpoint's root, that
// every line is of a known type and about the bundle's one attempt, and
// the first line's counts.  Prints "ok: ..." and exits 0; otherwise prints
// "verify-bundle: why" on stderr and exits 1 (2 for a usage error).
// As a module: verify(bytes, keys) returns what held or throws why not.
'use strict';

const fs = require('fs');
const crypto = require('crypto');
const tlog = require('./tlog.js');

const DASH = '\u2014 ';

class Bad extends Error {}

function bad(why) {
	throw new Bad(why);
}

function b64(s, what) {
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0)
		bad(`${what} is not base64`);
	const b = Buffer.from(s, 'base64');
	if (b.toString('base64') !== s)
		bad(`${what} is not canonical base64`);
	return b;
}

// An Ed25519 public key from its 32 raw bytes, wrapped in SPKI DER
// (RFC 8410: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING key }).
function ed25519Key(raw) {
	const prefix = Buffer.from('302a300506032b6570032100', 'hex');
	return crypto.createPublicKey({ key: Buffer.concat([prefix, raw]),
	    format: 'der', type: 'spki' });
}

// A verifier key "<name>+<hex key id>+<base64(0x01 || key)>"; the key id
// must be SHA-256(name || "\n" || 0x01 || key)[:4].
function parseVkey(vkey) {
	const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey);
	if (m === null)
		bad(`the key ${JSON.stringify(vkey)} is not NAME+KEYID+KEY`);
	const key = b64(m[3], 'a vkey\'s key');
	if (key.length !== 33 || key[0] !== 0x01)
		bad(`the key of ${m[1]} is not an Ed25519 key`);
	const id = crypto.createHash('sha256').update(m[1] + '\n', 'utf8')
	    .update(key).digest().subarray(0, 4);
	if (id.toString('hex') !== m[2])
		bad(`the key id of ${m[1]}'s vkey is not its key's`);
	return { name: m[1], id, pub: ed25519Key(key.subarray(1)) };
}

// A signed note: UTF-8, text, the last empty line, signature lines.
function parseNote(bytes, what) {
	let s;
	try {
		s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch (e) {
		bad(`${what} is not UTF-8`);
	}
	if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(s))
		bad(`${what} holds a control character`);
	if (!s.endsWith('\n'))
		bad(`${what} does not end in a newline`);
	const split = s.lastIndexOf('\n\n');
	if (split < 0)
		bad(`${what} has no signatures`);
	const text = s.slice(0, split + 1);
	const sigs = s.slice(split + 2, -1).split('\n').map((line) => {
		if (!line.startsWith(DASH))
			bad(`${what}: a signature line does not start with "— "`);
		const parts = line.slice(DASH.length).split(' ');
		if (parts.length !== 2 || parts[0] === '')
			bad(`${what}: a signature line is not "— NAME SIGNATURE"`);
		const blob = b64(parts[1], `${what}'s signature`);
		if (blob.length < 5)
			bad(`${what}: a signature is too short`);
		return { name: parts[0], id: blob.subarray(0, 4),
		    sig: blob.subarray(4) };
	});
	return { text, sigs };
}

// Does note carry a good signature by key?  A signature with the key's
// name and id that fails is an error, as the signed-note spec asks.
function signedBy(note, key, what) {
	let good = false;
	for (const s of note.sigs) {
		if (s.name !== key.name || !s.id.equals(key.id))
			continue;
		if (s.sig.length !== 64 || !crypto.verify(null,
		    Buffer.from(note.text, 'utf8'), key.pub, s.sig))
			bad(`${what}'s signature by ${key.name} does not verify`);
		good = true;
	}
	return good;
}

// tlog-checkpoint: origin, decimal size, base64 root, extension lines.
function parseCheckpoint(text) {
	const lines = text.split('\n');
	if (lines.length < 4 || lines[0] === '' ||
	    !/^(0|[1-9][0-9]*)$/.test(lines[1]))
		bad('a checkpoint\'s text is not origin, size, root');
	const root = b64(lines[2], 'a checkpoint\'s root');
	if (root.length !== 32)
		bad('a checkpoint\'s root is not 32 bytes');
	return { origin: lines[0], size: BigInt(lines[1]), root };
}

function hash(hex, what) {
	if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex))
		bad(`${what} is not 64 hex digits`);
	return Buffer.from(hex, 'hex');
}

// The note's text as JSON objects, one a line, each with a type.
function parseLines(note) {
	return note.text.slice(0, -1).split('\n').map((l, i) => {
		let o;
		try {
			o = JSON.parse(l);
		} catch (e) {
			bad(`line ${i + 1} is not JSON`);
		}
		if (o === null || typeof o !== 'object' || Array.isArray(o) ||
		    typeof o.type !== 'string')
			bad(`line ${i + 1} is not an object with a type`);
		return o;
	});
}

// The exporter's signature over the whole text: by a given key of the
// exporter's name, else by the header's vkey.  Whether a key was given.
function signedByExporter(note, head, givenKeys, what) {
	let exporter = givenKeys.find((k) => k.name === head.exporter);
	const given = exporter !== undefined;
	if (!given)
		exporter = parseVkey(head.vkey);
	if (exporter.name !== head.exporter)
		bad('the first line\'s vkey is not the exporter\'s');
	if (!signedBy(note, exporter, `the ${what}`))
		bad(`the ${what} is not signed by ${head.exporter}'s key`);
	return given;
}

// The checkpoint lines, each signed by a given key (or, with none given,
// by a key line's): a Map "origin\nsize" -> { origin, size, root,
// signers }, one per journal (the database's own, or imported).
function checkpoints(lines, givenKeys, what) {
	const ckpts = new Map();
	const ownKeys = lines.filter((o) => o.type === 'key')
	    .map((o) => parseVkey(o.vkey));
	lines.forEach((o, i) => {
		if (o.type !== 'checkpoint')
			return;
		if (typeof o.note !== 'string')
			bad(`line ${i + 1}: a checkpoint without its note`);
		const n = parseNote(Buffer.from(o.note, 'utf8'),
		    `the checkpoint on line ${i + 1}`);
		const c = parseCheckpoint(n.text);
		const keys = givenKeys.length > 0 ? givenKeys : ownKeys;
		c.signers = keys.filter((k) => signedBy(n, k,
		    `the checkpoint on line ${i + 1}`)).map((k) => k.name);
		ckpts.set(`${c.origin}\n${c.size}`, c);
	});
	for (const c of ckpts.values())
		if (c.signers.length === 0)
			bad(`the checkpoint of size ${c.size} is signed by none of ` +
			    (givenKeys.length > 0 ? 'the keys given' :
			    `the keys in the ${what}`));
	return ckpts;
}

function verify(bytes, givenKeys) {
	const note = parseNote(bytes, 'the bundle');
	const lines = parseLines(note);
	const head = lines[0];
	if (head.type !== 'bundle' || head.format !== 'invigil-bundle/1')
		bad('the first line is not an invigil-bundle/1 header');
	for (const f of ['feed', 'attempt', 'exporter', 'vkey', 'origin'])
		if (typeof head[f] !== 'string')
			bad(`the first line has no ${f}`);

	const exporterGiven = signedByExporter(note, head, givenKeys, 'bundle');
	const ckpts = checkpoints(lines, givenKeys, 'bundle');

	const count = { message: 0, flag: 0, entry: 0, forensics: 0,
	    attempt: 0, withheld: 0, redacted: 0 };
	const about = (o, i, what) => {
		if (o.attempt !== head.attempt ||
		    (o.feed !== undefined && o.feed !== null &&
		    o.feed !== head.feed))
			bad(`line ${i + 1}: a ${what} of another attempt`);
	};
	const body = (text, i, what, seq) => {
		let b;
		try {
			b = JSON.parse(text);
		} catch (e) {
			bad(`line ${i + 1}: the ${what}'s body is not JSON`);
		}
		if (b === null || typeof b !== 'object')
			bad(`line ${i + 1}: the ${what}'s body is not an object`);
		about(b, i, `${what} body`);
		if (b.seq !== seq)
			bad(`line ${i + 1}: the ${what}'s body has another seq`);
	};
	lines.forEach((o, i) => {
		if (i === 0 || o.type === 'key' || o.type === 'checkpoint')
			return;
		switch (o.type) {
		case 'attempt':
			about(o, i, 'fact');
			break;
		case 'message':
			about(o, i, 'message');
			if (!Number.isInteger(o.seq) || !Number.isInteger(o.epoch))
				bad(`line ${i + 1}: a message without epoch and seq`);
			if (typeof o.body === 'string')
				body(o.body, i, 'message', o.seq);
			else if (typeof o.withheld === 'string') {
				hash(o.body_sha256, `line ${i + 1}: body_sha256`);
				count.withheld++;
			} else
				bad(`line ${i + 1}: a message without its body`);
			break;
		case 'flag':
			about(o, i, 'flag');
			if (!Number.isInteger(o.id) || typeof o.rule !== 'string')
				bad(`line ${i + 1}: a flag without id and rule`);
			if (o.redacted !== undefined)
				count.redacted++;
			break;
		case 'entry': {
			if (!Number.isInteger(o.seq) || o.seq < 1 ||
			    o.leaf_index !== o.seq - 1 ||
			    typeof o.origin !== 'string' ||
			    !Number.isInteger(o.size) || !Array.isArray(o.proof))
				bad(`line ${i + 1}: an entry without origin, seq, ` +
				    'leaf index, size and proof');
			let leaf;
			if (typeof o.body === 'string') {
				body(o.body, i, 'journal entry', o.seq);
				leaf = tlog.leafHash(Buffer.from(o.body, 'utf8'));
			} else if (typeof o.withheld === 'string') {
				leaf = hash(o.leaf_hash, `line ${i + 1}: leaf_hash`);
				count.withheld++;
			} else
				bad(`line ${i + 1}: an entry without its body`);
			const c = ckpts.get(`${o.origin}\n${o.size}`);
			if (c === undefined)
				bad(`line ${i + 1}: no checkpoint of its journal ` +
				    `and size ${o.size}`);
			const proof = o.proof.map((h) => hash(h,
			    `line ${i + 1}: a proof hash`));
			if (!tlog.verifyInclusion(o.leaf_index, o.size, leaf,
			    proof, c.root))
				bad(`line ${i + 1}: the inclusion proof of entry ` +
				    `${o.seq} does not lead to the checkpoint's root`);
			break;
		}
		case 'forensics':
			about(o, i, 'forensics line');
			if (typeof o.model !== 'string')
				bad(`line ${i + 1}: forensic indices without a model`);
			break;
		default:
			bad(`line ${i + 1}: unknown type ${JSON.stringify(o.type)}`);
		}
		count[o.type]++;
	});
	if (count.attempt !== 1)
		bad('the bundle does not hold exactly one attempt line');
	for (const [k, v] of [['messages', count.message],
	    ['flags', count.flag], ['entries', count.entry],
	    ['forensics', count.forensics], ['withheld', count.withheld],
	    ['redacted', count.redacted],
	    ['checkpoints', lines.filter((o) => o.type === 'checkpoint').length]])
		if (BigInt(head[k] ?? -1) !== BigInt(v))
			bad(`the first line's count of ${k} is not what the ` +
			    'bundle holds');
	return { head, count, exporterGiven,
	    signers: [...ckpts.values()].flatMap((c) => c.signers) };
}

function main(argv) {
	const keys = [];
	let file = null;
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--key' && i + 1 < argv.length)
			keys.push(argv[++i]);
		else if (file === null && !argv[i].startsWith('-'))
			file = argv[i];
		else {
			process.stderr.write('usage: node verify-bundle.js ' +
			    '[--key VKEY]... FILE\n');
			return 2;
		}
	}
	if (file === null) {
		process.stderr.write('usage: node verify-bundle.js [--key VKEY]... ' +
		    'FILE\n');
		return 2;
	}
	try {
		const r = verify(fs.readFileSync(file), keys.map(parseVkey));
		process.stdout.write(`ok: attempt ${JSON.stringify(r.head.attempt)}` +
		    ` exported by ${r.head.exporter}` +
		    `${r.exporterGiven ? ' (key given)' : ''}; ` +
		    `${r.count.message} messages, ${r.count.flag} flags, ` +
		    `${r.count.entry} entries proven; checkpoints signed by ` +
		    `${[...new Set(r.signers)].join(', ')}\n`);
		return 0;
	} catch (e) {
		// Bad: what the bundle got wrong; anything else (a BigInt of a
		// fraction...) is a bundle this verifier cannot read: also bad.
		process.stderr.write(`verify-bundle: ${e.message}\n`);
		return 1;
	}
}

module.exports = { verify, parseVkey, parseNote, parseLines,
    signedByExporter, checkpoints, hash, bad };

if (require.main === module)
	process.exitCode = main(process.argv.slice(2));
