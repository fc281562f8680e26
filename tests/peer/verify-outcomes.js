#!/usr/bin/env node
// verify-outcomes.js - an independent verifier of invigil outcome lists
// (`invigil admin export`, man/invigil-bundle.5, OUTCOME LISTS), on Node's
// built-in crypto, tests/peer/tlog.js and the signed-note parts of
// tests/peer/verify-bundle.js.  Written from the formats, not from the C:
// C2SP signed-note, C2SP tlog-checkpoint, RFC 6962 inclusion proofs.
//
// usage: node verify-outcomes.js [--key VKEY]... [--pseudonym-key FILE]
//            [--candidate ID]... FILE
//
// Checks: the list's signature by its exporter (a --key of that name if
// given, else the header's vkey); the checkpoint's signatures (by the
// --keys if any, else the list's key lines); the export act's entry (kind
// export_outcomes, the header's seq) and every outcome's deciding act
// proven by its audit path to the checkpoint's root; each outcome's state
// one of invigil-admin(1)'s, "invalid" true exactly for invalidated and
// upheld, its act's body (when not withheld) about that attempt and feed
// with an act that leaves it in that state; the header's counts.  With
// --pseudonym-key (the program's key file, hex on one line), each
// --candidate ID is looked up: its pseudonym (HMAC-SHA-256) is computed
// here and its outcomes printed, as the platform would.
// Prints "ok: ..." and exits 0; else "verify-outcomes: why", exit 1
// (2 for a usage error).
'use strict';

const fs = require('fs');
const crypto = require('crypto');
const tlog = require('./tlog.js');
const { parseVkey, parseNote, parseLines, signedByExporter, checkpoints, hash,
    bad } = require('./verify-bundle.js');

// The state each act leaves an attempt in (invigil-admin(1)'s diagram);
// a proposal that lapsed leaves it under review.
const AFTER = {
	open_case: 'under_review',
	propose_invalidation: 'invalidation_proposed',
	approve_invalidation: 'invalidated',
	reject_invalidation: 'under_review',
	appeal_open: 'appeal_open',
	reinstate: 'reinstated',
	uphold: 'upheld',
};
const STATES = new Set(Object.values(AFTER));

function verify(bytes, givenKeys) {
	const note = parseNote(bytes, 'the list');
	const lines = parseLines(note);
	const head = lines[0];
	if (head.type !== 'outcomes' || head.format !== 'invigil-outcomes/1')
		bad('the first line is not an invigil-outcomes/1 header');
	for (const f of ['exporter', 'vkey', 'origin', 'created'])
		if (typeof head[f] !== 'string')
			bad(`the first line has no ${f}`);
	if (!Number.isInteger(head.seq) || head.seq < 1)
		bad('the first line has no seq of the export act');
	const pseudonymous = head.pseudonyms !== null &&
	    head.pseudonyms !== undefined;
	if (pseudonymous && (typeof head.pseudonyms !== 'string' ||
	    !/^hmac-sha256:[0-9a-f]{16}$/.test(head.pseudonyms)))
		bad('pseudonyms is not hmac-sha256:KEYID');

	const exporterGiven = signedByExporter(note, head, givenKeys, 'list');
	const ckpts = checkpoints(lines, givenKeys, 'list');

	// A line's act: its leaf (of the body, checked by fn, or withheld)
	// proven in the checkpoint of its journal and size.
	let withheld = 0;
	const proven = (o, i, fn) => {
		if (!Number.isInteger(o.seq) || o.seq < 1 ||
		    o.leaf_index !== o.seq - 1 || typeof o.origin !== 'string' ||
		    !Number.isInteger(o.size) || !Array.isArray(o.proof))
			bad(`line ${i + 1}: no origin, seq, leaf index, size and ` +
			    'proof');
		let leaf;
		if (typeof o.body === 'string') {
			let b;
			try {
				b = JSON.parse(o.body);
			} catch (e) {
				bad(`line ${i + 1}: the act's body is not JSON`);
			}
			if (b === null || typeof b !== 'object' || b.seq !== o.seq)
				bad(`line ${i + 1}: the act's body is not the entry ` +
				    `of seq ${o.seq}`);
			fn(b);
			leaf = tlog.leafHash(Buffer.from(o.body, 'utf8'));
		} else if (typeof o.withheld === 'string') {
			leaf = hash(o.leaf_hash, `line ${i + 1}: leaf_hash`);
			withheld++;
		} else
			bad(`line ${i + 1}: neither the act's body nor its leaf hash`);
		const c = ckpts.get(`${o.origin}\n${o.size}`);
		if (c === undefined)
			bad(`line ${i + 1}: no checkpoint of its journal and size`);
		const proof = o.proof.map((h) => hash(h,
		    `line ${i + 1}: a proof hash`));
		if (!tlog.verifyInclusion(o.leaf_index, o.size, leaf, proof,
		    c.root))
			bad(`line ${i + 1}: the inclusion proof of entry ${o.seq} ` +
			    'does not lead to the checkpoint\'s root');
	};

	const outcomes = [];
	let entries = 0;
	lines.forEach((o, i) => {
		if (i === 0 || o.type === 'key' || o.type === 'checkpoint')
			return;
		if (o.type === 'entry') {
			entries++;
			proven(o, i, (b) => {
				if (b.kind !== 'export_outcomes' || o.seq !== head.seq)
					bad(`line ${i + 1}: not the export act the ` +
					    'header names');
			});
			return;
		}
		if (o.type !== 'outcome')
			bad(`line ${i + 1}: unknown type ${JSON.stringify(o.type)}`);
		if (typeof o.attempt !== 'string' || !STATES.has(o.state) ||
		    typeof o.invalid !== 'boolean' || typeof o.time !== 'string')
			bad(`line ${i + 1}: an outcome without attempt, state, ` +
			    'invalid and time');
		if (o.invalid !== (o.state === 'invalidated' ||
		    o.state === 'upheld'))
			bad(`line ${i + 1}: "invalid" does not fit state ${o.state}`);
		const who = pseudonymous ? 'pseudonym' : 'candidate';
		if ((pseudonymous ? 'candidate' : 'pseudonym') in o)
			bad(`line ${i + 1}: a ${pseudonymous ? 'candidate id' :
			    'pseudonym'} in a list whose header says otherwise`);
		if (!(who in o) || (o[who] !== null && typeof o[who] !== 'string'))
			bad(`line ${i + 1}: an outcome without its ${who}`);
		if (pseudonymous && o[who] !== null &&
		    !/^[0-9a-f]{64}$/.test(o[who]))
			bad(`line ${i + 1}: a pseudonym is not 64 hex digits`);
		proven(o, i, (b) => {
			if (b.attempt !== o.attempt ||
			    (b.feed ?? null) !== (o.feed ?? null))
				bad(`line ${i + 1}: the act is about another attempt`);
			const after = b.kind === 'propose_invalidation' &&
			    o.expired === true ? 'under_review' : AFTER[b.kind];
			if (after !== o.state)
				bad(`line ${i + 1}: a ${b.kind} does not leave the ` +
				    `attempt ${o.state}`);
		});
		outcomes.push(o);
	});
	if (entries !== 1)
		bad('the list does not hold its export act\'s entry once');
	const invalid = outcomes.filter((o) => o.invalid).length;
	for (const [k, v] of [['outcomes', outcomes.length],
	    ['invalid', invalid], ['withheld', withheld],
	    ['checkpoints', ckpts.size]])
		if (head[k] !== v)
			bad(`the header's count of ${k} is not what the list holds`);
	return { head, outcomes, invalid, exporterGiven,
	    signers: [...ckpts.values()].flatMap((c) => c.signers) };
}

