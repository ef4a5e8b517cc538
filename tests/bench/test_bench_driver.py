#!/usr/bin/env python3
"""End-to-end check of the benchmark driver (ctest bench_driver_smoke): a tiny run
must write records whose numbers hold up, and an .npz export that NumPy's format
describes (parsed here with the standard library only, so the test needs no NumPy).

    test_bench_driver.py PATH/TO/bpqp_bench
"""
import ast
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import zipfile


def read_npz(path):
    """{name: (dtype descr, shape, raw bytes)} of a .npz written without compression."""
    arrays = {}
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None, f"{path}: CRC mismatch"
        for info in z.infolist():
            data = z.read(info)
            assert data[:6] == b"\x93NUMPY", f"{info.filename}: not an .npy file"
            assert (data[6], data[7]) == (1, 0), f"{info.filename}: .npy version {data[6]}.{data[7]}"
            header_len = struct.unpack("<H", data[8:10])[0]
            assert (10 + header_len) % 64 == 0, f"{info.filename}: data not 64-byte aligned"
            header = ast.literal_eval(data[10:10 + header_len].decode("latin1"))
            assert header["fortran_order"] is False
            arrays[info.filename[:-4]] = (header["descr"], tuple(header["shape"]), data[10 + header_len:])
    return arrays


def doubles(raw):
    return struct.unpack(f"<{len(raw) // 8}d", raw)


def main():
    bench = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out_json = os.path.join(tmp, "out.json")
        subprocess.run([bench, "--families", "random_qp,random_lp", "--sizes", "10x5", "--batches", "1,8",
                        "--precisions", "double,float", "--sharing", "per_problem,shared_PA", "--threads", "1",
                        "--backends", "cpu", "--export", tmp, "--json", out_json,
                        "--csv", os.path.join(tmp, "out.csv"), "--markdown", os.path.join(tmp, "out.md")],
                       check=True, stderr=subprocess.DEVNULL)
        records = json.load(open(out_json))["records"]
        assert len(records) == 2 * 2 * 2 * 2, f"{len(records)} records"
        for r in records:
            where = f"{r['family']} {r['precision']} {r['sharing']} batch {r['batch']}"
            assert r["status"] == "ok", f"{where}: {r['status']} {r['note']}"
            assert r["solved"] == r["batch"], f"{where}: solved {r['solved']}"
            assert 0 < r["forward_s"] and 0 < r["backward_s"] and math.isclose(
                r["total_s"], r["forward_s"] + r["backward_s"], rel_tol=0.5), where
            assert r["reference_problems"] >= 1, where
            floor = 0.9999 if r["precision"] == "double" else 0.99
            assert r["grad_cosine_min"] > floor, f"{where}: cosine {r['grad_cosine_min']}"
        md = open(os.path.join(tmp, "out.md")).read()
        assert "### random_qp 10×5" in md and "### random_lp 10×5" in md

        for case, rows in (("random_qp_10x5", 5), ("random_lp_10x5", 15)):
            arrays = read_npz(os.path.join(tmp, case + ".npz"))
            shapes = {name: shape for name, (_, shape, _) in arrays.items()}
            assert shapes == {"P": (8, 10, 10), "q": (8, 10), "A": (8, rows, 10), "l": (8, rows), "u": (8, rows),
                              "dl_dx": (8, 10), "x_ref": (8, 10), "dq_ref": (8, 10), "dlu_ref": (8, rows),
                              "ref_ok": (8,)}, f"{case}: {shapes}"
            assert arrays["ref_ok"][0] == "|b1" and all(b == 1 for b in arrays["ref_ok"][2]), f"{case}: ref_ok"
            P = doubles(arrays["P"][2])[:100]
            assert all(P[10 * i + j] == P[10 * j + i] for i in range(10) for j in range(10)), f"{case}: P symmetric"
            x = doubles(arrays["x_ref"][2])
            assert all(math.isfinite(v) for v in x), f"{case}: x_ref finite"
    print("bench driver: records and export check out")


if __name__ == "__main__":
    main()
