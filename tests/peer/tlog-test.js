#!/usr/bin/env node
// tlog-test.js - tests of tlog.js against the published RFC 6962 reference
// vectors (the eight leaves of the certificate-transparency test data, as
// kept in transparency-dev/merkle testonly/), the same ones
// tests/check_merkle.c uses, and against proofs built here by the RFC's
// recursive definitions for every size up to 32 (each must verify; a
// flipped byte, another index or a missing hash must not).
// Prints "tlog-test: N checks passed" and exits 0, or the first failure
// and exits 1.
'use strict';

const assert = require('assert');
const tlog = require('./tlog.js');

const hx = (s) => Buffer.from(s, 'hex');
let checks = 0;
function ok(cond, what) {
	checks++;
	assert.ok(cond, what);
}

const leafInputs = ['', '00', '10', '2021', '3031', '40414243',
    '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hx);
const roots = [
	'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
	'6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
	'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
	'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
	'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
	'4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
	'76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
	'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
	'5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hx);
const H = {
	'96a2': '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
	'5f08': '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
	'6b47': '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
	'6e34': '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
	'fac5': 'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
	'bc1a': 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
	'ca85': 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
	'd37e': 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
	'0ebc': '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
};
const P = (...ks) => ks.map((k) => hx(H[k]));

const leaves = leafInputs.map(tlog.leafHash);
for (let n = 0; n <= 8; n++)
	ok(tlog.rootHash(leaves.slice(0, n)).equals(roots[n]), `root of ${n}`);

const inclusion = [
	[0, 1, []], [0, 2, P('96a2')], [1, 2, P('6e34')], [2, 3, P('fac5')],
	[1, 5, P('6e34', '5f08', 'bc1a')], [0, 8, P('96a2', '5f08', '6b47')],
	[5, 8, P('bc1a', 'ca85', 'd37e')],
];
for (const [m, n, proof] of inclusion) {
	ok(tlog.verifyInclusion(m, n, leaves[m], proof, roots[n]),
	    `inclusion ${m} in ${n}`);
	if (proof.length > 0)
		ok(!tlog.verifyInclusion(m, n, leaves[m], proof.slice(1),
		    roots[n]), `short inclusion ${m} in ${n}`);
}

const consistency = [
	[1, 1, []], [1, 8, P('96a2', '5f08', '6b47')], [2, 5, P('5f08', 'bc1a')],
	[6, 8, P('0ebc', 'ca85', 'd37e')],
];
for (const [m, n, proof] of consistency) {
	ok(tlog.verifyConsistency(m, n, roots[m], roots[n], proof),
	    `consistency ${m} to ${n}`);
	if (m < n)
		ok(!tlog.verifyConsistency(m, n, roots[n], roots[m], proof),
		    `swapped ${m} to ${n}`);
}

// Proofs by the RFC's recursive definitions (2.1.3.1 PATH, 2.1.4.1 PROOF).
function split(n) {
	let k = 1;
	while (k * 2 < n)
		k *= 2;
	return k;
}
function path(m, d) {
	if (d.length <= 1)
		return [];
	const k = split(d.length);
	if (m < k)
		return path(m, d.slice(0, k)).concat([tlog.rootHash(d.slice(k))]);
	return path(m - k, d.slice(k)).concat([tlog.rootHash(d.slice(0, k))]);
}
function subproof(m, d, b) {
	if (m === d.length)
		return b ? [] : [tlog.rootHash(d)];
	const k = split(d.length);
	if (m <= k)
		return subproof(m, d.slice(0, k), b).concat(
		    [tlog.rootHash(d.slice(k))]);
	return subproof(m - k, d.slice(k), false).concat(
	    [tlog.rootHash(d.slice(0, k))]);
}
function flip(proof, i) {
	const q = proof.map((h) => Buffer.from(h));
	q[i][i % 32] ^= 0x10;
	return q;
}

const many = [];
for (let i = 0; i < 32; i++)
	many.push(tlog.leafHash(Buffer.from(`leaf ${i}`)));
for (let n = 1; n <= 32; n++) {
	const d = many.slice(0, n), root = tlog.rootHash(d);
	for (let m = 0; m < n; m++) {
		const p = path(m, d);
		ok(tlog.verifyInclusion(BigInt(m), BigInt(n), d[m], p, root),
		    `path ${m} of ${n}`);
		for (let i = 0; i < p.length; i++)
			ok(!tlog.verifyInclusion(m, n, d[m], flip(p, i), root),
			    `flipped path ${m} of ${n} at ${i}`);
		if (n > 1)
			ok(!tlog.verifyInclusion((m + 1) % n, n, d[m], p, root),
			    `path ${m} of ${n} as another index`);
		ok(!tlog.verifyInclusion(m, n, d[m], p.concat([root]), root),
		    `long path ${m} of ${n}`);
	}
	for (let m = 1; m <= n; m++) {
		const old = tlog.rootHash(d.slice(0, m));
		const p = subproof(m, d, true);
		ok(tlog.verifyConsistency(m, n, old, root, p),
		    `consistency ${m} to ${n}`);
		for (let i = 0; i < p.length; i++)
			ok(!tlog.verifyConsistency(m, n, old, root, flip(p, i)),
			    `flipped consistency ${m} to ${n} at ${i}`);
		if (p.length > 0)
			ok(!tlog.verifyConsistency(m, n, old, root,
			    p.slice(0, -1)), `short consistency ${m} to ${n}`);
		if (m > 1)
			ok(!tlog.verifyConsistency(m - 1, n,
			    tlog.rootHash(d.slice(0, m - 1)), root, p),
			    `consistency ${m} to ${n} as ${m - 1}`);
	}
}
ok(tlog.verifyConsistency(0, 5, roots[0], roots[5], []), 'from empty');
ok(!tlog.verifyConsistency(6, 5, roots[6], roots[5], []), 'backwards');

process.stdout.write(`tlog-test: ${checks} checks passed\n`);
