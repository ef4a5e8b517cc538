"""Writes a QP in OSQP form (minimize ½xᵀPx + qᵀx subject to l ≤ Ax ≤ u) as a free-format QPS file
that bpqp's reader (include/bpqp/io/qps_reader.hpp) reads back as the same problem: every row of A
becomes a ROWS constraint, in order, and every variable is free (BOUNDS FR), so the reader appends
no identity rows and its m is A's row count. Pure Python, so a test can use it without NumPy.

Row kinds: l = u → E (RHS l); only u finite → L (RHS u); only l finite → G (RHS l); both finite →
G with RHS l and RANGES u − l, which the reader takes as [l, l + (u − l)]: u to rounding. A row with
both bounds infinite is refused (MPS would read it as a free row and drop it). Values are written
with repr(), which round-trips a double exactly.

    write_qps(path, name, n, P, q, A, l, u)

P and A are (col_starts, row_indices, values) in compressed sparse columns; P is the upper
triangle (entries with row > column are refused: give one triangle, as QUADOBJ expects).
"""
import math


def _columns(csc, cols):
    starts, rows, values = csc
    if len(starts) != cols + 1:
        raise ValueError(f"column starts: {len(starts)} entries for {cols} columns")
    for j in range(cols):
        for k in range(int(starts[j]), int(starts[j + 1])):
            yield j, int(rows[k]), float(values[k])


def write_qps(path, name, n, P, q, A, l, u):
    m = len(l)
    if len(u) != m or len(q) != n:
        raise ValueError("q, l and u must have n, m and m entries")
    kinds, rhs, ranges = [], [], {}
    for i in range(m):
        lo, hi = float(l[i]), float(u[i])
        if lo > hi:
            raise ValueError(f"row {i}: l > u")
        if lo == hi:
            kinds.append("E"); rhs.append(lo)
        elif math.isinf(lo) and math.isinf(hi):
            raise ValueError(f"row {i}: both bounds infinite (a free row; drop it first)")
        elif math.isinf(lo):
            kinds.append("L"); rhs.append(hi)
        else:
            kinds.append("G"); rhs.append(lo)
            if not math.isinf(hi):
                ranges[i] = hi - lo
    entries = [[] for _ in range(n)]
    for j, i, v in _columns(A, n):
        if not 0 <= i < m:
            raise ValueError(f"A: row index {i} outside 0..{m - 1}")
        entries[j].append((i, v))
    with open(path, "w") as f:
        f.write(f"NAME {name}\nROWS\n N obj\n")
        f.writelines(f" {kinds[i]} c{i}\n" for i in range(m))
        f.write("COLUMNS\n")
        for j in range(n):
            # The objective entry is written even when zero: it declares a variable that no row uses.
            f.write(f" x{j} obj {float(q[j])!r}\n")
            f.writelines(f" x{j} c{i} {v!r}\n" for i, v in entries[j])
        f.write("RHS\n")
        f.writelines(f" rhs c{i} {rhs[i]!r}\n" for i in range(m) if rhs[i] != 0.0)
        if ranges:
            f.write("RANGES\n")
            f.writelines(f" rng c{i} {r!r}\n" for i, r in ranges.items())
        f.write("BOUNDS\n")
        f.writelines(f" FR bnd x{j}\n" for j in range(n))
        f.write("QUADOBJ\n")
        for j, i, v in _columns(P, n):
            if i > j:
                raise ValueError(f"P: entry ({i}, {j}) below the diagonal (give the upper triangle)")
            f.write(f" x{i} x{j} {v!r}\n")
        f.write("ENDATA\n")
