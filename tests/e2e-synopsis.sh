#!/bin/bash
# e2e-synopsis.sh - the man pages' SYNOPSIS is the command table's: the
# lines `invigil help --synopsis` prints (PAGE: LINE, generated from
# console/commands.c's table, options included) must be, page by page and
# in order, the lines the SYNOPSIS of man/PAGE shows a reader (roff
# rendered to plain text, one line per .br).  An option, a command or a
# usage line added to or removed from either side fails here.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || fail "python3 is not installed (scripts/install-deps)"
"$INVIGIL" help --synopsis >"$T/table" || fail "invigil help --synopsis: exit $?"
python3 - "$T/table" "$TESTS/../man" <<'PYEOF' || exit 1
import os, re, sys

table, mandir = sys.argv[1], sys.argv[2]
want = {}
for line in open(table, encoding="utf-8"):
    page, _, text = line.rstrip("\n").partition(": ")
    want.setdefault(page, []).append(text)


def roff(s):
    """A roff line's text: escapes and font changes as a reader sees them."""
    for a, b in ((r"\-", "-"), (r"\(dq", '"'), (r"\&", ""), (r"\fI", ""),
                 (r"\fB", ""), (r"\fR", ""), (r"\fP", ""), (r"\e", "\\")):
        s = s.replace(a, b)
    return s


def synopsis(path):
    """The SYNOPSIS of a man page, one string per output line."""
    out, cur, inside = [], [], False
    for l in open(path, encoding="utf-8"):
        l = l.rstrip("\n")
        if l.startswith(".SH "):
            inside = l[4:].strip().strip('"') == "SYNOPSIS"
            continue
        if not inside or l.startswith('.\\"'):
            continue
        if l == ".br":
            out.append(" ".join(cur))
            cur = []
            continue
        m = re.match(r"\.([A-Z]{1,2})(?:\s+(.*))?$", l)
        if m:
            args = [a[1:-1] if a.startswith('"') else a
                    for a in re.findall(r'"[^"]*"|\S+', m.group(2) or "")]
            # .B/.I join their words with spaces; .BR, .RB, .IR, ... run
            # theirs together, alternating fonts.
            cur.append(roff(" ".join(args) if len(m.group(1)) == 1 else "".join(args)))
        else:
            cur.append(roff(l))
    if cur:
        out.append(" ".join(cur))
    return [re.sub(r"\s+", " ", l).strip() for l in out if l.strip()]


bad = 0
for page in sorted(want):
    path = os.path.join(mandir, page)
    have = synopsis(path) if os.path.exists(path) else ["(no such page)"]
    if have != want[page]:
        bad += 1
        print("FAIL: the SYNOPSIS of man/%s is not the command table's" % page, file=sys.stderr)
        for i in range(max(len(have), len(want[page]))):
            h = have[i] if i < len(have) else "(none)"
            w = want[page][i] if i < len(want[page]) else "(none)"
            if h != w:
                print("  line %d: the page shows:\n    %s\n  the table says:\n    %s" % (i + 1, h, w), file=sys.stderr)
if bad:
    sys.exit(1)
print("PASS: the SYNOPSIS of %s is the command table's (%d lines)" %
      (", ".join("man/" + p for p in sorted(want)), sum(len(v) for v in want.values())))
PYEOF
