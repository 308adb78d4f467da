#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""closures.py SRCDIR BINDIR POLICY_RUN LIBDIR: libffi's closure tests
(SRCDIR/*.c, built into BINDIR/<opt>/<test>) with libtrampfd-ffi preloaded
under each policy (none, mdwe, mdwe-shared-exec), then stock libffi.

Each run is judged as DejaGnu's dg-output does: exit status 0, and the
test's dg-output strings (Tcl strings, so \\n is a newline, concatenated
into one Tcl regular expression that may match anywhere, '.' matching
newlines too) must match its stdout. One line per provider run:
  PASS|FAIL ffi-<policy>-<opt>/<test>[: reason]
and one line per stock policy saying what stock libffi did: every test
must pass with no policy (the judge is sound) and under mdwe (libffi's
memfd double mapping), and most must fail under mdwe-shared-exec (the
policy takes libffi's last way away, so the provider's passes there are
its own); stock runs libffi's tests as they are (no @variants). Appends to $TRAMPFD_RESULTS.
Env: TFFI_EMU (a user-mode emulator that runs each test, e.g. qemu-aarch64),
TFFI_POLICIES (the policies, default all three; stock runs only under
those of them), TRAMPFD_PREFIX (put in front of every cell)."""
import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

POLICIES = ("none", "mdwe", "mdwe-shared-exec")
# Tests that assume what the provider does not give: a SKIP line with the
# reason when they fail the way the reason says, a FAIL otherwise.
KNOWN = {
    "closure_loc_fn0": (("abort", "SIGSEGV"), "known limit: it compares the bytes at the code "
                        "address with the writable closure (man/libtrampfd-ffi.7); "
                        "closure_loc_fn0@nocmp runs it without that check"),
}
DG = re.compile(r'dg-output\s+"((?:[^"\\]|\\.)*)"')


def tcl_unescape(s):
    """A Tcl double-quoted word's backslash substitution (what occurs here)."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(n, n if n != "\\" else "\\"))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expected(src):
    with open(src, errors="replace") as f:
        pats = [tcl_unescape(m.group(1)) for m in DG.finditer(f.read())]
    # Tcl ARE and Python agree on what these patterns use: literals, '.',
    # and backslash-escaped punctuation ("\-").
    return re.compile("".join(pats), re.S)


def run(cmd, env, timeout):
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, b"", b""
    return p.returncode, p.stdout, p.stderr


def judge(rc, out, pat):
    if rc is None:
        return "timed out"
    if rc < 0:
        return "SIGSEGV" if -rc == signal.SIGSEGV else ("abort" if -rc == signal.SIGABRT
                                                       else "signal %d" % -rc)
    if rc == 77:
        return "skip"
    if rc != 0:
        return "exit %d" % rc
    if not pat.search(out.decode(errors="replace")):
        return "output does not match its dg-output"
    return None


def main():
    src, bindir, prun, libdir = sys.argv[1:5]
    timeout = int(os.environ.get("TRAMPFD_TIMEOUT", "20"))
    res = os.environ.get("TRAMPFD_RESULTS")
    opts = sorted(d for d in os.listdir(bindir) if os.path.isdir(os.path.join(bindir, d)))
    tests = []
    for opt in opts:
        for name in sorted(os.listdir(os.path.join(bindir, opt))):
            base = name.split("@")[0]      # closure_simple@gnuw64: same source
            tests.append((opt, name, expected(os.path.join(src, base + ".c"))))
    lib = os.path.join(libdir, "libtrampfd-ffi.so.0")
    prov = dict(os.environ, LD_PRELOAD=lib, LD_LIBRARY_PATH=libdir)
    emu = [os.environ["TFFI_EMU"]] if os.environ.get("TFFI_EMU") else []
    pols = os.environ.get("TFFI_POLICIES", " ".join(POLICIES)).split()
    pre = os.environ.get("TRAMPFD_PREFIX", "")
    stock = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    jobs = []
    for pol in pols:
        for opt, name, pat in tests:
            jobs.append(("prov", pol, opt, name, pat))
    for pol in pols:
        for opt, name, pat in tests:
            if "@" not in name:
                jobs.append(("stock", pol, opt, name, pat))

    def one(j):
        kind, pol, opt, name, pat = j
        rc, out, err = run([prun, pol] + emu + [os.path.join(bindir, opt, name)],
                           prov if kind == "prov" else stock, timeout)
        why = judge(rc, out, pat)
        if why and rc not in (None, 0) and rc > 0 and err.strip():
            why += ": " + err.decode(errors="replace").strip().splitlines()[-1][:200]
        return j, why

    with ThreadPoolExecutor(max_workers=int(os.environ.get("TRAMPFD_JOBS", "2"))) as ex:
        results = list(ex.map(one, jobs))
    lines, stock_why = [], {}
    for (kind, pol, opt, name, _), why in results:
        if kind == "prov":
            cell = "%sffi-%s-%s/%s" % (pre, pol, opt, name)
            known = KNOWN.get(name)
            if why == "skip":
                lines.append("SKIP %s: policy-run could not apply %s" % (cell, pol))
            elif known and why in known[0]:
                lines.append("SKIP %s: %s (%s)" % (cell, known[1], why))
            else:
                lines.append("PASS " + cell if not why else "FAIL %s: %s" % (cell, why))
        else:
            stock_why.setdefault((pol, opt), []).append(why)
    for (pol, opt), whys in sorted(stock_why.items()):
        counts = {}
        for w in whys:
            k = "pass" if not w else w.split(":")[0]
            counts[k] = counts.get(k, 0) + 1
        said = ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items(), key=lambda x: -x[1]))
        cell = "%sffi-stock-%s-%s/libffi.closures" % (pre, pol, opt)
        if "skip" in counts:
            lines.append("SKIP %s: policy-run could not apply %s" % (cell, pol))
        elif pol in ("none", "mdwe"):
            ok = counts.get("pass", 0) == len(whys)
            lines.append(("PASS %s: stock libffi: %s" if ok else
                          "FAIL %s: the judge fails stock libffi: %s") % (cell, said))
        else:
            ok = counts.get("pass", 0) < len(whys) // 2
            lines.append("PASS %s: stock libffi fails as expected: %s" % (cell, said) if ok else
                         "FAIL %s: stock libffi does not fail under %s, the policy is not in "
                         "force: %s" % (cell, pol, said))
    with open(res, "a") if res else open(os.devnull, "w") as f:
        for line in lines:
            print(line)
            f.write(line + "\n")


if __name__ == "__main__":
    main()
