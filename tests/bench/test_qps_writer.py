#!/usr/bin/env python3
"""benchmarks/sparse_suite/qps_writer.py, end to end (ctest qps_writer_round_trip): a QP with a
planted solution and one row of every kind the writer emits (E, L, G, ranged G, both ranged ends
tested active) is written, read back by `bpqp solve --path sparse` and solved; the solution must be
the planted one, with A's row count unchanged (free variables, so no bound rows appended), and the
writer must refuse what QPS cannot say. Standard library only.

    test_qps_writer.py PATH/TO/bpqp
"""
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "benchmarks", "sparse_suite"))
from qps_writer import write_qps  # noqa: E402

INF = math.inf

# P = [[2, 1, 0], [1, 2, 0], [0, 0, 1]] (upper triangle, compressed columns).
P = ([0, 1, 3, 4], [0, 0, 1, 2], [2.0, 1.0, 2.0, 1.0])
# Rows (compressed columns of the 5×3 A):
#   0: x0 + x1      = 1          E, active, y0 =  0.2
#   1:           x2 <= 0.9       L, inactive
#   2: x0           >= -5        G, inactive
#   3: 0 <= x0 + x2 <= 0.75      ranged, active at its upper end, y3 = 0.1
#   4: -0.25 <= x1 - 2 x2 <= 3   ranged, active at its lower end, y4 = −0.05
# (rows 0, 3 and 4 are linearly independent, so y* is the only multiplier too.)
A = ([0, 3, 5, 8], [0, 2, 3, 0, 4, 1, 3, 4], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -2.0])
l = [1.0, -INF, -5.0, 0.0, -0.25]
u = [1.0, 0.9, INF, 0.75, 3.0]
x_star = [0.25, 0.75, 0.5]
y_star = [0.2, 0.0, 0.0, 0.1, -0.05]


def multiply(csc, x, rows):
    starts, idx, vals = csc
    out = [0.0] * rows
    for j in range(len(starts) - 1):
        for k in range(starts[j], starts[j + 1]):
            out[idx[k]] += vals[k] * x[j]
    return out


def transpose_multiply(csc, y):
    starts, idx, vals = csc
    return [sum(vals[k] * y[idx[k]] for k in range(starts[j], starts[j + 1])) for j in range(len(starts) - 1)]


def main(binary):
    # Planted: x* is feasible with rows 0, 3 and 4 active and rows 1, 2 not (so y1 = y2 = 0);
    # q = −P x* − Aᵀ y* makes (x*, y*) satisfy the KKT conditions, and P ≻ 0 makes x* the only solution.
    Px = [2 * x_star[0] + x_star[1], x_star[0] + 2 * x_star[1], x_star[2]]
    Aty = transpose_multiply(A, y_star)
    q = [-(a + b) for a, b in zip(Px, Aty)]
    Ax = multiply(A, x_star, 5)
    assert abs(Ax[0] - 1) < 1e-15 and abs(Ax[3] - 0.75) < 1e-15 and abs(Ax[4] + 0.25) < 1e-15, Ax
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "planted.qps")
        write_qps(path, "PLANTED", 3, P, q, A, l, u)
        out = subprocess.run([binary, "solve", path, "--path", "sparse", "--eps-abs", "1e-9", "--eps-rel", "1e-9"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        p = json.loads(out.stdout)["problems"][0]
        assert p["status"] == "solved", p
        assert len(p["y"]) == 5, f"rows read back: {len(p['y'])} (bound rows appended?)"
        for got, want in zip(p["x"], x_star):
            assert abs(got - want) <= 1e-7, (p["x"], x_star)
        for got, want in zip(p["y"], y_star):
            assert abs(got - want) <= 1e-7, (p["y"], y_star)

        refused = [
            dict(P=([0, 1, 3, 4], [0, 1, 2, 2], [1.0, 1.0, 0.5, 1.0]), l=l, u=u),  # entry below the diagonal
            dict(P=P, l=[1.0, -INF, -INF, 0.0, -0.25], u=u),  # a free row
            dict(P=P, l=[1.0, -INF, -5.0, 0.8, -0.25], u=u),  # l > u
        ]
        for case in refused:
            try:
                write_qps(path, "BAD", 3, case["P"], q, A, case["l"], case["u"])
            except ValueError:
                continue
            raise AssertionError(f"not refused: {case}")
    print("qps_writer round trip: ok")


if __name__ == "__main__":
    main(sys.argv[1])
