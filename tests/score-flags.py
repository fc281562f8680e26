#!/usr/bin/env python3
"""score-flags.py - score a console's flags against the simulator's truth.

usage: score-flags.py TRUTH FLAGS.jsonl [--min-severity SEV]
                      [--require-recall R] [--require-precision P]

TRUTH is the file `invigil feed --simulate N --truth PATH` keeps (see
invigil-feed(1), GROUND TRUTH); FLAGS.jsonl is what `invigil --headless`
prints, one {"t":"flag",...} line per flag (other lines are ignored).

Scoring is per attempt.  An attempt has misconduct of type T when its profile
is one of the cheating ones (the truth's "cheating") or its "misconduct" list
has an entry of type T.  An attempt is flagged when it has at least one flag
of severity >= --min-severity (default medium).  Printed:

  - per misconduct type: attempts, flagged, recall;
  - per innocent profile (honest, distracted, flaky_network): attempts and
    how many were flagged anyway;
  - overall recall, and precision = flagged attempts with misconduct / all
    flagged attempts;
  - false-positive flags (on attempts without misconduct) by rule;
  - "network trouble flagged": every flag, of any severity, on an honest or
    flaky_network attempt whose rule names the network, an ip or an outage;
  - last, one JSON line: {"t":"score", ...} for scripts.

Exit status 0, whatever the scores, unless --require-recall or
--require-precision is given and not met (then 1); 2 on a usage error or an
unreadable input.
"""

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone

SEVERITIES = ["info", "low", "medium", "high", "critical"]
CHEATING = ["phone", "proxy", "colluding", "preknowledge"]
INNOCENT = ["honest", "distracted", "flaky_network"]
NETWORK_RULE = re.compile(r"network|(^|[^a-z])ips?([^a-z]|$)|outage",
                          re.IGNORECASE)


def die(msg):
    print("score-flags: " + msg, file=sys.stderr)
    sys.exit(2)


def parse_time(s):
    if not s:
        return None
    try:
        return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=timezone.utc).timestamp()
    except ValueError:
        return None


def read_jsonl(path, what):
    out = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    # A flag stream cut mid-line by a signal: skip the tail.
                    if what == "flags":
                        continue
                    die("%s:%d: not JSON: %s" % (path, n, e))
    except OSError as e:
        die("cannot read %s %s: %s" % (what, path, e.strerror))
    return out


def read_truth(path):
    session, attempts = None, {}
    for o in read_jsonl(path, "truth"):
        if o.get("t") == "session":
            session = o
        elif o.get("t", "attempt") == "attempt" and "attempt" in o:
            attempts[o["attempt"]] = o
    if not attempts:
        die("%s: no attempts in the truth" % path)
    return session or {}, attempts


def types_of(a):
    t = {m.get("type") for m in a.get("misconduct", [])
         if m.get("type") in CHEATING}
    if a.get("cheating") and a.get("profile") in CHEATING:
        t.add(a["profile"])
    return t


def in_outage(a, ts):
    t = parse_time(ts)
    if t is None:
        return False
    for o in a.get("outages", []):
        lo, hi = parse_time(o.get("from")), parse_time(o.get("to"))
        if lo is not None and lo <= t and (hi is None or t <= hi):
            return True
    return False


def ratio(n, d):
    return None if d == 0 else n / d


def pct(x):
    return "   -" if x is None else "%3.0f%%" % (100 * x)


