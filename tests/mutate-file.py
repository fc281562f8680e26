#!/usr/bin/env python3
# mutate-file.py - changed copies of a signed file, for the tests that
# check every one is refused (e2e-bundle.sh, e2e-admin.sh): each line
# removed in turn (lineNNNN), and one byte changed at sampled positions
# (byteNNNNNN: 250 spread evenly, and in every line its first, middle
# and last byte; a bit flipped, a newline made a '*').
#
# usage: mutate-file.py FILE OUTDIR   (OUTDIR is created)
import os
import sys

data = open(sys.argv[1], 'rb').read()
out = sys.argv[2]
os.makedirs(out)
starts = [0] + [i + 1 for i, b in enumerate(data) if b == 10][:-1]
for k, s in enumerate(starts):
    e = data.index(b'\n', s) + 1
    open(f'{out}/line{k:04d}', 'wb').write(data[:s] + data[e:])
pos = set(range(0, len(data), max(1, len(data) // 250)))
for s in starts:
    e = data.index(b'\n', s)
    pos |= {s, (s + e) // 2, max(s, e - 1)}
for p in sorted(pos):
    b = bytearray(data)
    b[p] ^= 0x01 if b[p] != 0x0a else 0x20
    open(f'{out}/byte{p:06d}', 'wb').write(bytes(b))
