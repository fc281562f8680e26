#!/bin/bash
# e2e-docs.sh - every documented command works for a newcomer: runs the
# examples of README.md and of the man pages, as written, and checks their
# exit status and, where the page shows output, the output.
#
# Which blocks run, and how, is said by a marker just before the block:
#
#   README.md     <!-- docs: MODE [needs=FIXTURE] -->   before a ``` fence
#   man/*.[157]   .\" docs: MODE [needs=FIXTURE]        before an .EX line
#
# Every fenced block of README.md, and every .EX block of a page's EXAMPLES
# section, must carry a marker (else this test fails: "no docs: marker"), so
# that a new example is either run or says why not.  .EX blocks elsewhere
# in a page run only when marked.  MODE is one of:
#
#   run       shell commands, run in order by bash (a line ending in \ goes
#             on); each must exit 0.  If the block's lines start with "$ ",
#             those are the commands, and the lines up to the next "$ " are
#             the output it must print (stdout and stderr, line by line; a
#             line "..." stands for any lines, "..." inside a line for any
#             text; any number matches any number, and any hash, base64 or
#             hex string of 20 characters or more any other, since counts,
#             times, keys and signatures differ from run to run; but
#             one hash shown twice in a block must be printed the same).  A command whose comment says
#             "# exit N" must exit N instead.
#   serve     long-running commands (a trailing & is dropped): each is
#             started in the background, must still run a second later (a
#             feed: must say "listening on"), and keeps running until the
#             end of the document, then gets SIGTERM and must exit 0.
#   daemon    the same, but each is stopped before the next starts (for
#             examples that use the same port).
#   tty       the console: each command runs in a tmux pane of 120x40 until
#             the header says "live" for every feed it names (review browse:
#             "REVIEW (read-only)"), then gets "q" and must exit 0.
#   rules     the block is a rule file: `invigil rules check` must pass it.
#   scenario  the block is a scenario file: `invigil feed --replay` must load
#             it, and a headless console fed from it must raise flags whose
#             messages hold no "?" (a field the rules expect, missing).
#   skip WHY  not run; WHY is required.
#
# Each document runs in its own directory, blocks in order, so a later
# block may use what an earlier one made (as a reader would).  The
# directory holds ./invigil (the binary under test, also first on PATH),
# examples/ (the shipped ones), and, for needs=:
#
#   needs=feeds    feeds on the ports written 7450 (`feed --simulate 20`) and
#                  7451 (`feed --replay examples/hall-3.jsonl --id hall-3`)
#   needs=hall.db  hall.db written by a headless console (proctor ana) from
#                  examples/hall-3.jsonl, with a confirmed flag, a pause (the
#                  replaying feed refuses it) and a note, and a checkpoint
#                  every 2 journal entries
#   needs=exam.jsonl  a copy of examples/hall-3.jsonl (for invigil-feed(1),
#                  whose example names exam.jsonl)
#
# Commands and shown output are rewritten so that they run here, on
# loopback only: a port 745N becomes a free port picked now; 0.0.0.0
# becomes 127.0.0.1; exam1.example and exam2.example become localhost
# (certificates included); /mnt/worm/ becomes worm/.  Every command runs
# under `timeout`; the whole test takes about 15 s.
#
# Pages whose examples are another branch's to mark are listed in
# UNMARKED below with the mode to use until they carry markers.
. "$(dirname "$0")/lib.sh"

for c in tmux sqlite3 openssl python3; do
	command -v $c >/dev/null || fail "$c is not installed (scripts/install-deps)"
done
export USER=ana DOCS_ROOT=$TESTS/.. DOCS_T=$T INVIGIL
python3 - "$@" <<'PYEOF' || exit 1
import os, re, shlex, signal, socket, subprocess, sys, threading, time

ROOT = os.path.realpath(os.environ["DOCS_ROOT"])
T = os.environ["DOCS_T"]
INVIGIL = os.environ["INVIGIL"]
DOCS = ["README.md", "man/invigil.1", "man/invigil-feed.1",
        "man/invigil-review.1", "man/invigil-rules.5", "man/invigil-reasons.5",
        "man/invigil-config.5",
        "man/invigil-store.5",
        "man/invigil-proto.7"]
