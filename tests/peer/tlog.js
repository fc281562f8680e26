#!/usr/bin/env node
// tlog.js - an independent implementation of the RFC 6962 / RFC 9162
// section 2.1 Merkle tree (leaf and node hashes, the tree head, and the
// verification of inclusion and consistency proofs), on Node's built-in
// crypto only.  Written from the RFC text, sharing nothing with
// store/merkle.c, so that the journal's trees and proofs are checked by a
// second reading of the specification.
//
// As a module:
//   const tlog = require('./tlog.js');
//   tlog.leafHash(buf)                       SHA-256(0x00 || buf)
//   tlog.nodeHash(l, r)                      SHA-256(0x01 || l || r)
//   tlog.rootHash(leafHashes)                MTH over leaf hashes
//   tlog.verifyInclusion(index, size, leafHash, proof, root)     -> bool
//   tlog.verifyConsistency(size1, size2, root1, root2, proof)    -> bool
//   tlog.parseCheckpoint(text)               {origin, size, root} of a
//                                            tlog-checkpoint (note text)
//   tlog.checkConsistencyFile(text)          a `review checkpoints
//                                            --prove-consistency` file:
//                                            returns {origin, old, new}
//                                            or throws Error(why)
// Hashes are Buffers of 32 bytes; indices and sizes are Numbers or
// BigInts (converted to BigInt, so sizes up to 2^63 are exact).
//
// As a command:
//   node tlog.js consistency FILE   checks the proof in FILE against the
//                                   roots of its two checkpoints; prints
//                                   "ok: ..." and exits 0, or "tlog: why"
//                                   on stderr and exits 1 (2 for usage).
// The checkpoints' signatures are verify-note.js's business.
'use strict';

const crypto = require('crypto');
const fs = require('fs');

function sha256(...parts) {
	const h = crypto.createHash('sha256');
	for (const p of parts)
		h.update(p);
	return h.digest();
}

function leafHash(data) {
	return sha256(Buffer.from([0x00]), Buffer.from(data));
}

function nodeHash(left, right) {
	return sha256(Buffer.from([0x01]), left, right);
}

// MTH(D[n]) of RFC 9162 2.1.1, given the leaf hashes.
function rootHash(leaves) {
	const n = leaves.length;
	if (n === 0)
		return sha256(Buffer.alloc(0));
	if (n === 1)
		return Buffer.from(leaves[0]);
	let k = 1;
	while (k * 2 < n)
		k *= 2;
	return nodeHash(rootHash(leaves.slice(0, k)), rootHash(leaves.slice(k)));
}

function big(x) {
	return typeof x === 'bigint' ? x : BigInt(x);
}

function isHash(h) {
	return Buffer.isBuffer(h) && h.length === 32;
}

// RFC 9162 2.1.3.2.
function verifyInclusion(index, size, leaf, proof, root) {
	let fn = big(index), sn = big(size) - 1n;
	if (big(index) >= big(size) || !isHash(leaf) || !isHash(root))
		return false;
	let r = Buffer.from(leaf);
	for (const p of proof) {
		if (!isHash(p) || sn === 0n)
			return false;
		if ((fn & 1n) === 1n || fn === sn) {
			r = nodeHash(p, r);
			if ((fn & 1n) === 0n) {
				while ((fn & 1n) === 0n && fn !== 0n) {
					fn >>= 1n;
					sn >>= 1n;
				}
			}
		} else {
			r = nodeHash(r, p);
		}
		fn >>= 1n;
		sn >>= 1n;
	}
	return sn === 0n && r.equals(root);
}

// RFC 9162 2.1.4.2, plus the trivial cases: size1 == size2 (empty proof,
// equal roots) and size1 == 0 (empty proof).
function verifyConsistency(size1, size2, root1, root2, proof) {
	const first = big(size1), second = big(size2);
	if (!isHash(root1) || !isHash(root2) || first > second || first < 0n)
		return false;
	if (first === second)
		return proof.length === 0 && root1.equals(root2);
	if (first === 0n)
		return proof.length === 0;
	if (proof.length === 0)
		return false;
	let path = proof.slice();
	if ((first & (first - 1n)) === 0n)
		path.unshift(root1);
	for (const p of path)
		if (!isHash(p))
			return false;
	let fn = first - 1n, sn = second - 1n;
	while ((fn & 1n) === 1n) {
		fn >>= 1n;
		sn >>= 1n;
	}
	let fr = path[0], sr = path[0];
	for (const c of path.slice(1)) {
		if (sn === 0n)
			return false;
		if ((fn & 1n) === 1n || fn === sn) {
			fr = nodeHash(c, fr);
			sr = nodeHash(c, sr);
			while ((fn & 1n) === 0n && fn !== 0n) {
				fn >>= 1n;
				sn >>= 1n;
			}
		} else {
			sr = nodeHash(sr, c);
		}
		fn >>= 1n;
		sn >>= 1n;
	}
	return fr.equals(root1) && sr.equals(root2) && sn === 0n;
}

