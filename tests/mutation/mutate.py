#!/usr/bin/env python3
"""The exact-text work of tests/mutation/run.sh: the mutant list, applying a mutant,
copying the working tree, and reading which tests failed. run.sh is the entry point.

  mutate.py names [NAME...]             the selected mutants (all when none), one a line
  mutate.py list [NAME...]              what each one plants and which tests must catch it
  mutate.py get NAME (file|binaries)    one field (binaries: space-separated)
  mutate.py filter NAME BINARY          the gtest filter for that binary
  mutate.py check ROOT NAME...          every find text occurs exactly once under ROOT
  mutate.py apply ROOT NAME             plant the mutant in ROOT (a copy, never the repository)
  mutate.py sync SRC DST LIST           copy the files of LIST (NUL-separated) from SRC to DST,
                                        rewriting only those whose bytes differ
  mutate.py failures BIN XML LOG RC BASELINE   the tests that failed in one run, one a line
"""
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mutants import MUTANTS  # noqa: E402

FIELDS = ("name", "file", "find", "replace", "tests", "description")


def die(message, code=2):
    print(f"mutation: {message}", file=sys.stderr)
    sys.exit(code)


def validated():
    by_name = {}
    for i, m in enumerate(MUTANTS):
        missing = [f for f in FIELDS if not m.get(f)]
        if missing:
            die(f"mutants.py entry {i} ({m.get('name', '?')}) lacks {', '.join(missing)}")
        extra = sorted(set(m) - set(FIELDS))
        if extra:
            die(f"mutant {m['name']}: unknown field(s) {', '.join(extra)}")
        if m["name"] in by_name:
            die(f"mutant {m['name']} is defined twice")
        if m["find"] == m["replace"]:
            die(f"mutant {m['name']}: replace is the same as find")
        if not re.fullmatch(r"[A-Za-z0-9_]+", m["name"]):
            die(f"mutant {m['name']!r}: names are letters, digits and _")
        for binary in m["tests"]:
            if not re.fullmatch(r"test_[a-z0-9_]+", binary):
                die(f"mutant {m['name']}: {binary!r} is not a test binary (test_backend, test_unit, ...)")
        by_name[m["name"]] = m
    return by_name


def select(names):
    by_name = validated()
    unknown = [n for n in names if n not in by_name]
    if unknown:
        die(f"no mutant named {', '.join(unknown)} (bash tests/mutation/run.sh --list)")
    return [by_name[n] for n in names] if names else list(by_name.values())


def occurrences(root, m):
    path = os.path.join(root, m["file"])
    if not os.path.isfile(path):
        return path, None, -1
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return path, text, text.count(m["find"])


def check(root, names):
    bad = []
    for m in select(names):
        _, _, count = occurrences(root, m)
        if count != 1:
            first = m["find"].strip().splitlines()[0]
            if count < 0:
                bad.append(f"  {m['name']}: {m['file']} does not exist")
            else:
                bad.append(f"  {m['name']}: in {m['file']}, the text to find occurs {count} times, "
                           f"not exactly once: {first!r}")
    if bad:
        die("mutants no longer match the code; update tests/mutation/mutants.py:\n" + "\n".join(bad))


def apply(root, name):
    (m,) = select([name])
    path, text, count = occurrences(root, m)
    if count != 1:
        check(root, [name])
    with open(path, "w", encoding="utf-8") as f:  # a fresh mtime: make rebuilds the dependents
        f.write(text.replace(m["find"], m["replace"], 1))


