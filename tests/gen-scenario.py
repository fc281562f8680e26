#!/usr/bin/env python3
"""gen-scenario.py - write a fixed, deterministic JSONL scenario for
`invigil feed --replay`: attempts first, then state changes, events and
answers, with hostile strings (escape sequences, bidi overrides) in names
and event data.  Same arguments, same bytes.

usage: gen-scenario.py MESSAGES [ATTEMPTS] > scenario.jsonl
"""
import json
import random
import sys

KINDS = ["focus_lost", "focus_returned", "fullscreen_exit", "clipboard",
         "print_screen", "devtools_opened", "display_added", "vm_detected",
         "remote_access", "prohibited_process", "face_missing",
         "face_returned", "faces_multiple", "gaze_away", "voice_detected",
         "object_detected", "identity_mismatch", "ip_change", "device_change",
         "network_lost", "network_restored", "idle", "raise_hand"]
HOSTILE = ["\x1b[2J\x1b[31mowned", "Bob\u202eevil\u202c", "tab\tand\x07bell",
           "\x9b31m C1 CSI", "Zoë Ångström", "\u2066isolate\u2069"]


def ts(ms):
    s, ms = divmod(ms, 1000)
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%03dZ" % ms


def main():
    total = int(sys.argv[1])
    attempts = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rng = random.Random(20261123)
    t = 1795400000000
    out = []
    for i in range(min(attempts, total)):
        name = HOSTILE[i % len(HOSTILE)] if i % 17 == 0 else "Candidate %d" % i
        out.append({"t": "attempt", "ts": ts(t), "attempt": "A%05d" % i,
                    "candidate": "C%05d" % i, "name": name, "exam": "EX-1",
                    "modality": "remote", "state": "scheduled",
                    "ip": "192.0.2.%d" % (i % 250 + 1),
                    "device": "dev-%04x" % i})
    while len(out) < total:
        t += rng.randint(1, 50)
        a = "A%05d" % rng.randrange(attempts)
        r = rng.random()
        if r < 0.6:
            kind = rng.choice(KINDS)
            data = {"n": rng.randint(0, 1000)}
            if rng.random() < 0.05:
                data["note"] = rng.choice(HOSTILE)
            out.append({"t": "event", "ts": ts(t), "attempt": a,
                        "kind": kind, "data": data})
        elif r < 0.95:
            out.append({"t": "answer", "ts": ts(t), "attempt": a,
                        "item": "Q%02d" % rng.randint(1, 60),
                        "response": rng.choice("ABCD"),
                        "correct": rng.random() < 0.6,
                        "elapsed_ms": rng.randint(3000, 90000),
                        "changed": rng.randint(0, 2)})
        else:
            out.append({"t": "state", "ts": ts(t), "attempt": a,
                        "state": rng.choice(["in_progress", "paused"])})
    for m in out:
        sys.stdout.write(json.dumps(m, ensure_ascii=False,
                                    separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
