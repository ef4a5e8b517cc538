#!/usr/bin/env python3
"""Merges benchmark results (bpqp's own timings and the peers' from
benchmarks/peers/run_peers.py) into one markdown report with plots.

    report.py --results bpqp.json peers.json ... --out-md TABLE.md --plots-dir DIR
              [--fixed-batch 64] [--summary-size 100x20] [--summary-batch 1024]
              [--plot-family random_qp]

Every results file is {"machine": {...}, "records": [RECORD, ...]} (schema in
benchmarks/peers/README.md). The report has
  (a) a table per family and size: forward / backward / total ms, problems/s, gradient cosine
      on (∂L/∂q, ∂L/∂l + ∂L/∂u) mean/min, x error, solved, status, for every method and batch;
  (b) ratios peer total_s / bpqp total_s for identical (family, n, m, batch, precision=double),
      against the bpqp record with the same number of threads as the peer;
  (c) notes: every not_installed / failed / skipped record with its reason;
and the plots throughput_vs_batch.png, time_vs_size.png and summary.png in --plots-dir.
Records that are missing or not "ok" never stop the report: such a method shows its status.
"""
import argparse
import json
import math
import os
import sys
from collections import OrderedDict, defaultdict

BPQP = "bpqp"


def fnum(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def fmt_ms(s):
    s = fnum(s)
    if s is None:
        return "—"
    ms = s * 1e3
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    if ms >= 1:
        return f"{ms:.2f}"
    return f"{ms:.3f}"


def fmt_rate(batch, total):
    total = fnum(total)
    if total is None or total <= 0 or not batch:
        return "—"
    r = batch / total
    if r >= 100:
        return f"{r:,.0f}"
    return f"{r:.1f}"


def fmt_cos(c):
    c = fnum(c)
    if c is None:
        return "—"
    if c >= 0.9999995:
        return "1.000000"
    return f"{c:.6f}"


def fmt_err(e):
    e = fnum(e)
    return "—" if e is None else f"{e:.1e}"


def fmt_ratio(r):
    if r is None:
        return "—"
    if r >= 100:
        return f"{r:.0f}×"
    if r >= 10:
        return f"{r:.1f}×"
    return f"{r:.2f}×"


def md_escape(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def size_key(r):
    return (r.get("n") or 0, r.get("m") or 0)


def load(paths):
    machines, records = [], []
    for p in paths:
        try:
            with open(p) as f:
                d = json.load(f)
        except Exception as e:
            print(f"report.py: cannot read {p}: {e}", file=sys.stderr)
            continue
        machines.append((p, d.get("machine", {}) or {}))
        for r in d.get("records", []) or []:
            if not isinstance(r, dict) or "method" not in r:
                continue
            r = dict(r)
            r["_src"] = os.path.basename(p)
            r.setdefault("status", "ok")
            r.setdefault("variant", "")
            r.setdefault("precision", "double")
            r.setdefault("backend", "cpu")
            r.setdefault("threads", 1)
            r.setdefault("sharing", "per_problem")
            r.setdefault("note", "")
            records.append(r)
    # a later file's record replaces an earlier one for the same cell
    uniq = OrderedDict()
    for r in records:
        k = (r["method"], r["variant"], r.get("family"), r.get("n"), r.get("m"), r.get("batch"),
             r["precision"], r["backend"], r["threads"], r["sharing"])
        uniq[k] = r
    return machines, list(uniq.values())


class Labels:
    """Short label per (method, variant): the method name, plus #k when one method comes in
    several variants, plus backend/precision/threads/sharing when they differ within it."""

    def __init__(self, records):
        by_method = defaultdict(list)
        for r in records:
            key = (r["variant"], r["backend"], r["precision"], r["threads"], r["sharing"])
            if key not in by_method[r["method"]]:
                by_method[r["method"]].append(key)
        self.map, self.legend = {}, []
        for m, keys in by_method.items():
            variants = list(OrderedDict.fromkeys(k[0] for k in keys))
            for key in keys:
                v, backend, prec, thr, sharing = key
                lab = m
                if len(variants) > 1:
                    lab += f" #{variants.index(v) + 1}"
                extra = []
                if len({k[1] for k in keys}) > 1:
                    extra.append(backend)
                if len({k[2] for k in keys}) > 1:
                    extra.append(prec)
                if len({k[3] for k in keys}) > 1:
                    extra.append(f"{thr} thr")
                if len({k[4] for k in keys}) > 1:
                    extra.append(sharing)
                if extra:
                    lab += " (" + ", ".join(extra) + ")"
                self.map[(m,) + key] = lab
            for i, v in enumerate(variants):
                self.legend.append((m if len(variants) == 1 else f"{m} #{i + 1}", v))

    def __call__(self, r):
        return self.map[(r["method"], r["variant"], r["backend"], r["precision"], r["threads"],
                         r["sharing"])]


def method_order(records):
    names = list(OrderedDict.fromkeys(r["method"] for r in records))
    first = {m: i for i, m in enumerate(names)}
    return sorted(names, key=lambda m: (m != BPQP, first[m]))


# ---------------------------------------------------------------- markdown
def main_tables(records, labels):
    out = []
    cases = OrderedDict()
    for r in records:
        if r.get("family") is None:
            continue
        cases.setdefault((r["family"], size_key(r)), []).append(r)
    order = method_order(records)
    for (fam, (n, m)), rs in sorted(cases.items(), key=lambda kv: (kv[0][0] != "random_qp",
                                                                   kv[0][0], kv[0][1])):
        out.append(f"### {fam} {n}×{m}\n")
        out.append("| batch | method | threads | fwd ms | bwd ms | total ms | problems/s | "
                   "grad. cosine (∂L/∂q, ∂L/∂l+∂L/∂u) mean | grad. cosine min | x rel err max | solved | "
                   "status |")
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        rs = sorted(rs, key=lambda r: (r.get("batch") is not None, r.get("batch") or 0,
                                       order.index(r["method"]), labels(r)))
        for r in rs:
            b = r.get("batch")
            ok = r["status"] == "ok"
            solved = r.get("solved")
            solved_s = f"{solved}/{b}" if (ok and solved is not None and b) else "—"
            status = r["status"] if ok else f"**{r['status']}**"
            out.append(
                f"| {b if b is not None else '—'} | {md_escape(labels(r))} | {r['threads']} | "
                f"{fmt_ms(r.get('forward_s')) if ok else '—'} | "
                f"{fmt_ms(r.get('backward_s')) if ok else '—'} | "
                f"{fmt_ms(r.get('total_s')) if ok else '—'} | "
                f"{fmt_rate(b, r.get('total_s')) if ok else '—'} | "
                f"{fmt_cos(r.get('grad_cosine_mean')) if ok else '—'} | "
                f"{fmt_cos(r.get('grad_cosine_min')) if ok else '—'} | "
                f"{fmt_err(r.get('x_rel_err_max')) if ok else '—'} | {solved_s} | {status} |")
        out.append("")
    return out


def ratio_rows(records):
    """[(key, bpqp_record, {peer label: (ratio or None, peer record or None)})]"""
    bp = [r for r in records if r["method"] == BPQP and r["precision"] == "double"
          and r["status"] == "ok" and fnum(r.get("total_s"))]
    peers = [r for r in records if r["method"] != BPQP and r["precision"] == "double"]
    idx = defaultdict(list)
    for r in peers:
        idx[(r.get("family"), r.get("n"), r.get("m"), r.get("batch"), r["threads"],
             r["sharing"])].append(r)
    rows = []
    for b in bp:
        key = (b.get("family"), b.get("n"), b.get("m"), b.get("batch"), b["threads"], b["sharing"])
        if idx.get(key):  # rows with no peer record at all say nothing
            rows.append((key, b, idx[key]))
    rows.sort(key=lambda x: (x[0][0] != "random_qp", x[0][0], x[0][1] or 0, x[0][2] or 0,
                             x[0][3] or 0, x[0][4], x[1]["variant"], x[1]["backend"]))
    return rows


def ratio_table(records, labels):
    rows = ratio_rows(records)
    peer_labels = list(OrderedDict.fromkeys(
        labels(r) for r in records if r["method"] != BPQP and r["precision"] == "double"
        and r.get("batch") is not None))
    out = []
    if not rows:
        out.append("_No bpqp record with a total time (precision double) to compare with._\n")
        return out
    if not peer_labels:
        out.append("_No peer records._\n")
        return out
    out.append("| family | n×m | batch | threads | bpqp | bpqp backend | bpqp total ms | "
               + " | ".join(md_escape(p) for p in peer_labels) + " |")
    out.append("|---|---|---:|---:|---|---|---:|" + "---:|" * len(peer_labels))
    for (fam, n, m, batch, thr, _sharing), b, prs in rows:
        cells = []
        for pl in peer_labels:
            match = [r for r in prs if labels(r) == pl]
            if not match:
                cells.append("—")
                continue
            r = match[0]
            t = fnum(r.get("total_s"))
            if r["status"] == "ok" and t:
                cells.append(fmt_ratio(t / b["total_s"]))
            else:
                cells.append(r["status"])
        out.append(f"| {fam} | {n}×{m} | {batch} | {thr} | {md_escape(labels(b))} | "
                   f"{b['backend']} | {fmt_ms(b['total_s'])} | " + " | ".join(cells) + " |")
    out.append("")
    return out


def notes_section(records, labels):
    out = []
    groups = OrderedDict()
    for r in records:
        if r["status"] == "ok":
            continue
        k = (r["status"], labels(r), r.get("family"), r.get("n"), r.get("m"), r.get("note", ""))
        groups.setdefault(k, []).append(r.get("batch"))
    if not groups:
        out.append("_Every record is ok._\n")
        return out
    for status in ("not_installed", "failed", "skipped"):
        items = [(k, v) for k, v in groups.items() if k[0] == status]
        if not items:
            continue
        out.append(f"**{status}**\n")
        for (st, lab, fam, n, m, note), batches in items:
            bs = ", ".join(str(b) for b in batches if b is not None)
            where = f"{fam} {n}×{m}" if fam is not None else "all cases"
            out.append(f"- {md_escape(lab)} — {where}" + (f", batch {bs}" if bs else "")
                       + f": {md_escape(note) or '(no reason given)'}")
        out.append("")
    other = [(k, v) for k, v in groups.items() if k[0] not in ("not_installed", "failed", "skipped")]
    for (st, lab, fam, n, m, note), batches in other:
        out.append(f"- {st}: {md_escape(lab)} — {fam} {n}×{m}: {md_escape(note)}")
    return out


def machines_section(machines):
    out = []
    for p, mach in machines:
        keys = ["side", "cpu_model", "cpu_count", "threads", "pinned_cpus", "platform", "date",
                "eps", "cell_budget_s", "total_budget_s"]
        parts = [f"{k}={mach[k]}" for k in keys if k in mach and mach[k] is not None]
        for k, v in mach.items():
            if k not in keys and k not in ("packages", "methods") and not isinstance(v, (dict, list)):
                parts.append(f"{k}={v}")
        out.append(f"- `{os.path.basename(p)}`: " + ", ".join(md_escape(x) for x in parts))
        pk = mach.get("packages")
        if isinstance(pk, dict):
            out.append("  - packages: " + ", ".join(f"{k} {v}" for k, v in pk.items() if v))
    out.append("")
    return out


# ---------------------------------------------------------------- plots
def plots(records, labels, plots_dir, fixed_batch, summary_size, summary_batch, family):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as e:
        print(f"report.py: matplotlib unavailable ({e}); no plots", file=sys.stderr)
        return []
    os.makedirs(plots_dir, exist_ok=True)
    made = []
    ok = [r for r in records if r["status"] == "ok" and fnum(r.get("total_s"))
          and r.get("batch") and r["precision"] == "double" and r.get("family") == family]
    order = method_order(records)
    all_labels = list(OrderedDict.fromkeys(
        labels(r) for r in sorted(records, key=lambda r: order.index(r["method"]))))
    cmap = plt.get_cmap("tab10")
    color = {lab: cmap(i % 10) for i, lab in enumerate(all_labels)}
    marker = {lab: "os^Dv<>ph*"[i % 10] for i, lab in enumerate(all_labels)}

    def style(lab):
        bp = lab.startswith(BPQP) and not lab.startswith("bpqp-")
        return dict(color=color[lab], marker=marker[lab], lw=2.6 if bp else 1.4,
                    ms=6 if bp else 4, zorder=3 if bp else 2)

    # 1. throughput vs batch, one panel per size
    sizes = sorted({size_key(r) for r in ok})
    fig_n = max(1, len(sizes))
    cols = min(fig_n, 2 if fig_n <= 4 else 3)
    rows = (fig_n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6.2 * cols, 4.4 * rows), squeeze=False)
    for ax in axes.flat[fig_n:]:
        ax.axis("off")
    if not sizes:
        axes[0][0].text(0.5, 0.5, f"no ok records for {family}", ha="center", va="center")
    for ax, sz in zip(axes.flat, sizes):
        rs = [r for r in ok if size_key(r) == sz]
        for lab in all_labels:
            pts = sorted((r["batch"], r["batch"] / r["total_s"]) for r in rs if labels(r) == lab)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], label=lab, **style(lab))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{family} {sz[0]}×{sz[1]}")
        ax.set_xlabel("batch size")
        ax.set_ylabel("problems / s (forward + backward)")
        ax.grid(True, which="both", alpha=0.3)
    found = {}
    for ax in axes.flat:
        for h, l in zip(*ax.get_legend_handles_labels()):
            found.setdefault(l, h)
    labs = [lab for lab in all_labels if lab in found]
    handles = [found[lab] for lab in labs]
    if handles:
        fig.legend(handles, labs, loc="lower center", ncol=min(4, len(labs)), fontsize=9,
                   bbox_to_anchor=(0.5, 0.0))
    fig.suptitle("Throughput vs batch size (higher is better)")
    fig.tight_layout(rect=(0, 0.05 + 0.03 * ((len(labs) - 1) // 4), 1, 0.97))
    p = os.path.join(plots_dir, "throughput_vs_batch.png")
    fig.savefig(p, dpi=110)
    plt.close(fig)
    made.append(p)

    # 2. time per problem vs n at a fixed batch
    fig, ax = plt.subplots(figsize=(7.5, 5))
    rs = [r for r in ok if r["batch"] == fixed_batch]
    any_line = False
    for lab in all_labels:
        pts = sorted((r["n"], r["total_s"] / r["batch"] * 1e3, r["m"]) for r in rs if labels(r) == lab)
        if pts:
            any_line = True
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=lab, **style(lab))
    if any_line:
        ns = sorted({r["n"] for r in rs})
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(ns)
        ax.set_xticklabels([f"{n}×{next(r['m'] for r in rs if r['n'] == n)}" for n in ns])
        ax.minorticks_off()
        ax.legend(fontsize=9)
    else:
        ax.text(0.5, 0.5, f"no ok records at batch {fixed_batch}", ha="center", va="center",
                transform=ax.transAxes)
    ax.set_xlabel("problem size n×m")
    ax.set_ylabel("ms per problem (forward + backward)")
    ax.set_title(f"{family}: time per problem vs size at batch {fixed_batch} (lower is better)")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    p = os.path.join(plots_dir, "time_vs_size.png")
    fig.savefig(p, dpi=110)
    plt.close(fig)
    made.append(p)

    # 3. summary: speed-up of bpqp over each peer at one size and batch
    sn, sm = (int(x) for x in summary_size.split("x"))
    cand = [r for r in ok if (r["n"], r["m"]) == (sn, sm)]
    bp = [r for r in cand if r["method"] == BPQP]
    peers_at = defaultdict(list)
    for r in cand:
        if r["method"] != BPQP:
            peers_at[(r["batch"], r["threads"], r["sharing"])].append(r)
    chosen = None
    pairs = [(b["batch"], b) for b in bp
             if peers_at.get((b["batch"], b["threads"], b["sharing"]))]
    exact = [b for bb, b in pairs if bb == summary_batch]
    if exact:
        chosen = exact
    elif pairs:
        top = max(bb for bb, _ in pairs)
        chosen = [b for bb, b in pairs if bb == top]
    fig, ax = plt.subplots(figsize=(8, 4.8))
    if chosen:
        batch = chosen[0]["batch"]
        bpl = list(OrderedDict.fromkeys(labels(b) for b in chosen))
        peer_labs = list(OrderedDict.fromkeys(
            labels(r) for b in chosen for r in peers_at[(batch, b["threads"], b["sharing"])]))
        width = 0.8 / max(1, len(bpl))
        vals_all = []
        for j, bl in enumerate(bpl):
            b = next(x for x in chosen if labels(x) == bl)
            peers = {labels(r): r for r in peers_at[(batch, b["threads"], b["sharing"])]}
            xs, vs = [], []
            for i, pl in enumerate(peer_labs):
                if pl in peers:
                    xs.append(i + (j - (len(bpl) - 1) / 2) * width)
                    vs.append(peers[pl]["total_s"] / b["total_s"])
            vals_all += vs
            bars = ax.bar(xs, vs, width=width * 0.9, label=bl, color=cmap(j % 10))
            for rect, v in zip(bars, vs):
                ax.annotate(fmt_ratio(v), (rect.get_x() + rect.get_width() / 2, v),
                            ha="center", va="bottom", fontsize=9, xytext=(0, 2),
                            textcoords="offset points")
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_xticks(range(len(peer_labs)))
        ax.set_xticklabels(peer_labs, rotation=20, ha="right", fontsize=9)
        if vals_all and max(vals_all) / max(min(vals_all), 1e-12) > 20:
            ax.set_yscale("log")
            ax.set_ylim(min(0.8, min(vals_all) / 1.5), max(vals_all) * 3)
        elif vals_all:
            ax.set_ylim(0, max(vals_all) * 1.18)
        ax.set_ylabel("peer time / bpqp time  (>1: bpqp faster)")
        ax.set_title(f"Speed-up of bpqp over each peer, {family} {sn}×{sm}, batch {batch}")
        # peers with no ok record at this cell
        missing = sorted({labels(r) for r in records if r["method"] != BPQP
                          and (r.get("n"), r.get("m"), r.get("family")) == (sn, sm, family)
                          and r.get("batch") == batch and r["status"] != "ok"})
        thr = sorted({b["threads"] for b in chosen})
        foot = f"same threads for bpqp and peers ({', '.join(map(str, thr))})"
        if missing:
            foot += "; not measured in this cell: " + ", ".join(missing)
        fig.text(0.01, 0.01, foot, fontsize=8, va="bottom")
        if len(bpl) > 1:
            ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, f"no bpqp and peer records to compare at {family} {sn}×{sm}",
                ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    p = os.path.join(plots_dir, "summary.png")
    fig.savefig(p, dpi=110)
    plt.close(fig)
    made.append(p)
    return made


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", nargs="+", required=True)
    ap.add_argument("--out-md", required=True)
    ap.add_argument("--plots-dir", required=True)
    ap.add_argument("--fixed-batch", type=int, default=64)
    ap.add_argument("--summary-size", default="100x20")
    ap.add_argument("--summary-batch", type=int, default=1024)
    ap.add_argument("--plot-family", default="random_qp")
    a = ap.parse_args()

    machines, records = load(a.results)
    labels = Labels(records)
    made = plots(records, labels, a.plots_dir, a.fixed_batch, a.summary_size, a.summary_batch,
                 a.plot_family)

    md = ["# Differentiable QP solvers: bpqp and peers\n"]
    md.append(f"Sources: {', '.join('`' + os.path.basename(p) + '`' for p, _ in machines) or 'none'}. "
              "Times are medians over repeats for the whole batch; total = forward + backward "
              "(backward: the gradients of L = Σ_b dl_dx[b]·x[b]); problems/s = batch / total. "
              "Gradient cosines are per problem on the stacked vector (∂L/∂q, ∂L/∂l_i + ∂L/∂u_i "
              "per row i) against the dense full-KKT reference, over the problems "
              "whose reference is trustworthy. All numbers are double precision unless marked.\n")
    if made:
        md.append("Plots: " + ", ".join(f"[{os.path.basename(p)}]({os.path.relpath(p, os.path.dirname(os.path.abspath(a.out_md)))})"
                                         for p in made) + "\n")
    md.append("## Machines\n")
    md += machines_section(machines)
    md.append("## Methods\n")
    order = method_order(records)
    for lab, v in sorted(labels.legend, key=lambda x: order.index(x[0].split(" #")[0])
                         if x[0].split(" #")[0] in order else 99):
        md.append(f"- **{md_escape(lab)}**: {md_escape(v) or '—'}")
    md.append("")
    md.append("## Ratios: peer total time / bpqp total time\n")
    md.append("For identical (family, n, m, batch) in double precision, each peer is compared with "
              "the bpqp record that used the same number of threads (so the same cores) and the same "
              "data sharing (per-problem P and A unless marked); one row per bpqp record "
              "(variant, backend). A ratio above 1 means bpqp is faster; a "
              "status instead of a ratio means the peer has no measurement in that cell.\n")
    md += ratio_table(records, labels)
    md.append("## Results per family and size\n")
    md += main_tables(records, labels)
    md.append("## Notes: not installed, failed, skipped\n")
    md += notes_section(records, labels)
    os.makedirs(os.path.dirname(os.path.abspath(a.out_md)), exist_ok=True)
    with open(a.out_md, "w") as f:
        f.write("\n".join(md) + "\n")
    print(f"report.py: wrote {a.out_md} ({len(records)} records) and {len(made)} plots",
          file=sys.stderr)


if __name__ == "__main__":
    main()