# Pages another branch owns, whose EXAMPLES carry no marker yet.
UNMARKED = {}
serial = [0]
TIMEOUT = 30
failures = []
started = []            # (Popen, what) of serve blocks, stopped at the end


def fail(where, msg):
    failures.append("%s: %s" % (where, msg))
    print("FAIL %s: %s" % (where, msg), file=sys.stderr)


# --- extraction ---------------------------------------------------------

def roff_text(line):
    """What a reader sees of one line of an .EX block."""
    for a, b in ((r"\-", "-"), (r"\(dq", '"'), (r"\(em", "\u2014"),
                 (r"\(mu", "\u00d7"), (r"\&", ""), (r"\e", "\\")):
        line = line.replace(a, b)
    return line


def blocks_of(doc):
    """[(line number, marker or None, [lines], required)] of one document."""
    path = os.path.join(ROOT, doc)
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    if doc.endswith(".md"):
        i = 0
        while i < len(lines):
            if lines[i].startswith("```"):
                m = None
                if i > 0:
                    mm = re.match(r"<!-- docs: (.*?) -->$", lines[i - 1])
                    m = mm.group(1) if mm else None
                j = i + 1
                while j < len(lines) and not lines[j].startswith("```"):
                    j += 1
                out.append((i + 1, m, lines[i + 1:j], True))
                i = j + 1
            else:
                i += 1
        return out
    section = ""
    i = 0
    while i < len(lines):
        if lines[i].startswith(".SH "):
            section = lines[i][4:].strip().strip('"')
        if lines[i] == ".EX":
            mm = re.match(r'\.\\" docs: (.*)$', lines[i - 1]) if i else None
            m = mm.group(1) if mm else None
            if m is None and section == "EXAMPLES":
                m = UNMARKED.get(doc)
            j = i + 1
            while j < len(lines) and lines[j] != ".EE":
                j += 1
            body = [roff_text(l) for l in lines[i + 1:j] if not l.startswith(".")]
            out.append((i + 1, m, body, section == "EXAMPLES"))
            i = j
        i += 1
    return out


def incomplete(cmd):
    """Does a command go on on the next line: a trailing backslash, pipe or
    &&, or a quote still open (an SQL query over two lines)?"""
    if re.search(r"(\\|\||&&)\s*$", cmd):
        return True
    try:
        shlex.split(cmd, comments=True)
    except ValueError:
        return True
    return False


def join(cmd, line):
    return cmd[:-1] + " " + line if cmd.endswith("\\") else cmd + "\n" + line


def logical(lines):
    """The commands of a block, each joined over the lines it takes."""
    out, cur = [], None
    for l in lines:
        cur = l if cur is None else join(cur, l)
        if not incomplete(cur):
            out.append(cur)
            cur = None
    if cur is not None:
        out.append(cur)
    return [l for l in out if l.strip()]


# --- rewriting for this machine --------------------------------------------

class Doc:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(T, re.sub(r"[^A-Za-z0-9.]", "_", name))
        os.makedirs(os.path.join(self.dir, "bin"))
        os.makedirs(os.path.join(self.dir, "worm"))
        os.symlink(INVIGIL, os.path.join(self.dir, "invigil"))
        os.symlink(INVIGIL, os.path.join(self.dir, "bin", "invigil"))
        os.symlink(os.path.join(ROOT, "examples"), os.path.join(self.dir, "examples"))
        self.ports = {}
        self.env = dict(os.environ)
        self.env["PATH"] = os.path.join(self.dir, "bin") + ":" + self.env["PATH"]
        self.env["XDG_CONFIG_HOME"] = os.path.join(self.dir, "config")
        self.fixtures = set()

    def port(self, written):
        if written not in self.ports:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            self.ports[written] = str(s.getsockname()[1])
            s.close()
        return self.ports[written]

    def subst(self, text):
        text = text.replace("0.0.0.0:", "127.0.0.1:")
        text = re.sub(r"\bexam[12]\.example\b", "localhost", text)
        text = text.replace("/mnt/worm/", "worm/")
        return re.sub(r"\b745\d\b", lambda m: self.port(m.group(0)), text)