def main():
    ap = argparse.ArgumentParser(
        description="Score headless flags against the simulator's truth.")
    ap.add_argument("truth")
    ap.add_argument("flags")
    ap.add_argument("--min-severity", default="medium", choices=SEVERITIES)
    ap.add_argument("--require-recall", type=float, metavar="R")
    ap.add_argument("--require-precision", type=float, metavar="P")
    args = ap.parse_args()

    session, attempts = read_truth(args.truth)
    flags = [f for f in read_jsonl(args.flags, "flags") if f.get("t") == "flag"]
    floor = SEVERITIES.index(args.min_severity)

    counted, unknown = [], 0
    flagged = set()
    for f in flags:
        if f.get("attempt") not in attempts:
            unknown += 1
            continue
        sev = f.get("severity")
        if sev in SEVERITIES and SEVERITIES.index(sev) >= floor:
            counted.append(f)
            flagged.add(f["attempt"])

    by_type = {}
    for t in CHEATING:
        have = [k for k, a in attempts.items() if t in types_of(a)]
        hit = [k for k in have if k in flagged]
        by_type[t] = {"attempts": len(have), "flagged": len(hit),
                      "recall": ratio(len(hit), len(have))}
    by_innocent = {}
    for p in INNOCENT:
        have = [k for k, a in attempts.items()
                if a.get("profile") == p and not types_of(a)]
        hit = [k for k in have if k in flagged]
        by_innocent[p] = {"attempts": len(have), "flagged": len(hit),
                          "rate": ratio(len(hit), len(have))}

    cheats = {k for k, a in attempts.items() if types_of(a)}
    true_pos = flagged & cheats
    recall = ratio(len(true_pos), len(cheats))
    precision = ratio(len(true_pos), len(flagged))

    fp_rules = Counter(f["rule"] for f in counted if f["attempt"] not in cheats)
    fp_profiles = defaultdict(Counter)
    for f in counted:
        if f["attempt"] not in cheats:
            fp_profiles[f["rule"]][attempts[f["attempt"]].get("profile")] += 1
    tp_rules = Counter(f["rule"] for f in counted if f["attempt"] in cheats)

    network = []
    for f in flags:
        a = attempts.get(f.get("attempt"))
        if a is None or a.get("profile") not in ("honest", "flaky_network"):
            continue
        if NETWORK_RULE.search(f.get("rule", "")):
            network.append({"attempt": f["attempt"], "profile": a["profile"],
                            "rule": f["rule"], "severity": f.get("severity"),
                            "ts": f.get("ts"),
                            "in_outage": in_outage(a, f.get("ts"))})

    # ---- the table
    print("score: %d attempts (seed %s, truth as of %s), %d flags, %d at "
          "severity >= %s%s" % (
              len(attempts), session.get("seed", "?"),
              session.get("as_of", "?"), len(flags), len(counted),
              args.min_severity,
              ", %d on unknown attempts" % unknown if unknown else ""))
    print("%-16s %8s %8s %7s" % ("misconduct", "attempts", "flagged",
                                  "recall"))
    for t in CHEATING:
        r = by_type[t]
        print("%-16s %8d %8d %7s" % (t, r["attempts"], r["flagged"],
                                      pct(r["recall"])))
    print("%-16s %8d %8d %7s" % ("all misconduct", len(cheats),
                                  len(true_pos), pct(recall)))
    print("%-16s %8s %8s %7s" % ("no misconduct", "attempts", "flagged",
                                  "rate"))
    for p in INNOCENT:
        r = by_innocent[p]
        print("%-16s %8d %8d %7s" % (p, r["attempts"], r["flagged"],
                                      pct(r["rate"])))
    print("precision: %s (%d of %d flagged attempts have misconduct)" % (
        pct(precision).strip(), len(true_pos), len(flagged)))
    if fp_rules:
        print("false-positive flags by rule:")
        for rule, n in fp_rules.most_common():
            who = ", ".join("%s %d" % kv for kv in
                            fp_profiles[rule].most_common())
            print("  %-24s %5d  (%s)" % (rule, n, who))
    else:
        print("false-positive flags by rule: none")
    if tp_rules:
        print("flags on misconduct by rule: " + ", ".join(
            "%s %d" % kv for kv in tp_rules.most_common()))
    if network:
        print("network trouble flagged: %d" % len(network))
        for n in network[:20]:
            print("  %s (%s) %s %s at %s%s" % (
                n["attempt"], n["profile"], n["rule"], n["severity"],
                n["ts"], " during an outage" if n["in_outage"] else ""))
        if len(network) > 20:
            print("  ... %d more" % (len(network) - 20))
    else:
        print("network trouble flagged: none")

    ok = True
    if args.require_recall is not None and (recall or 0) < args.require_recall:
        ok = False
        print("score: recall %s is below %.2f" % (pct(recall).strip(),
                                                  args.require_recall))
    if args.require_precision is not None and \
            (precision or 0) < args.require_precision:
        ok = False
        print("score: precision %s is below %.2f" % (
            pct(precision).strip(), args.require_precision))

    print(json.dumps({
        "t": "score", "min_severity": args.min_severity,
        "attempts": len(attempts), "flags": len(flags),
        "flags_counted": len(counted), "unknown_attempt_flags": unknown,
        "types": by_type, "innocent": by_innocent,
        "misconduct_attempts": len(cheats), "flagged_attempts": len(flagged),
        "true_positive_attempts": len(true_pos),
        "recall": recall, "precision": precision,
        "false_positive_rules": dict(fp_rules),
        "network_trouble_flagged": len(network),
        "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
