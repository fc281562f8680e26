#!/usr/bin/env python3
"""crash-drive.py - kill the headless console with SIGKILL at random moments
while it ingests a replay and takes scripted decisions on stdin, and check
after every restart that nothing acknowledged was lost.

usage: crash-drive.py INVIGIL FEED_URL DB WORKDIR ROUNDS MESSAGES SEED
                      [MIN_ACKED [MIN_KILLS_AFTER_ACK]]

Each round starts `invigil --headless` on DB, answers some of the flags it
prints with decide / command / note requests, and SIGKILLs it after a random
0.05-1.5 s.  After each kill:
  - PRAGMA integrity_check is "ok";
  - `invigil review verify --db DB` exits 0;
  - every request acknowledged on stdout is in the journal, with the seq and
    hash its ack gave;
  - the stored messages are seq 1..N of the feed, each once, no hole, and
    the feed position is N.
A last round runs to the end of the replay (MESSAGES messages), stops with
SIGTERM and checks the same, plus an export of the checkpoints verified with
--checkpoints.  Prints one summary line; exits 1 on the first failure.

So that it cannot pass vacuously (a console that never acknowledges, or
kills that all land before anything was acknowledged), it also fails unless
at least MIN_ACKED requests were acknowledged over all rounds (default:
ROUNDS / 2) and at least MIN_KILLS_AFTER_ACK kills came after that round's
console had acknowledged a request (default: ROUNDS / 5).
"""
import json
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


