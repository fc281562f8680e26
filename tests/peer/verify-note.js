#!/usr/bin/env node
// verify-note.js - an independent verifier of C2SP signed notes
// (https://c2sp.org/signed-note) with Ed25519 keys, on Node's built-in
// crypto only, to check that the notes store/sign.c writes are what any
// other implementation of the format accepts.  It shares no code with the
// C side: it is written from the specification.
//
// usage: node verify-note.js VKEY NOTE
//
//   VKEY  a verifier key "<name>+<8 hex key id>+<base64(0x01 || key)>", or
//         a file whose first line is one
//   NOTE  a file holding exactly one signed note
//
// Checks that the note is well formed (UTF-8, no control characters but
// newline, text / empty line / signature lines "— NAME BASE64"), that the
// vkey's key id is SHA-256(name || "\n" || 0x01 || key)[:4], that the note
// has a signature with the vkey's name and key id, and that every such
// signature verifies over the text.  A checkpoint's origin, size and root
// are printed too.  Prints "ok: ..." and exits 0; otherwise prints
// "verify-note: why" on stderr and exits 1 (2 for a usage error).
'use strict';

const fs = require('fs');
const crypto = require('crypto');

const EM_DASH_SPACE = '\u2014 ';

function fail(why) {
	process.stderr.write(`verify-note: ${why}\n`);
	process.exit(1);
}

// Standard padded base64, canonical only (Buffer.from is lenient: it skips
// characters it does not know, so re-encode and compare).
function strictBase64(s, what) {
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0)
		fail(`${what} is not base64: ${JSON.stringify(s)}`);
	const b = Buffer.from(s, 'base64');
	if (b.toString('base64') !== s)
		fail(`${what} is not canonical base64: ${JSON.stringify(s)}`);
	return b;
}

// A key name: non-empty, no Unicode white space, no '+'.
function checkName(name, what) {
	if (name.length === 0 || /[\s\u0085+]/u.test(name))
		fail(`${what}: bad key name ${JSON.stringify(name)}`);
}

function parseVkey(vkey) {
	const m = /^([^+]*)\+([0-9a-fA-F]{8})\+(.*)$/s.exec(vkey);
	if (m === null)
		fail(`the vkey ${JSON.stringify(vkey)} is not NAME+KEYID+KEY`);
	const [, name, idHex, keyB64] = m;
	checkName(name, 'the vkey');
	const key = strictBase64(keyB64, 'the vkey\'s key');
	if (key.length !== 33 || key[0] !== 0x01)
		fail('the vkey is not an Ed25519 key (0x01 and 32 bytes)');
	const hash = crypto.createHash('sha256')
	    .update(Buffer.from(name + '\n', 'utf8')).update(key).digest();
	const id = hash.readUInt32BE(0);
	if (id !== parseInt(idHex, 16))
		fail(`the vkey's key id ${idHex} is not its key's, ` +
		    id.toString(16).padStart(8, '0'));
	const pub = crypto.createPublicKey({
		key: { kty: 'OKP', crv: 'Ed25519',
		    x: key.subarray(1).toString('base64url') },
		format: 'jwk',
	});
	return { name, id, pub };
}

function parseNote(bytes) {
	let s;
	try {
		s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch (e) {
		fail('the note is not valid UTF-8');
	}
	if (/[\u0000-\u0009\u000b-\u001f]/.test(s))
		fail('the note holds a control character other than newline');
	if (!s.endsWith('\n'))
		fail('the note does not end in a newline');
	const split = s.lastIndexOf('\n\n');
	if (split < 0)
		fail('the note has no empty line before its signatures');
	const text = s.slice(0, split + 1);
	const lines = s.slice(split + 2, -1).split('\n');
	if (s.length === split + 2)
		fail('the note has no signature lines');
	const sigs = lines.map((line) => {
		if (!line.startsWith(EM_DASH_SPACE))
			fail(`not a signature line: ${JSON.stringify(line)}`);
		const rest = line.slice(EM_DASH_SPACE.length);
		const sp = rest.indexOf(' ');
		if (sp < 0)
			fail(`no signature on ${JSON.stringify(line)}`);
		const name = rest.slice(0, sp);
		checkName(name, 'a signature line');
		const raw = strictBase64(rest.slice(sp + 1), 'a signature');
		if (raw.length < 5)
			fail(`the signature by ${name} is too short`);
		return { name, id: raw.readUInt32BE(0), sig: raw.subarray(4) };
	});
	return { text: Buffer.from(text, 'utf8'), textString: text, sigs };
}

function main(argv) {
	if (argv.length !== 2) {
		process.stderr.write('usage: node verify-note.js VKEY NOTE\n');
		process.exit(2);
	}
	let vkey = argv[0];
	if (fs.existsSync(vkey))
		vkey = fs.readFileSync(vkey, 'utf8').split('\n')[0].trim();
	const key = parseVkey(vkey);
	const note = parseNote(fs.readFileSync(argv[1]));

	const mine = note.sigs.filter((s) => s.name === key.name &&
	    s.id === key.id);
	if (mine.length === 0)
		fail(`no signature by ${key.name}+` +
		    key.id.toString(16).padStart(8, '0'));
	for (const s of mine) {
		if (s.sig.length !== 64 ||
		    !crypto.verify(null, note.text, key.pub, s.sig))
			fail(`the signature by ${key.name} does not verify`);
	}
	const cp = note.textString.split('\n');
	if (cp.length >= 4 && /^(0|[1-9][0-9]*)$/.test(cp[1]) &&
	    Buffer.from(cp[2], 'base64').length === 32)
		console.log(`ok: checkpoint origin=${cp[0]} size=${cp[1]} ` +
		    `root=${cp[2]}`);
	console.log(`ok: signed by ${key.name}+` +
	    key.id.toString(16).padStart(8, '0') +
	    ` (${mine.length} signature${mine.length > 1 ? 's' : ''})`);
	process.exit(0);
}

main(process.argv.slice(2));