// The pseudonym of candidate id under the key file's 32 bytes.
function pseudonym(keyFile, id) {
	const text = fs.readFileSync(keyFile, 'utf8');
	if (!/^[0-9a-f]{64}\n$/.test(text))
		bad('the pseudonym key file is not 64 hex digits on one line');
	return crypto.createHmac('sha256', Buffer.from(text.trim(), 'hex'))
	    .update(id, 'utf8').digest('hex');
}

function main(argv) {
	const keys = [], cands = [];
	let file = null, pkey = null;
	const usage = () => {
		process.stderr.write('usage: node verify-outcomes.js [--key VKEY]' +
		    '... [--pseudonym-key FILE] [--candidate ID]... FILE\n');
		return 2;
	};
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--key' && i + 1 < argv.length)
			keys.push(argv[++i]);
		else if (argv[i] === '--pseudonym-key' && i + 1 < argv.length)
			pkey = argv[++i];
		else if (argv[i] === '--candidate' && i + 1 < argv.length)
			cands.push(argv[++i]);
		else if (file === null && !argv[i].startsWith('-'))
			file = argv[i];
		else
			return usage();
	}
	if (file === null || (cands.length > 0 && pkey === null))
		return usage();
	try {
		const r = verify(fs.readFileSync(file), keys.map(parseVkey));
		process.stdout.write(`ok: ${r.outcomes.length} outcomes ` +
		    `(${r.invalid} invalid) exported by ${r.head.exporter}` +
		    `${r.exporterGiven ? ' (key given)' : ''} at journal seq ` +
		    `${r.head.seq}; checkpoint signed by ` +
		    `${[...new Set(r.signers)].join(', ')}\n`);
		for (const c of cands) {
			const p = pseudonym(pkey, c);
			const mine = r.outcomes.filter((o) => o.pseudonym === p);
			process.stdout.write(`candidate ${JSON.stringify(c)}: ` +
			    (mine.length === 0 ? 'no outcome' : mine.map((o) =>
			    `${o.attempt} ${o.state}`).join(', ')) + '\n');
		}
		return 0;
	} catch (e) {
		process.stderr.write(`verify-outcomes: ${e.message}\n`);
		return 1;
	}
}

module.exports = { verify };

if (require.main === module)
	process.exitCode = main(process.argv.slice(2));