function strictBase64(s, what) {
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0)
		throw new Error(`${what} is not base64`);
	const b = Buffer.from(s, 'base64');
	if (b.toString('base64') !== s)
		throw new Error(`${what} is not canonical base64`);
	return b;
}

function decimal(s, what) {
	if (!/^(0|[1-9][0-9]*)$/.test(s))
		throw new Error(`${what} is not a decimal number: ${JSON.stringify(s)}`);
	const v = BigInt(s);
	if (v >= 1n << 63n)
		throw new Error(`${what} is too large`);
	return v;
}

// The first three lines of a tlog-checkpoint (https://c2sp.org/tlog-checkpoint).
function parseCheckpoint(text) {
	const lines = text.split('\n');
	if (lines.length < 4)
		throw new Error('a checkpoint has origin, size and root lines');
	if (lines[0].length === 0)
		throw new Error('the checkpoint has an empty origin');
	const root = strictBase64(lines[2], 'the checkpoint root');
	if (root.length !== 32)
		throw new Error('the checkpoint root is not 32 bytes');
	return { origin: lines[0], size: decimal(lines[1], 'the checkpoint size'),
	    root };
}

// A signed note's text: everything before the last "\n\n" (RFC-ish rule of
// c2sp.org/signed-note: the signature block follows the last empty line).
function noteText(note) {
	const cut = note.lastIndexOf('\n\n');
	if (cut < 0)
		throw new Error('a note without a signature block');
	return note.slice(0, cut + 1);
}

// The file `invigil review checkpoints --prove-consistency` writes (see
// invigil-review(1)):
//   invigil consistency proof v1
//   old SIZE
//   new SIZE
//   hash BASE64            (zero or more, in proof order)
//   <empty line>
//   OLD NOTE <empty line> NEW NOTE <empty line>
function checkConsistencyFile(text) {
	const blank = text.indexOf('\n\n');
	if (blank < 0)
		throw new Error('no empty line after the proof header');
	const head = text.slice(0, blank).split('\n');
	if (head[0] !== 'invigil consistency proof v1')
		throw new Error('the first line is not "invigil consistency proof v1"');
	const m = /^old (.*)$/.exec(head[1] || '');
	const n = /^new (.*)$/.exec(head[2] || '');
	if (!m || !n)
		throw new Error('lines 2 and 3 must be "old SIZE" and "new SIZE"');
	const oldSize = decimal(m[1], 'the old size');
	const newSize = decimal(n[1], 'the new size');
	const proof = head.slice(3).map((l, i) => {
		const h = /^hash (.*)$/.exec(l);
		if (!h)
			throw new Error(`line ${i + 4} is not "hash BASE64"`);
		const b = strictBase64(h[1], `line ${i + 4}`);
		if (b.length !== 32)
			throw new Error(`line ${i + 4} is not a 32-byte hash`);
		return b;
	});
	// The notes: each ends at the empty line after its signature lines.
	const rest = text.slice(blank + 2);
	const notes = rest.split(/\n\n(?=[^\u2014]|$)/).filter((s) => s.length);
	if (notes.length !== 2)
		throw new Error(`${notes.length} notes after the proof, not 2`);
	const c1 = parseCheckpoint(noteText(notes[0] + '\n'));
	const c2 = parseCheckpoint(noteText(notes[1] + '\n'));
	if (c1.origin !== c2.origin)
		throw new Error('the two checkpoints are of different logs');
	if (c1.size !== oldSize || c2.size !== newSize)
		throw new Error('the sizes do not match the checkpoints');
	if (!verifyConsistency(oldSize, newSize, c1.root, c2.root, proof))
		throw new Error(`the proof does not show size ${oldSize} is a ` +
		    `prefix of size ${newSize}`);
	return { origin: c1.origin, old: oldSize, new: newSize,
	    notes: [notes[0] + '\n', notes[1] + '\n'] };
}

module.exports = {
	leafHash, nodeHash, rootHash, verifyInclusion, verifyConsistency,
	parseCheckpoint, checkConsistencyFile,
};

if (require.main === module) {
	const argv = process.argv.slice(2);
	if (argv.length !== 2 || argv[0] !== 'consistency') {
		process.stderr.write('usage: node tlog.js consistency FILE\n');
		process.exit(2);
	}
	try {
		const r = checkConsistencyFile(fs.readFileSync(argv[1], 'utf8'));
		process.stdout.write(`ok: ${JSON.stringify(r.origin)} size ` +
		    `${r.old} is a prefix of size ${r.new}\n`);
	} catch (e) {
		process.stderr.write(`tlog: ${e.message}\n`);
		process.exit(1);
	}
}