class Console:
    def __init__(self, invigil, url, db, work, rnd):
        self.errpath = os.path.join(work, "console.%d.err" % rnd)
        self.p = subprocess.Popen(
            [invigil, "--headless", "--feed", url, "--db", db,
             "--proctor", "crash", "--checkpoint-every", "5"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=open(self.errpath, "w"))
        self.flags = queue.Queue()
        self.acks = {}
        self.t = threading.Thread(target=self.read, daemon=True)
        self.t.start()

    def read(self):
        for line in self.p.stdout:
            try:
                o = json.loads(line)
            except ValueError:
                continue        # a line torn by the kill
            if o.get("t") == "flag":
                self.flags.put(o)
            elif o.get("t") == "ack":
                self.acks[o.get("id")] = o

    def send(self, req):
        try:
            self.p.stdin.write((json.dumps(req) + "\n").encode())
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def kill(self):
        self.p.kill()
        self.p.wait()
        self.t.join(5)

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(30)
        except subprocess.TimeoutExpired:
            fail("the console did not stop on SIGTERM in 30 s")
        self.t.join(5)
        if self.p.returncode != 0:
            fail("the console exited %d on SIGTERM: %s" %
                 (self.p.returncode, open(self.errpath).read()))


def check(invigil, db, acked, final_count=None, ckpt_file=None):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    ic = con.execute("PRAGMA integrity_check").fetchall()
    if ic != [("ok",)]:
        fail("integrity_check: %r" % ic)
    # Decisions acknowledged on stdout are in the journal, as acknowledged.
    rows = {}
    for seq, h, detail in con.execute(
            "SELECT seq, hash, detail FROM journal WHERE detail LIKE "
            "'%\"request\"%'"):
        rows[json.loads(detail)["request"]] = (seq, h)
    for rid, ack in acked.items():
        if rid not in rows:
            fail("request %s was acknowledged (journal #%d) but is not in "
                 "the journal" % (rid, ack["seq"]))
        if rows[rid] != (ack["seq"], ack["hash"]):
            fail("request %s: journal has %r, ack said %r" %
                 (rid, rows[rid], (ack["seq"], ack["hash"])))
    # Events: seq 1..N, each once.
    n, lo, hi, distinct = con.execute(
        "SELECT count(*), min(seq), max(seq), count(DISTINCT seq) "
        "FROM messages").fetchone()
    if n and (lo != 1 or hi != n or distinct != n):
        fail("messages: %d rows, seq %r..%r, %d distinct: a hole or a "
             "duplicate" % (n, lo, hi, distinct))
    pos = con.execute("SELECT coalesce(max(last_seq), 0) FROM feeds").fetchone()[0]
    if pos != (hi or 0):
        fail("feed position %d but messages end at %r" % (pos, hi))
    gaps = con.execute("SELECT count(*) FROM gaps").fetchone()[0]
    if gaps:
        fail("%d gaps recorded: the feed had everything" % gaps)
    # The stream also carries the feed's acks of our commands.
    scenario = con.execute("SELECT count(*) FROM messages WHERE type != "
                           "'ack'").fetchone()[0]
    con.close()
    if final_count is not None and scenario != final_count:
        fail("%d scenario messages stored, want %d" % (scenario,
                                                         final_count))
    args = [invigil, "review", "verify", "--db", db]
    if ckpt_file:
        args += ["--checkpoints", ckpt_file]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        fail("verify exited %d: %s%s" % (r.returncode, r.stdout, r.stderr))
    return n


def main():
    invigil, url, db, work = sys.argv[1:5]
    rounds, messages, seed = map(int, sys.argv[5:8])
    min_acked = int(sys.argv[8]) if len(sys.argv) > 8 else rounds // 2
    min_after = int(sys.argv[9]) if len(sys.argv) > 9 else rounds // 5
    rng = random.Random(seed)
    acked = {}
    sent = 0
    early = 0
    after_ack = 0       # kills that came after an ack in their round
    for rnd in range(1, rounds + 1):
        c = Console(invigil, url, db, work, rnd)
        deadline = time.monotonic() + rng.uniform(0.05, 1.5)
        k = 0
        while time.monotonic() < deadline:
            try:
                f = c.flags.get(timeout=max(0.0, min(0.02,
                                deadline - time.monotonic())))
            except queue.Empty:
                continue
            k += 1
            rid = "r%d-%d" % (rnd, k)
            x = rng.random()
            if x < 0.5:
                req = {"id": rid, "op": "decide", "flag": f["id"],
                       "action": rng.choice(["dismiss", "confirm"]),
                       "reason": "crash test %s" % rid,
                       "reason_code": "other"}
            elif x < 0.7:
                req = {"id": rid, "op": "note", "attempt": f["attempt"],
                       "reason": "note %s \u202e\x1b[2J" % rid}
            elif x < 0.8:
                req = {"id": rid, "op": "command", "attempt": f["attempt"],
                       "action": "warn", "reason": "warning %s" % rid}
            else:
                continue
            c.send(req)
            sent += 1
        # Acks already read before the kill: the kill came after them.
        acked_before_kill = any(a.get("ok") for a in list(c.acks.values()))
        c.kill()
        if k == 0:
            early += 1
        if acked_before_kill:
            after_ack += 1
        for rid, ack in c.acks.items():
            if ack.get("ok"):
                acked[rid] = ack
        check(invigil, db, acked)

    # The last run: to the end of the replay, then a clean stop.
    c = Console(invigil, url, db, work, rounds + 1)
    # A request that records nothing: its answer says the console's loop
    # runs (and its signal handlers are in place) before it is stopped.
    c.send({"id": "ready", "op": "note"})
    end = time.monotonic() + 60
    while "ready" not in c.acks:
        if time.monotonic() > end or c.p.poll() is not None:
            fail("the last console never answered a request: %s" %
                 open(c.errpath).read())
        time.sleep(0.05)
    end = time.monotonic() + 180
    while time.monotonic() < end:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
        n = con.execute("SELECT count(*) FROM messages WHERE type != "
                        "'ack'").fetchone()[0]
        con.close()
        if n >= messages:
            break
        time.sleep(0.2)
    c.stop()
    ckpt = os.path.join(work, "checkpoints.txt")
    r = subprocess.run([invigil, "review", "checkpoints", "--db", db,
                        "--export", ckpt], capture_output=True, text=True)
    if r.returncode != 0:
        fail("checkpoints --export: %s" % r.stderr)
    check(invigil, db, acked, final_count=messages, ckpt_file=ckpt)
    if len(acked) < min_acked:
        fail("only %d requests acknowledged over %d rounds (%d sent), want "
             "at least %d: the test proved nothing about acknowledged "
             "requests" % (len(acked), rounds, sent, min_acked))
    if after_ack < min_after:
        fail("only %d of %d kills came after an acknowledged request, want "
             "at least %d" % (after_ack, rounds, min_after))
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    journal = con.execute("SELECT count(*) FROM journal").fetchone()[0]
    acks = con.execute("SELECT count(*) FROM journal WHERE kind = "
                       "'cmd_ack'").fetchone()[0]
    ckpts = con.execute("SELECT count(*) FROM checkpoints").fetchone()[0]
    con.close()
    print("crash: %d SIGKILLs, %d requests sent, %d acknowledged and all "
          "in the journal; %d messages stored once each; journal %d entries "
          "(%d command acks), %d signed checkpoints, verify ok after every "
          "restart" % (rounds, sent, len(acked), messages, journal, acks,
                       ckpts))
    print("crash: %d of the kills came before the console's first ack or "
          "flag, %d after an acknowledged request" % (early, after_ack))


if __name__ == "__main__":
    main()
