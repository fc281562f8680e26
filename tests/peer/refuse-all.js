#!/usr/bin/env node
// refuse-all.js - run a verifier module's verify(bytes, []) over every
// file of a directory (changed copies of a signed file), in one process
// (a process each is slow): exits 0 printing how many were refused when
// every one was; exits 1 naming the first that verifies.
//
// usage: node refuse-all.js VERIFIER.js DIR
'use strict';

const fs = require('fs');
const path = require('path');

const [mod, dir] = process.argv.slice(2);
const { verify } = require(path.resolve(mod));
let n = 0;
for (const f of fs.readdirSync(dir)) {
	let held = true;
	try {
		verify(fs.readFileSync(path.join(dir, f)), []);
	} catch (e) {
		held = false;
	}
	if (held) {
		console.error(`${f} verifies`);
		process.exit(1);
	}
	n++;
}
console.log(n);
