#!/usr/bin/env python3
"""gen-events.py - a large, deterministic scenario for the ingest benchmark:
ATTEMPTS attempt lines, then EVENTS event lines spread over those attempts
(the event kinds of tests/gen-scenario.py, so the default rules fire as
they would on a real exam).  Same arguments, same bytes.  Written with
plain string formatting: a million lines take a few seconds.

Feed time advances by 1 ms per event unless RATE (events per second of
feed time) says otherwise: bench/latency.sh gives its replay rate, so that
feed time keeps pace with real time.

usage: gen-events.py EVENTS ATTEMPTS [RATE] > scenario.jsonl
"""
import importlib.util
import os
import random
import sys
import time


def scenario_kinds():
    """The event kinds, from tests/gen-scenario.py: one list to keep in
    step with proto/names.c."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "tests", "gen-scenario.py")
    spec = importlib.util.spec_from_file_location("gen_scenario", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.KINDS


KINDS = scenario_kinds()


def main():
    events = int(sys.argv[1])
    attempts = int(sys.argv[2])
    rate = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    rng = random.Random(20261123)
    t = 1795400000000
    out = sys.stdout
    sec_cache = {}

    def ts(ms):
        s, r = divmod(ms, 1000)
        p = sec_cache.get(s)
        if p is None:
            sec_cache.clear()
            p = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))
            sec_cache[s] = p
        return "%s.%03dZ" % (p, r)

    buf = []
    for i in range(attempts):
        buf.append('{"t":"attempt","ts":"%s","attempt":"A%05d",'
                   '"candidate":"C%05d","name":"Candidate %d","exam":"EX-1",'
                   '"modality":"remote","state":"in_progress",'
                   '"ip":"10.%d.%d.%d","device":"dev-%05x"}\n'
                   % (ts(t), i, i, i, i >> 16 & 255, i >> 8 & 255, i & 255, i))
    out.write("".join(buf))
    rand = rng.random
    nk = len(KINDS)
    buf = []
    t0 = t
    for i in range(events):
        # by default one event per millisecond of feed time: a million
        # span 17 minutes
        t = t0 + (i + 1) * 1000 // rate
        a = int(rand() * attempts)
        k = KINDS[int(rand() * nk)]
        buf.append('{"t":"event","ts":"%s","attempt":"A%05d","kind":"%s",'
                   '"data":{"n":%d}}\n' % (ts(t), a, k, int(rand() * 1000)))
        if len(buf) == 65536:
            out.write("".join(buf))
            buf = []
    out.write("".join(buf))


if __name__ == "__main__":
    main()