def sh(doc, cmd, timeout=TIMEOUT):
    try:
        p = subprocess.run(["timeout", str(timeout), "bash", "-c", cmd],
                           cwd=doc.dir, env=doc.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout + 5)
    except subprocess.TimeoutExpired:
        return 124, "(timed out)"
    return p.returncode, p.stdout.decode("utf-8", "replace")


def start(doc, cmd, log):
    return subprocess.Popen(["bash", "-c", "exec " + cmd], cwd=doc.dir,
                            env=doc.env, stdout=open(log, "ab"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def wait_until(pred, secs):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def start_feed(doc, where, args, log):
    p = start(doc, "./invigil feed " + args, log)
    if not wait_until(lambda: "listening on" in open(log, errors="replace").read()
                      or p.poll() is not None, 10) or p.poll() is not None:
        fail(where, "feed did not start: %s" % open(log, errors="replace").read()[-400:])
        return None
    return p


def stop(where, p, what):
    if p.poll() is not None:
        fail(where, "%s: ended early (exit %d)" % (what, p.returncode))
        return
    os.killpg(p.pid, signal.SIGTERM)
    try:
        rc = p.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        rc = "none in 10 s"
    if rc != 0:
        fail(where, "%s: exit %s on SIGTERM, want 0" % (what, rc))


# --- fixtures -------------------------------------------------------------

def need(doc, where, what):
    if what in doc.fixtures:
        return
    doc.fixtures.add(what)
    log = os.path.join(doc.dir, "fixture-%s.log" % what)
    if what == "feeds":
        for written, args in (("7450", "--simulate 20 --rate 10"),
                              ("7451", "--replay examples/hall-3.jsonl --id hall-3")):
            p = start_feed(doc, where, "--listen 127.0.0.1:%s %s" % (doc.port(written), args), log)
            if p:
                started.append((p, "fixture feed " + written, where))
    elif what == "hall.db":
        for f in ("hall.db", "hall.db-wal", "hall.db-shm"):
            if os.path.exists(os.path.join(doc.dir, f)):
                os.unlink(os.path.join(doc.dir, f))
        feed = start_feed(doc, where, "--listen 127.0.0.1:0 --replay examples/hall-3.jsonl --id hall-3", log)
        if not feed:
            return
        port = re.search(r"listening on 127\.0\.0\.1:(\d+)", open(log).read()).group(1)
        con = subprocess.Popen(["./invigil", "--headless", "--feed", "ws://127.0.0.1:%s/" % port,
                                "--db", "hall.db", "--proctor", "ana",
                               "--checkpoint-every", "2"], cwd=doc.dir, env=doc.env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=open(log, "ab"), start_new_session=True)
        # A console that hangs is killed: readline() below then sees EOF.
        watchdog = threading.Timer(TIMEOUT, lambda: os.killpg(con.pid, signal.SIGKILL))
        watchdog.start()
        out = []
        def line():
            l = con.stdout.readline().decode()
            out.append(l)
            return l
        while '"faces_multiple"' not in line() and out[-1]:
            pass
        con.stdin.write(b'{"id":"r1","op":"decide","flag":1,"action":"confirm","reason":"phone in hand"}\n'
                        b'{"id":"r2","op":"command","attempt":"A0001","action":"pause","reason":"second face"}\n'
                        b'{"id":"r3","op":"note","attempt":"A0002","reason":"called the candidate"}\n')
        con.stdin.flush()
        acks = 0
        while acks < 3 and line():
            acks += '"t":"ack"' in out[-1]
        # The feed's answer to the pause, journaled: its done line, not a
        # sleep (the watchdog bounds the wait).
        done = False
        while acks == 3 and not done and line():
            done = '"t":"done","id":"r2",' in out[-1]
        acks += done
        watchdog.cancel()
        if con.poll() is None:
            os.killpg(con.pid, signal.SIGTERM)
        rc = con.wait(10)
        stop(where, feed, "fixture feed")
        if acks < 4 or rc != 0:
            fail(where, "fixture hall.db: %d acks and done lines (want 3 and the pause's), exit %d: %s" % (acks, rc, "".join(out)[-400:]))
    elif what == "exam.jsonl":
        open(os.path.join(doc.dir, what), "w").write(
            open(os.path.join(ROOT, "examples", "hall-3.jsonl")).read())
    else:
        fail(where, "unknown fixture needs=%s" % what)


# --- modes ----------------------------------------------------------------

LONG = r"[A-Za-z0-9+/]{20,}=*"


def match(expected, actual):
    """Shown output against printed output (see the header)."""
    norm = lambda s: re.sub(r"\d+", "0", re.sub(LONG, "H", s.rstrip()))
    def pat(e):
        return re.compile("^" + ".*".join(re.escape(norm(x)) for x in e.split("...")) + "$")
    def m(i, j):
        if i == len(expected):
            return j == len(actual)
        if expected[i].strip() == "...":
            return any(m(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and pat(expected[i]).match(norm(actual[j])) is not None and m(i + 1, j + 1)
    return m(0, 0)


def want_status(cmd):
    m = re.search(r"#.*\bexits? (\d+)", cmd)
    return int(m.group(1)) if m else 0


def mode_run(doc, where, lines):
    if any(l.startswith("$ ") for l in lines):
        steps, cur = [], None
        for l in lines:
            if cur and incomplete(cur[0]):
                cur[0] = join(cur[0], l)
            elif l.startswith("$ "):
                cur = [l[2:], []]
                steps.append(cur)
            elif cur:
                cur[1].append(doc.subst(l))
    else:
        steps = [[l, None] for l in logical(lines)]
    same = {}           # hash shown -> hash printed, within the block
    for cmd, shown in steps:
        rc, out = sh(doc, doc.subst(cmd))
        want = want_status(cmd)
        if rc != want:
            fail(where, "`%s`: exit %d, want %d:\n%s" % (cmd, rc, want, out[-800:]))
        elif shown and not match(shown, out.rstrip("\n").split("\n")):
            fail(where, "`%s` printed:\n%s\nbut the page shows:\n%s" % (cmd, out, "\n".join(shown)))
        elif shown and "..." not in "".join(shown):
            # A hash the page shows twice must be printed the same twice.
            for a, b in zip(re.findall(LONG, "\n".join(shown)), re.findall(LONG, out)):
                if same.setdefault(a, b) != b:
                    fail(where, "`%s` printed %s where the page shows the same %s as above" % (cmd, b, a))


def mode_serve(doc, where, lines, each):
    for cmd in logical(lines):
        cmd = doc.subst(re.sub(r"\s*&\s*$", "", cmd))
        serial[0] += 1
        log = os.path.join(doc.dir, "serve.%d.log" % serial[0])
        p = start(doc, cmd, log)
        feedlike = re.match(r"\S*invigil feed\b", cmd)
        ok = wait_until(lambda: p.poll() is not None or (feedlike and "listening on" in
                        open(log, errors="replace").read()), 10 if feedlike else 1.5)
        if p.poll() is not None or (feedlike and not ok):
            fail(where, "`%s` did not keep running (exit %s): %s" %
                 (cmd, p.poll(), open(log, errors="replace").read()[-600:]))
            continue
        if each:
            stop(where, p, cmd)
        else:
            started.append((p, cmd, where))


def mode_tty(doc, where, lines):
    sock = os.path.join(T, "tmux.sock")
    for cmd in logical(lines):
        cmd = doc.subst(cmd)
        status = os.path.join(doc.dir, "tty.status")
        if os.path.exists(status):
            os.unlink(status)
        feeds = max(1, len(re.findall(r"--feed\b", cmd)))
        env = " ".join("%s=%s" % (k, shlex.quote(doc.env[k])) for k in ("PATH", "XDG_CONFIG_HOME", "USER"))
        script = "cd %s && env %s %s; echo $? > %s" % (shlex.quote(doc.dir), env, cmd, status)
        subprocess.run(["tmux", "-S", sock, "new-session", "-d", "-x", "120", "-y", "40",
                        "bash -c " + shlex.quote(script)], check=True)
        screen = [""]
        def live():
            r = subprocess.run(["tmux", "-S", sock, "capture-pane", "-p"], stdout=subprocess.PIPE)
            screen[0] = r.stdout.decode("utf-8", "replace")
            if "review browse" in cmd:	# no feed: its header
                return re.search(r"^ invigil  REVIEW \(read-only\) ", screen[0], re.M)
            return len(re.findall(r"^ feed .* live ", screen[0], re.M)) >= feeds
        if not wait_until(live, 20):
            fail(where, "`%s`: the header never said live for %d feed(s) (review browse: REVIEW (read-only)):\n%s" % (cmd, feeds, screen[0]))
        subprocess.run(["tmux", "-S", sock, "send-keys", "q"])
        if not wait_until(lambda: os.path.exists(status) and open(status).read().strip(), 10):
            fail(where, "`%s`: did not quit on q" % cmd)
            subprocess.run(["tmux", "-S", sock, "kill-server"], stderr=subprocess.DEVNULL)
            continue
        rc = open(status).read().strip()
        if rc != "0":
            fail(where, "`%s`: exit %s after q, want 0" % (cmd, rc))


def mode_rules(doc, where, lines):
    path = os.path.join(doc.dir, "block-%s.rules" % where.split(":")[-1])
    open(path, "w").write("\n".join(lines) + "\n")
    rc, out = sh(doc, "./invigil rules check " + shlex.quote(path))
    if rc != 0 or not out.rstrip().endswith("rules, OK"):
        fail(where, "rules check: exit %d: %s" % (rc, out))


def mode_scenario(doc, where, lines):
    name = "block-%s.jsonl" % where.split(":")[-1]
    path = os.path.join(doc.dir, name)
    open(path, "w").write("\n".join(logical_json(lines)) + "\n")
    log = os.path.join(doc.dir, name + ".log")
    feed = start_feed(doc, where, "--listen 127.0.0.1:0 --replay " + name, log)
    if not feed:
        return
    port = re.search(r"listening on 127\.0\.0\.1:(\d+)", open(log).read()).group(1)
    rc, out = sh(doc, "timeout -s TERM 3 ./invigil --headless --feed ws://127.0.0.1:%s/ "
                 "--db %s.db </dev/null 2>/dev/null; true" % (port, name), 10)
    stop(where, feed, "feed --replay of the block")
    flags = [l for l in out.split("\n") if '"t":"flag"' in l]
    if not flags:
        fail(where, "the scenario raised no flag")
    for l in flags:
        if re.search(r'"message":"[^"]*\?', l):
            fail(where, "a flag's message lacks a field the rules use: %s" % l)


def logical_json(lines):
    """A scenario block may wrap one JSON object over lines."""
    out, cur = [], ""
    for l in lines:
        cur += (" " if cur else "") + l.strip()
        if cur.count("{") == cur.count("}"):
            out.append(cur)
            cur = ""
    return out


# --- main -----------------------------------------------------------------

counts = {}
for name in DOCS:
    doc = Doc(name)
    for lineno, marker, body, required in blocks_of(name):
        where = "%s:%d" % (name, lineno)
        if marker is None:
            if required:
                fail(where, "no docs: marker (see tests/e2e-docs.sh)")
            continue
        words = marker.split()
        mode, opts = words[0], words[1:]
        counts[mode] = counts.get(mode, 0) + 1
        if mode == "skip":
            if not opts:
                fail(where, "skip without a reason")
            continue
        for o in opts:
            if o.startswith("needs="):
                need(doc, where, o[6:])
        if mode == "run":
            mode_run(doc, where, body)
        elif mode in ("serve", "daemon"):
            mode_serve(doc, where, body, mode == "daemon")
        elif mode == "tty":
            mode_tty(doc, where, body)
        elif mode == "rules":
            mode_rules(doc, where, body)
        elif mode == "scenario":
            mode_scenario(doc, where, body)
        else:
            fail(where, "unknown mode %r" % mode)
    while started:
        p, what, where = started.pop()
        stop(where, p, what)
subprocess.run(["tmux", "-S", os.path.join(T, "tmux.sock"), "kill-server"],
               stderr=subprocess.DEVNULL)
summary = ", ".join("%d %s" % (n, m) for m, n in sorted(counts.items()))
if failures:
    print("FAIL: %d of the documented examples (%s) do not work as shown" %
          (len(failures), summary))
    sys.exit(1)
print("PASS: every documented example works as shown (%s)" % summary)
PYEOF
