#!/usr/bin/env python3
"""score-forensics.py - score `invigil review forensics` against the truth.

usage: score-forensics.py TRUTH REPORT.csv [--feed ID]
                          [--require KEY=VALUE ...]

TRUTH is the file `invigil feed --simulate N --truth PATH` keeps (see
invigil-feed(1), GROUND TRUTH); REPORT.csv is what `invigil review
forensics --format csv` prints (one row per attempt, with the columns
attempt, feed, flagged and combined_p at least).  --feed keeps only the
rows of that feed (the simulator's attempt ids repeat across feeds).

The profiles fall into three classes, by what the answers can show:

  target     preknowledge, colluding (both partners: the pair is what the
             similarity index sees), and any profile the truth marks with
             answer misconduct the forensics are meant to find;
  aberrant   rapid_guesser: aberrant answering that is not cheating
             (low effort); reported, counted in neither precision nor the
             false-positive rate;
  innocent   honest, distracted, flaky_network: the false-positive rate;
  unseen     phone, proxy: misconduct without a signature in one session's
             answers (a proxy needs the candidate's history); reported only.

Printed: per profile attempts, flagged and the share; the false-positive
rate (flagged innocents / innocents); recall per target profile; precision
= flagged targets / (flagged targets + flagged innocents); and, ranking
every attempt by combined_p (ties and NAN last), the recall of targets at
the combined_p thresholds where 1 % and 5 % of the innocents fall below
(the issue's "caught at 1 % and 5 % false positives").  Last, one JSON line
{"t":"score",...} for scripts.

Exit 0 whatever the scores, unless a --require is not met (1): KEY is
fpr_max, precision_min, recall_min:PROFILE, recall_at_1:PROFILE or
recall_at_5:PROFILE.  2 on a usage error or an unreadable input.
"""
import csv
import json
import math
import sys

TARGET = {"preknowledge", "colluding"}
ABERRANT = {"rapid_guesser"}
INNOCENT = {"honest", "distracted", "flaky_network"}


def die(msg, code=2):
    sys.stderr.write("score-forensics.py: %s\n" % msg)
    sys.exit(code)


def read_truth(path):
    profiles = {}
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    o = json.loads(line)
                except ValueError as e:
                    die("%s:%d: not JSON (%s)" % (path, n, e))
                if o.get("t") == "attempt":
                    profiles[o["attempt"]] = o.get("profile", "?")
    except OSError as e:
        die("cannot read %s: %s" % (path, e))
    if not profiles:
        die("%s has no attempt lines" % path)
    return profiles


def read_report(path, feed):
    rows = {}
    try:
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                if feed is not None and r.get("feed") != feed:
                    continue
                for k in ("attempt", "flagged", "combined_p"):
                    if k not in r:
                        die("%s has no column %s" % (path, k))
                rows[r["attempt"]] = r
    except OSError as e:
        die("cannot read %s: %s" % (path, e))
    return rows


def as_p(s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        return math.inf
    return v if not math.isnan(v) else math.inf


def klass(profile):
    if profile in TARGET:
        return "target"
    if profile in ABERRANT:
        return "aberrant"
    if profile in INNOCENT:
        return "innocent"
    return "unseen"


def quantile_threshold(ps, share):
    """The largest p such that at most share of ps lie at or below it."""
    ps = sorted(ps)
    k = int(math.floor(share * len(ps)))
    if k == 0:
        return -1.0        # nothing may be flagged
    return ps[k - 1]


def main(argv):
    args, feed, req = [], None, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--feed" and i + 1 < len(argv):
            feed = argv[i + 1]
            i += 2
        elif a == "--require" and i + 1 < len(argv):
            req.append(argv[i + 1])
            i += 2
        elif a.startswith("--"):
            die("unknown option %s" % a)
        else:
            args.append(a)
            i += 1
    if len(args) != 2:
        die(__doc__.splitlines()[2].strip())
    truth = read_truth(args[0])
    rows = read_report(args[1], feed)

    missing = [a for a in truth if a not in rows]
    per = {}
    for a, prof in truth.items():
        r = rows.get(a)
        d = per.setdefault(prof, {"n": 0, "flagged": 0, "p": []})
        d["n"] += 1
        if r is None:
            d["p"].append(math.inf)
            continue
        d["flagged"] += r["flagged"] in ("1", "true", "yes")
        d["p"].append(as_p(r["combined_p"]))

    print("%-16s %-9s %6s %8s %6s" % ("profile", "class", "n", "flagged",
                                      "share"))
    for prof in sorted(per):
        d = per[prof]
        print("%-16s %-9s %6d %8d %6.3f" % (prof, klass(prof), d["n"],
              d["flagged"], d["flagged"] / d["n"]))

    inn = [p for prof, d in per.items() if klass(prof) == "innocent"
           for p in d["p"]]
    n_inn = sum(d["n"] for prof, d in per.items() if klass(prof) == "innocent")
    f_inn = sum(d["flagged"] for prof, d in per.items()
                if klass(prof) == "innocent")
    f_tgt = sum(d["flagged"] for prof, d in per.items()
                if klass(prof) == "target")
    fpr = f_inn / n_inn if n_inn else float("nan")
    precision = f_tgt / (f_tgt + f_inn) if f_tgt + f_inn else float("nan")
    t1 = quantile_threshold(inn, 0.01) if inn else -1.0
    t5 = quantile_threshold(inn, 0.05) if inn else -1.0
    score = {"t": "score", "attempts": len(truth), "missing": len(missing),
             "innocent": n_inn, "fpr": fpr, "precision": precision,
             "recall": {}, "recall_at_1": {}, "recall_at_5": {}}
    print("false-positive rate (flagged innocents): %d / %d = %.4f"
          % (f_inn, n_inn, fpr))
    print("precision (targets among flagged targets and innocents): %.3f"
          % precision)
    for prof in sorted(per):
        if klass(prof) not in ("target", "aberrant"):
            continue
        d = per[prof]
        r = d["flagged"] / d["n"]
        r1 = sum(p <= t1 for p in d["p"]) / d["n"]
        r5 = sum(p <= t5 for p in d["p"]) / d["n"]
        score["recall"][prof] = r
        score["recall_at_1"][prof] = r1
        score["recall_at_5"][prof] = r5
        print("%s: recall %.3f (flagged); ranked by combined_p: %.3f at 1 %% "
              "and %.3f at 5 %% of innocents" % (prof, r, r1, r5))
    if missing:
        print("attempts in the truth without a row: %d (e.g. %s)"
              % (len(missing), missing[0]))
    print(json.dumps(score))

    bad = []
    for q in req:
        key, _, val = q.partition("=")
        try:
            v = float(val)
        except ValueError:
            die("--require %s: not KEY=NUMBER" % q)
        name, _, prof = key.partition(":")
        if name == "fpr_max":
            ok = not math.isnan(fpr) and fpr <= v
            got = fpr
        elif name == "precision_min":
            ok = not math.isnan(precision) and precision >= v
            got = precision
        elif name in ("recall_min", "recall_at_1", "recall_at_5"):
            table = {"recall_min": "recall"}.get(name, name)
            if prof not in score[table]:
                die("--require %s: no profile %s in the truth" % (q, prof))
            got = score[table][prof]
            ok = got >= v
        else:
            die("--require %s: unknown key %s" % (q, name))
        if not ok:
            bad.append("%s (got %.3f)" % (q, got))
    if bad:
        print("below the bar: " + ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
