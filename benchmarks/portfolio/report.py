"""Writes the portfolio experiment's table into README.md (between its `results` markers) and
its plots, from the JSON that portfolio.py wrote:

    python report.py RESULTS_DIR README.md
"""
import json
import os
import sys

import numpy as np

NAMES = {"two_stage": "Two-Stage (MSE)", "qpth": "end-to-end, qpth", "bpqp": "end-to-end, bpqp",
         "bpqp_no_batch_phase": "end-to-end, bpqp, batch phase off"}
BEGIN, END = "<!-- results: written by report.py -->", "<!-- end of results -->"


def mean_std(values, digits):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1) if len(values) > 1 else 0:.{digits}f}"


def dowjones_table(results):
    config = results["config"]
    lines = [f"30 Dow Jones stocks; test days {results['dates']['test'][0]} … {results['dates']['test'][1]} "
             f"({results['days']['test']}), {results['seeds']} seeds, {config['epochs']} epochs of batches of "
             f"{config['batch_days']} days, γ = {config['risk_aversion']:g}, λ = {config['mse_weight']:g}, "
             f"{results['threads']} torch threads. Mean ± standard deviation over the seeds.", "",
             "| method | IC | ICIR | excess return (%/yr) | Sharpe | test regret | training s/epoch | unsolved |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    methods = list(dict.fromkeys(run["method"] for run in results["runs"]))
    for method in methods:
        runs = [r for r in results["runs"] if r["method"] == method]
        t = lambda key: [r["test"][key] for r in runs]  # noqa: E731
        lines.append(f"| {NAMES[method]} | {mean_std(t('ic'), 4)} | {mean_std(t('icir'), 3)} | "
                     f"{mean_std(t('excess_return'), 2)} | {mean_std(t('sharpe'), 2)} | {mean_std(t('regret'), 4)} | "
                     f"{mean_std([np.mean(r['history']['epoch_seconds']) for r in runs], 3)} | "
                     f"{sum(r['history']['unsolved'] for r in runs)} |")
    for key, name in (("min_variance", "minimum variance (μ̂ = 0)"), ("equal_weight", "equal weight (w = 1/30)")):
        ref = results[key]
        lines.append(f"| {name} | — | — | {ref['excess_return']:.2f} | {ref['sharpe']:.2f} | {ref['regret']:.4f} | — | — |")
    return lines


def scale_table(results):
    rows = {r["method"]: r for r in results["rows"]}
    where = ("CPU, {} torch threads".format(results["threads"]) if results["device"] == "cpu"
             else results["device"].upper())
    lines = [f"Synthetic factor-model universe: {results['assets']} assets, one epoch of {results['days']} days in "
             f"batches of {results['batch_days']} (one Σ shared by the batch), {where}.", "",
             "| method | training s/epoch | ratio to bpqp | unsolved |", "|---|---:|---:|---:|"]
    for method, row in rows.items():
        ratio = row["epoch_seconds"] / rows["bpqp"]["epoch_seconds"] if "bpqp" in rows else float("nan")
        lines.append(f"| {NAMES[method]} | {row['epoch_seconds']:.2f} | {ratio:.2f} | {row['unsolved']} |")
    return lines


def plots(results, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    methods = list(dict.fromkeys(run["method"] for run in results["runs"]))
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for method in methods:
        runs = [r for r in results["runs"] if r["method"] == method]
        daily = np.mean([r["test"]["daily_returns"] for r in runs], axis=0)
        axes[0].plot(np.cumsum(daily), label=NAMES[method])
        for panel, key in ((1, "loss"), (2, "valid_regret")):
            curves = np.array([r["history"][key] for r in runs])
            if key == "loss":
                curves = curves / curves[:, :1]
            epochs = np.arange(1, curves.shape[1] + 1)
            axes[panel].plot(epochs, curves.mean(0), label=NAMES[method])
            axes[panel].fill_between(epochs, curves.min(0), curves.max(0), alpha=0.2)
    for key, name in (("min_variance", "minimum variance"), ("equal_weight", "equal weight")):
        axes[0].plot(np.cumsum(results[key]["daily_returns"]), "--", label=name)
    axes[0].set(title="cumulative test return (%, mean over seeds)", xlabel="test day")
    axes[1].set(title="training loss / first epoch's (each method its own loss)", xlabel="epoch")
    axes[2].set(title="validation regret", xlabel="epoch")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "dowjones30.png"), dpi=90)


def main(results_dir, readme):
    lines = []
    with open(os.path.join(results_dir, "dowjones30.json")) as f:
        dowjones = json.load(f)
    lines += dowjones_table(dowjones) + ["", "![cumulative test returns, training loss, validation regret]"
                                         "(results/dowjones30.png)", ""]
    plots(dowjones, results_dir)
    for name in sorted(os.listdir(results_dir)):
        if name.startswith("scale_") and name.endswith(".json"):
            with open(os.path.join(results_dir, name)) as f:
                lines += scale_table(json.load(f)) + [""]
    with open(readme) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{readme}: the markers {BEGIN!r} and {END!r} are missing")
    head, rest = text.split(BEGIN, 1)
    with open(readme, "w") as f:
        f.write(head + BEGIN + "\n" + "\n".join(lines) + END + rest.split(END, 1)[1])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
