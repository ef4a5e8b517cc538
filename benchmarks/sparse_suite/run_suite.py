"""The OSQP benchmark families (families.py), sparse, at about 10³, 10⁴ and 10⁵ nonzeros, solved by
bpqp's sparse path (`bpqp solve --path sparse`, the problem written as QPS by qps_writer.py) and by
OSQP, ProxQP (proxsuite's sparse backend) and Clarabel in this process, one after the other.

    run_suite.py BPQP_BINARY OUT_DIR [--targets 1000,10000,100000] [--families a,b] [--seed 1]

Every solver: one thread, double, eps 1e-5 absolute and relative where it has both (Clarabel: its
defaults, 1e-8, the objective reference). Time: bpqp's own solve_seconds (reading the file excluded);
the peers' wall time of setup + solve from their Python APIs (the matrices already converted); the
best of three runs below 2 s, one run above. Each solution is checked here the same way: objective
½xᵀPx + qᵀx against Clarabel's, and the worst bound violation of Ax. Writes OUT_DIR/rows.jsonl and
OUT_DIR/table.md; exits 0 (it reports, it does not judge).
"""
import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import families  # noqa: E402
from qps_writer import write_qps  # noqa: E402

EPS = 1e-5
PEER_TIMEOUT_S = 120.0  # a peer still running after this is stopped and reported as a timeout
PEER_INFINITY = 1e20  # how ProxQP spells an absent bound


def best_of_three(run):
    """(seconds, outcome) of the fastest of up to three calls of run() -> (seconds, outcome)."""
    best = run()
    for _ in range(2):
        if best[0] > 2.0:
            break
        again = run()
        if again[0] < best[0]:
            best = again
    return best


def full(P_upper):
    return P_upper + sp.triu(P_upper, k=1).T


def check(qp, x, reference_objective):
    """Objective, its relative difference to the reference, and the worst bound violation of Ax."""
    if x is None or not np.all(np.isfinite(x)):
        return dict(objective=None, objective_rel_diff=None, bound_violation=None)
    P = full(qp["P"])
    objective = float(0.5 * x @ (P @ x) + qp["q"] @ x)
    Ax = qp["A"] @ x
    violation = float(max(0.0, np.max(qp["l"] - Ax), np.max(Ax - qp["u"])))
    diff = None if reference_objective is None else abs(objective - reference_objective) / max(1.0, abs(reference_objective))
    return dict(objective=objective, objective_rel_diff=diff, bound_violation=violation)