def sync(src, dst, list_file):
    with open(list_file, "rb") as f:
        files = sorted({p.decode() for p in f.read().split(b"\0") if p})
    manifest = os.path.join(dst, ".mutation-manifest")
    previous = set()
    if os.path.exists(manifest):
        with open(manifest, encoding="utf-8") as f:
            previous = set(f.read().splitlines())
    kept = []
    for rel in files:
        s, d = os.path.join(src, rel), os.path.join(dst, rel)
        if os.path.islink(s) or not os.path.isfile(s):
            continue  # deleted in the working tree, a submodule, or a link: not part of the build
        with open(s, "rb") as f:
            data = f.read()
        kept.append(rel)
        if os.path.isfile(d) and not os.path.islink(d):
            with open(d, "rb") as f:
                if f.read() == data:
                    continue  # untouched: keeps its mtime, so the build stays incremental
        os.makedirs(os.path.dirname(d) or ".", exist_ok=True)
        if os.path.lexists(d):
            os.remove(d)
        with open(d, "wb") as f:
            f.write(data)
        shutil.copymode(s, d)
    for rel in previous - set(kept):  # gone from the working tree since the last run
        d = os.path.join(dst, rel)
        if os.path.isfile(d):
            os.remove(d)
    with open(manifest, "w", encoding="utf-8") as f:
        f.write("".join(r + "\n" for r in kept))
    print(len(kept))


def failures(binary, xml_path, log_path, rc, baseline_path):
    rc = int(rc)
    baseline = set()
    if os.path.exists(baseline_path):
        with open(baseline_path, encoding="utf-8") as f:
            baseline = set(f.read().splitlines())
    failed = []
    xml_ok = False
    if os.path.exists(xml_path):
        try:
            for case in ET.parse(xml_path).getroot().iter("testcase"):
                if case.find("failure") is not None or case.find("error") is not None:
                    failed.append(f"{case.get('classname')}.{case.get('name')}")
            xml_ok = True
        except ET.ParseError:
            pass
    if not xml_ok and os.path.exists(log_path):
        # No report (a crash or a timeout): the log says which tests failed and which one never ended.
        started, ended = [], set()
        with open(log_path, encoding="utf-8", errors="replace") as f:
            for line in f:
                hit = re.match(r"\[ +(RUN|OK|FAILED|SKIPPED) +\] (\S+?)(,| \(|$)", line.rstrip("\n"))
                if not hit:
                    continue
                kind, test = hit.group(1), hit.group(2)
                if kind == "RUN":
                    started.append(test)
                elif kind == "FAILED" and "." in test and test not in failed:
                    failed.append(test)
                    ended.add(test)
                else:
                    ended.add(test)
        unfinished = [t for t in started if t not in ended]
        how = "timed out" if rc in (124, 137) else f"crashed, exit status {rc}"
        failed += [f"{t} ({how})" for t in unfinished]
    new = [t for t in failed if t not in baseline]
    if rc != 0 and not new and not xml_ok:
        new = [f"{binary} (no test report, exit status {rc})"]
    print("\n".join(new))


def main(argv):
    if len(argv) < 1:
        die(__doc__.strip())
    cmd, args = argv[0], argv[1:]
    if cmd == "names":
        print("\n".join(m["name"] for m in select(args)))
    elif cmd == "list":
        for m in select(args):
            print(f"{m['name']}\n  {m['description']}\n  file: {m['file']}")
            for binary, filt in m["tests"].items():
                print(f"  caught by: {binary} --gtest_filter='{filt}'")
    elif cmd == "get" and len(args) == 2 and args[1] in ("file", "binaries"):
        (m,) = select(args[:1])
        print(m["file"] if args[1] == "file" else " ".join(m["tests"]))
    elif cmd == "filter" and len(args) == 2:
        (m,) = select(args[:1])
        if args[1] not in m["tests"]:
            die(f"mutant {args[0]} names no filter for {args[1]}")
        print(m["tests"][args[1]])
    elif cmd == "check" and len(args) >= 1:
        check(args[0], args[1:])
    elif cmd == "apply" and len(args) == 2:
        apply(*args)
    elif cmd == "sync" and len(args) == 3:
        sync(*args)
    elif cmd == "failures" and len(args) == 5:
        failures(*args)
    else:
        die(f"bad command: {' '.join(argv)}\n{__doc__.strip()}")


if __name__ == "__main__":
    main(sys.argv[1:])
