#!/usr/bin/env python3
"""End-to-end checks of the `bpqp` command line, from outside the library.

usage: test_cli.py BPQP_BINARY MAROS_MESZAROS_DIR
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import json, math, os, subprocess, sys, tempfile

BINARY, MM = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"[ OK ] {name}")
    else:
        failed += 1
        print(f"[FAIL] {name}: {detail}")


def run(*args, expect_ok=True):
    p = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=120)
    if expect_ok and p.returncode != 0:
        raise RuntimeError(f"bpqp {' '.join(args)} failed: {p.stderr}")
    return p


def solve_json(problem, *extra):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"problems": [problem]}, f)
    try:
        return json.loads(run("solve", f.name, "--eps-abs", "1e-10", "--eps-rel", "1e-10", *extra).stdout)
    finally:
        os.unlink(f.name)


# 1. A QPS file: objective with its constant, status, JSON shape.
out = json.loads(run("solve", f"{MM}/HS21.QPS", "--eps-abs", "1e-6", "--eps-rel", "1e-6").stdout)
p = out["problems"][0]
check("qps objective includes the constant", abs(p["objective"] - (-99.96)) < 1e-4, p["objective"])
check("qps status solved", p["status"] == "solved", p["status"])
check("qps output has x, y and residuals", len(p["x"]) == 2 and "prim_res" in p and "dual_res" in p, p.keys())

# 1b. --sparse: the same file on the sparse path, never densified; the same answer.
out = json.loads(run("solve", f"{MM}/HS21.QPS", "--sparse", "--eps-abs", "1e-6", "--eps-rel", "1e-6").stdout)
p = out["problems"][0]
check("sparse path says so", out.get("path") == "sparse", out.get("path"))
check("sparse path objective includes the constant", abs(p["objective"] - (-99.96)) < 1e-4, p["objective"])
check("sparse path status solved", p["status"] == "solved", p["status"])
bad = run("solve", f"{MM}/HS21.QPS", "--sparse", "--precision", "float", expect_ok=False)
check("sparse path refuses float by name", bad.returncode != 0 and "--path sparse" in bad.stderr, bad.stderr)
# The conjugate gradient (the GPU's method) on the CPU: the same answer, unpolished.
out = json.loads(run("solve", f"{MM}/HS21.QPS", "--sparse", "--sparse-linear-system", "conjugate_gradient",
                     "--eps-abs", "1e-6", "--eps-rel", "1e-6").stdout)
p = out["problems"][0]
check("conjugate gradient: solved, not polished, objective within tolerance",
      p["status"] == "solved" and p["polish"] == "not_run" and abs(p["objective"] - (-99.96)) < 1e-3, p)
bad = run("solve", f"{MM}/HS21.QPS", "--sparse", "--backend", "cuda", "--sparse-linear-system", "factorization",
          expect_ok=False)
check("the factorization on cuda is refused by name",
      bad.returncode != 0 and "sparse_linear_system" in bad.stderr, bad.stderr)
# --path auto (the default): the sparse path from n + m = --sparse-above on, in double on the cpu.
paths = {(name, args): json.loads(run("solve", f"{MM}/{name}.QPS", *args).stdout).get("path")
         for name, args in (("HS21", ()), ("CVXQP2_M", ()), ("CVXQP2_M", ("--precision", "float")),
                            ("HS21", ("--sparse-above", "3")), ("CVXQP2_M", ("--path", "dense")))}
check("auto path: small dense, large sparse, float dense, threshold and override honoured",
      list(paths.values()) == ["dense", "sparse", "dense", "sparse", "dense"], paths)
# CBF files on the sparse path: an LP (min x0 + 2 x1 s.t. x0 + x1 >= 1, x >= 0: objective 1 at
# (1, 0)) read without densifying, as the dense path solves it; a file with cones refused by name
# on --path sparse and kept on the dense path by auto.
with tempfile.NamedTemporaryFile("w", suffix=".cbf", delete=False) as f:
    f.write("VER\n3\nVAR\n2 1\nL+ 2\nCON\n1 1\nL+ 1\nOBJACOORD\n2\n0 1\n1 2\n"
            "ACOORD\n2\n0 0 1\n0 1 1\nBCOORD\n1\n0 -1\n")
    lp_cbf = f.name
cbf_runs = {path: json.loads(run("solve", lp_cbf, "--path", path, "--sparse-above", "0", "--eps-abs", "1e-8",
                                 "--eps-rel", "1e-8").stdout) for path in ("sparse", "dense", "auto")}
os.unlink(lp_cbf)
check("CBF LP: sparse, dense and auto (sparse) paths give objective 1 at x = (1, 0)",
      [r["path"] for r in cbf_runs.values()] == ["sparse", "dense", "sparse"] and
      all(abs(r["problems"][0]["objective"] - 1.0) < 1e-7 and abs(r["problems"][0]["x"][0] - 1.0) < 1e-7
          for r in cbf_runs.values()), cbf_runs)
cone_file = os.path.join(os.path.dirname(MM.rstrip("/")), "cbf", "hypotenuse.cbf")
bad = run("solve", cone_file, "--path", "sparse", expect_ok=False)
check("CBF with cones: --path sparse refuses by name", bad.returncode != 0 and "cone block" in bad.stderr, bad.stderr)
auto = json.loads(run("solve", cone_file, "--sparse-above", "0").stdout)
check("CBF with cones: auto keeps the dense path", auto["path"] == "dense" and
      auto["problems"][0]["status"] == "solved", (auto["path"], auto["problems"][0]["status"]))

# 1c. --sparse --backward: dP and dA on the file's patterns, the dense path's gradients read there
#     (dP: the derivative of a stored upper-triangle value, both mirrored dense entries).
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({"dl_dx": [[math.sin(0.7 * j) + 0.2 for j in range(15)]]}, f)
tight = ("--eps-abs", "1e-9", "--eps-rel", "1e-9", "--backward", f.name)
sparse_g = json.loads(run("solve", f"{MM}/HS118.QPS", "--sparse", *tight).stdout)["problems"][0]["gradients"]
dense_g = json.loads(run("solve", f"{MM}/HS118.QPS", *tight).stdout)["problems"][0]["gradients"]
os.unlink(f.name)
check("sparse backward status as the dense path's", sparse_g["status"] == dense_g["status"] == "ok",
      (sparse_g["status"], dense_g["status"]))


def sparse_gradient_gap(sparse_g, dense_g):
    """Largest difference between the sparse path's gradients and the dense path's read on the
    patterns (dP: a stored upper-triangle value stands for both mirrored dense entries); inf
    when dq, dl or du differ in length."""
    keys = ("dq", "dl", "du")
    if any(len(sparse_g[k]) != len(dense_g[k]) for k in keys):
        return math.inf
    gap = max((abs(a - b) for k in keys for a, b in zip(sparse_g[k], dense_g[k])), default=0.0)
    for name, mirrored in (("dA", False), ("dP", True)):
        e = sparse_g[name]
        for r, c, v in zip(e["rows"], e["cols"], e["values"]):
            expected = dense_g[name][r][c] + (dense_g[name][c][r] if mirrored and r != c else 0.0)
            gap = max(gap, abs(v - expected))
    return gap


gap = sparse_gradient_gap(sparse_g, dense_g)
check("sparse backward gradients are the dense path's on the patterns (1e-7)",
      gap < 1e-7 and len(sparse_g["dA"]["values"]) > 0, gap)

# 1d. JSON on the sparse path: a batch with one problem as triplets and one as rows, solved one
#     by one; the same x, y and gradients as the dense path's.
triplet_qp = {"name": "triplets", "q": [1.0, -1.0, 0.5],
              "P": {"rows": [0, 0, 1, 2], "cols": [0, 1, 1, 2], "values": [4.0, 1.0, 2.0, 1.0]},
              "A": {"rows": [0, 0, 1, 2], "cols": [0, 2, 1, 2], "values": [1.0, 2.0, 3.0, 1.0]},
              "l": [-1.0, "-inf", 0.2], "u": [1.0, -0.5, "inf"]}
rows_qp = {"name": "rows", "P": [[2.0, 0.3], [0.3, 1.0]], "q": [-3.0, -2.0], "A": [[1.0, 1.0], [1.0, 0.0]],
           "l": ["-inf", -5.0], "u": [1.0, 5.0]}
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({"problems": [triplet_qp, rows_qp]}, f)
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as g:
    json.dump({"dl_dx": [[1.0, 0.5, -2.0], [3.0, -1.0]]}, g)
tight = ("--eps-abs", "1e-9", "--eps-rel", "1e-9", "--backward", g.name)
json_runs = {path: json.loads(run("solve", f.name, "--path", path, *tight).stdout) for path in ("sparse", "dense")}
json_runs["auto"] = json.loads(run("solve", f.name, *tight).stdout)
json_runs["auto0"] = json.loads(run("solve", f.name, "--sparse-above", "0", *tight).stdout)
check("JSON paths: sparse, dense, auto (dense below --sparse-above), auto with 0 (sparse)",
      [r["path"] for r in json_runs.values()] == ["sparse", "dense", "dense", "sparse"],
      [r["path"] for r in json_runs.values()])
sp, de = json_runs["sparse"]["problems"], json_runs["dense"]["problems"]


def largest_gap(a, b):
    """max |a_k - b_k| over two lists that must be as long as each other (inf when they are not)."""
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0) if len(a) == len(b) else math.inf


gap = max(largest_gap([s_p["objective"]] + s_p["x"] + s_p["y"], [d_p["objective"]] + d_p["x"] + d_p["y"])
          for s_p, d_p in zip(sp, de))
check("JSON sparse path: both problems solved, x, y and objective as the dense path's (1e-7)",
      len(sp) == len(de) == 2 and all(p["status"] == "solved" for p in sp + de) and gap < 1e-7, gap)
gap = max(sparse_gradient_gap(s_p["gradients"], d_p["gradients"]) for s_p, d_p in zip(sp, de))
check("JSON sparse path: dq, dl, du, dP and dA of both problems as the dense path's (1e-7)",
      gap < 1e-7 and len(sp[0]["gradients"]["dA"]["values"]) == 4 and len(sp[1]["gradients"]["dP"]["values"]) == 3
      and any(v != 0 for v in sp[0]["gradients"]["dA"]["values"]), gap)
float_run = json.loads(run("solve", f.name, "--sparse-above", "0", "--precision", "float").stdout)
check("JSON, auto with float: the dense path (the sparse path is double only)", float_run["path"] == "dense",
      float_run["path"])
os.unlink(g.name)
asym = {"q": [1.0, 1.0], "P": [[1.0, 2.0], [3.0, 1.0]], "A": [[1.0, 0.0]], "l": [0.0], "u": [1.0]}
with open(f.name, "w") as h:
    json.dump({"problems": [asym]}, h)
bad = run("solve", f.name, "--path", "sparse", expect_ok=False)
check("JSON with an asymmetric P: --path sparse refuses it by name",
      bad.returncode != 0 and "P is not symmetric" in bad.stderr, bad.stderr)
auto = json.loads(run("solve", f.name, "--sparse-above", "0").stdout)
check("JSON with an asymmetric P: auto hands it to the dense path, which reports invalid_input",
      auto["path"] == "dense" and auto["problems"][0]["status"] == "invalid_input", auto["problems"][0]["status"])
os.unlink(f.name)

# 2. A malformed file names the file and the line.
with tempfile.NamedTemporaryFile("w", suffix=".QPS", delete=False) as f:
    f.write("NAME BAD\nROWS\n N obj\n L c1\nCOLUMNS\n    x1 obj 1.0 nosuchrow 2.0\nENDATA\n")
bad = run("solve", f.name, expect_ok=False)
os.unlink(f.name)
check("malformed qps fails with file:line", bad.returncode != 0 and f"{f.name}:6" in bad.stderr, bad.stderr)

# 3. --backward against central finite differences of the CLI's own solutions.
#    minimize ½xᵀPx + qᵀx  s.t.  x1 + x2 ≤ 1 (active),  −5 ≤ x ≤ 5; L = 3 x0 − x1.
problem = {"P": [[2.0, 0.3], [0.3, 1.0]], "q": [-3.0, -2.0], "A": [[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]],
           "l": ["-inf", -5.0, -5.0], "u": [1.0, 5.0, 5.0]}
dl_dx = [3.0, -1.0]
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({"dl_dx": [dl_dx]}, f)
grads = solve_json(problem, "--backward", f.name)["problems"][0]["gradients"]
os.unlink(f.name)
check("backward status ok", grads["status"] == "ok", grads["status"])


def loss(pr):
    x = solve_json(pr)["problems"][0]["x"]
    return sum(g * v for g, v in zip(dl_dx, x))


h = 1e-6
worst = 0.0
for key, index, analytic in [("q", (0,), grads["dq"][0]), ("q", (1,), grads["dq"][1]),
                             ("u", (0,), grads["du"][0]), ("A", (0, 1), grads["dA"][0][1]),
                             ("P", (0, 0), grads["dP"][0][0])]:
    def perturbed(step):
        pr = json.loads(json.dumps(problem))
        target = pr[key]
        for i in index[:-1]:
            target = target[i]
        target[index[-1]] += step
        return pr
    fd = (loss(perturbed(h)) - loss(perturbed(-h))) / (2 * h)
    worst = max(worst, abs(fd - analytic) / max(1.0, abs(fd)))
check("backward gradients match central differences (1e-5 relative)", worst < 1e-5, worst)

# 4. BPQP_CPU_ISA picks the CPU kernels' variant; a name it does not know stops the run
#    with the variable named, instead of quietly running another variant.
def demo(isa):
    env = dict(os.environ, BPQP_CPU_ISA=isa)
    return subprocess.run([BINARY, "demo", "--batch", "4", "--n", "8", "--m", "4", "--threads", "1"],
                          capture_output=True, text=True, timeout=120, env=env)
generic = demo("generic")
check("BPQP_CPU_ISA=generic runs the generic kernels",
      generic.returncode == 0 and "cpu kernels       generic" in generic.stdout, generic.stdout + generic.stderr)
bogus = demo("sse9")
check("an unknown BPQP_CPU_ISA is an error naming the variable",
      bogus.returncode != 0 and "'sse9'" in bogus.stderr and "BPQP_CPU_ISA" in bogus.stderr, bogus.stderr)

# 5. CBF (LP/SOCP): the objective includes OBJBCOORD; an unsupported cone names file:line.
cbf_dir = os.path.join(os.path.dirname(MM.rstrip("/")), "cbf")
out = json.loads(run("solve", f"{cbf_dir}/hypotenuse.cbf", "--eps-abs", "1e-8", "--eps-rel", "1e-8").stdout)
p = out["problems"][0]
check("cbf objective includes OBJBCOORD", p["status"] == "solved" and abs(p["objective"] - 5.5) < 1e-6, p)
with tempfile.NamedTemporaryFile("w", suffix=".cbf", delete=False) as f:
    f.write("VER\n3\nVAR\n3 1\nEXP 3\n")
bad = run("solve", f.name, expect_ok=False)
os.unlink(f.name)
check("an exponential cone in a cbf file is refused at its line",
      bad.returncode != 0 and f"{f.name}:5" in bad.stderr and "outside" in bad.stderr, bad.stderr)

# 6. A JSON batch with cone blocks and problems of two layouts: each solved in a batch of its own.
ball = {"q": [1.0, -2.0], "A": [[0, 0], [1, 0], [0, 1]], "l": [-2, 0, 0], "u": ["inf"] * 3,
        "cones": [{"first_row": 0, "dim": 3}]}
# −1 ≤ x0 ≤ 1 and (3 − x1, 0) ∈ Q, i.e. x1 ≤ 3: the optimum −1 − 6 = −7.
shifted = dict(ball, A=[[1, 0], [0, -1], [0, 0]], l=[-1, -3, 0], u=[1, "inf", "inf"],
               cones=[{"first_row": 1, "dim": 2}])
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({"problems": [ball, shifted]}, f)
both = json.loads(run("solve", f.name, "--eps-abs", "1e-9", "--eps-rel", "1e-9").stdout)["problems"]
os.unlink(f.name)
check("json cones: the norm ball's optimum -2*sqrt(5)",
      both[0]["status"] == "solved" and abs(both[0]["objective"] + 2 * math.sqrt(5)) < 1e-7, both[0])
check("json cones: a second layout in the same file is solved too",
      both[1]["status"] == "solved" and abs(both[1]["objective"] + 7) < 1e-7, both[1])

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