def run_bpqp(binary, path):
    def once():
        try:
            out = subprocess.run([binary, "solve", path, "--path", "sparse", "--threads", "1", "--eps-abs", str(EPS),
                                  "--eps-rel", str(EPS)], capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            return float("inf"), dict(status="timeout (600 s)", x=None)
        if out.returncode != 0:
            return float("inf"), dict(status="error: " + out.stderr.strip()[:200], x=None)
        report = json.loads(out.stdout)
        p = report["problems"][0]
        return report["solve_seconds"], dict(status=p["status"], iterations=p["iterations"], x=np.array(p["x"], float))
    return best_of_three(once)


def run_osqp(qp):
    import osqp

    def once():
        start = time.perf_counter()
        solver = osqp.OSQP()
        solver.setup(qp["P"], qp["q"], qp["A"], qp["l"], qp["u"], eps_abs=EPS, eps_rel=EPS, polish=True,
                     verbose=False)
        r = solver.solve()
        seconds = time.perf_counter() - start
        return seconds, dict(status=r.info.status, iterations=int(r.info.iter), x=np.array(r.x, float))
    return best_of_three(once)


def run_proxqp(qp):
    import proxsuite
    A, l, u = qp["A"].tocsr(), qp["l"], qp["u"]
    eq = l == u
    A_eq, b = sp.csc_matrix(A[eq]), l[eq]
    C = sp.csc_matrix(A[~eq])
    lo = np.where(np.isinf(l[~eq]), -PEER_INFINITY, l[~eq])
    hi = np.where(np.isinf(u[~eq]), PEER_INFINITY, u[~eq])
    H = sp.csc_matrix(full(qp["P"]))
    n = H.shape[0]

    def once():
        start = time.perf_counter()
        solver = proxsuite.proxqp.sparse.QP(n, A_eq.shape[0], C.shape[0])
        solver.settings.eps_abs = EPS
        solver.settings.eps_rel = EPS
        solver.settings.verbose = False
        solver.init(H, qp["q"], A_eq, b, C, lo, hi)
        solver.solve()
        seconds = time.perf_counter() - start
        r = solver.results
        return seconds, dict(status=str(r.info.status).split(".")[-1], iterations=int(r.info.iter),
                             x=np.array(r.x, float))
    return best_of_three(once)


def run_clarabel(qp):
    import clarabel
    A, l, u = qp["A"].tocsr(), qp["l"], qp["u"]
    eq = l == u
    upper = ~eq & np.isfinite(u)
    lower = ~eq & np.isfinite(l)
    # Cone form Gx + s = h: s = 0 on the equalities, s >= 0 on Ax <= u and on −Ax <= −l.
    G = sp.vstack([A[eq], A[upper], -A[lower]]).tocsc()
    h = np.concatenate([u[eq], u[upper], -l[lower]])
    cones = [clarabel.ZeroConeT(int(eq.sum())), clarabel.NonnegativeConeT(int(upper.sum() + lower.sum()))]
    settings = clarabel.DefaultSettings()
    settings.verbose = False

    def once():
        start = time.perf_counter()
        solver = clarabel.DefaultSolver(qp["P"], qp["q"], G, h, cones, settings)
        r = solver.solve()
        seconds = time.perf_counter() - start
        return seconds, dict(status=str(r.status), iterations=int(r.iterations), x=np.array(r.x, float))
    return best_of_three(once)


def _child(connection, peer, qp):
    connection.send(peer(qp))


def with_timeout(peer, qp):
    """peer(qp) in a child process, stopped after PEER_TIMEOUT_S (the peers have no time limit of their own)."""
    parent, child = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_child, args=(child, peer, qp))
    process.start()
    if parent.poll(PEER_TIMEOUT_S):
        result = parent.recv()
        process.join()
        return result
    process.kill()
    process.join()
    return float("inf"), dict(status=f"timeout ({PEER_TIMEOUT_S:.0f} s)", x=None)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("out")
    ap.add_argument("--targets", default="1000,10000,100000")
    ap.add_argument("--families", default=",".join(families.FAMILIES))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(f"{args.out}/problems", exist_ok=True)
    rows = []
    with open(f"{args.out}/rows.jsonl", "w") as log:
        for family in args.families.split(","):
            for target in (int(t) for t in args.targets.split(",")):
                k, qp = families.at_size(family, target, args.seed)
                name = f"{family}_{k}"
                path = f"{args.out}/problems/{name}.qps"
                P, A = qp["P"], qp["A"]
                write_qps(path, name, P.shape[0], (P.indptr, P.indices, P.data), qp["q"],
                          (A.indptr, A.indices, A.data), qp["l"], qp["u"])
                results = {"clarabel": with_timeout(run_clarabel, qp), "bpqp": run_bpqp(args.binary, path),
                           "osqp": with_timeout(run_osqp, qp), "proxqp": with_timeout(run_proxqp, qp)}
                os.remove(path)
                ref = results["clarabel"][1]
                ref_objective = check(qp, ref["x"], None)["objective"] if "Solved" in ref["status"] else None
                row = dict(family=family, size=k, n=P.shape[0], m=A.shape[0], nonzeros=families.nonzeros(qp))
                for solver, (seconds, outcome) in results.items():
                    row[solver] = dict(seconds=seconds, status=outcome["status"],
                                       iterations=outcome.get("iterations"), **check(qp, outcome["x"], ref_objective))
                rows.append(row)
                log.write(json.dumps(row) + "\n")
                log.flush()
                print(f"{name}: n {row['n']}, m {row['m']}, nnz {row['nonzeros']}: " +
                      ", ".join(f"{s} {row[s]['seconds'] * 1e3:.1f} ms {row[s]['status']}" for s in results), flush=True)
    write_table(rows, f"{args.out}/table.md")


def write_table(rows, path):
    peers = ["osqp", "proxqp", "clarabel"]
    fmt_ms = lambda s: "—" if s == float("inf") else (f"{s * 1e3:.1f}" if s < 10 else f"{s * 1e3:.0f}")
    fmt_diff = lambda d: "—" if d is None else f"{d:.0e}"
    lines = ["| problem | n | m | nnz | bpqp ms | status | obj. diff | bound viol. | OSQP ms | ProxQP ms | Clarabel ms | "
             "OSQP/bpqp | ProxQP/bpqp | Clarabel/bpqp | OSQP obj. diff | ProxQP obj. diff |",
             "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        b = r["bpqp"]
        ratios = [r[p]["seconds"] / b["seconds"] for p in peers]  # inf where a peer timed out
        lines.append(f"| {r['family']} {r['size']} | {r['n']} | {r['m']} | {r['nonzeros']} | {fmt_ms(b['seconds'])} | "
                     f"{b['status']} | {fmt_diff(b['objective_rel_diff'])} | {fmt_diff(b['bound_violation'])} | " +
                     " | ".join(fmt_ms(r[p]["seconds"]) for p in peers) + " | " +
                     " | ".join(f"{x:.2f}" for x in ratios) + " | " +
                     f"{fmt_diff(r['osqp']['objective_rel_diff'])} | {fmt_diff(r['proxqp']['objective_rel_diff'])} |")
    lines.append("")
    for p in peers:
        ok = [r for r in rows if np.isfinite(r["bpqp"]["seconds"]) and np.isfinite(r[p]["seconds"])]
        if ok:
            geo = float(np.exp(np.mean([np.log(r[p]["seconds"] / r["bpqp"]["seconds"]) for r in ok])))
            lines.append(f"- {p} / bpqp time, geometric mean over {len(ok)} problems: {geo:.2f}")
    solved = lambda s: sum(1 for r in rows if r[s]["objective_rel_diff"] is not None and r[s]["objective_rel_diff"] <= 1e-3)
    lines.append("- objective within 1e-3 (relative) of Clarabel's: " +
                 ", ".join(f"{s} {solved(s)} of {len(rows)}" for s in ["bpqp", "osqp", "proxqp"]))
    open(path, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
