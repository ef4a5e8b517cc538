#!/usr/bin/env python3
"""Runs `bpqp solve` on every Maros–Mészáros problem and compares the objective
with reference.csv (correct: within 1e-4 relative, or 1e-6 absolute near zero).

usage: run_all.py BPQP_BINARY DATA_DIR [--timeout S] [extra bpqp solve options...]
(`--path dense` or `--path sparse` picks a path for every problem; by default `bpqp solve`
picks per problem, by size.) Prints one row per problem and a summary; exits 0 (it reports,
it does not judge).
"""
import csv, json, subprocess, sys, time

def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, data = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    timeout = 600.0
    if rest[:1] == ["--timeout"]:
        timeout, rest = float(rest[1]), rest[2:]
    with open(f"{data}/reference.csv") as f:
        refs = list(csv.DictReader(f))
    correct = 0
    print(f"{'problem':10} {'n':>5} {'m':>5} {'status':18} {'iter':>6} {'objective':>16} {'reference':>16} {'rel.err':>9} {'time':>7}  ok  path")
    for r in refs:
        name, ref = r["name"], float(r["optimal_objective"])
        t0 = time.time()
        try:
            out = subprocess.run([binary, "solve", f"{data}/{name}.QPS", "--eps-abs", "1e-6", "--eps-rel", "1e-6", *rest],
                                 capture_output=True, text=True, timeout=timeout)
            elapsed = time.time() - t0
            if out.returncode != 0:
                print(f"{name:10} error: {out.stderr.strip()[:100]}")
                continue
            report = json.loads(out.stdout)
            p = report["problems"][0]
        except subprocess.TimeoutExpired:
            print(f"{name:10} timeout after {timeout:.0f} s")
            continue
        obj = p["objective"]
        obj = float(obj) if not isinstance(obj, str) else float(obj.replace("inf", "Infinity"))
        err = abs(obj - ref) / max(1.0, abs(ref)) if abs(ref) >= 1e-6 else abs(obj - ref)
        ok = (abs(obj - ref) <= 1e-4 * abs(ref)) or (abs(obj - ref) <= 1e-6)
        correct += ok
        print(f"{name:10} {r['n']:>5} {r['m']:>5} {p['status']:18} {p['iterations']:>6} {obj:16.8g} {ref:16.8g} "
              f"{err:9.1e} {elapsed:7.2f}  {'yes' if ok else 'NO':3} {report.get('path', '')}", flush=True)
    print(f"correct: {correct} of {len(refs)}")

if __name__ == "__main__":
    main()
