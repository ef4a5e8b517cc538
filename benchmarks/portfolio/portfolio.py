"""Decision-focused portfolio learning through an optimization layer (the BPQP paper, §5), on
public data: the 30 Dow Jones stocks 1990–2001 (see README.md here for the data's provenance).

A network predicts each stock's next-day return from trailing-return features; a mean–variance
QP turns the predictions into weights,

    maximize μ̂ᵀw − (γ/2) wᵀΣw   subject to  1ᵀw = 1,  0 ≤ w ≤ 1,

with Σ a statistical (PCA) risk model of the trailing window, one Σ per day (per-sample P).
Three ways to train the same network for the same budget:

    two_stage   mean squared error of the prediction only
    qpth        regret + λ·MSE, differentiated through qpth (OptNet's batched interior point)
    bpqp        regret + λ·MSE, differentiated through bpqp (ADMM forward, BPQP backward)

where the regret of a day is U(w*) − U(ŵ), U(w) = rᵀw − (γ/2)wᵀΣw with r the realized
returns and w* the portfolio chosen knowing them. The test metrics of every method come from
the same evaluation (portfolios solved by bpqp from each method's predictions).

    python portfolio.py dowjones --csv dowjones30.csv --out results/   # the table and plots
    python portfolio.py scale --out results/                           # 500 synthetic assets
"""
import argparse
import dataclasses
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import torch

import bpqp

METHODS = ("two_stage", "qpth", "bpqp")
# The scale run also times bpqp with its batch phase for shared P and A turned off.
SCALE_METHODS = METHODS + ("bpqp_no_batch_phase",)


@dataclasses.dataclass
class Config:
    risk_aversion: float = 1.0      # γ, with returns in percent (Σ in %²)
    mse_weight: float = 1.0         # λ of the end-to-end loss
    epochs: int = 20
    batch_days: int = 32
    learning_rate: float = 1e-3
    hidden: int = 32
    window: int = 60                # trailing days of the risk model and the longest feature
    factors: int = 5                # PCA factors of the risk model


# ---------------------------------------------------------------- data

@dataclasses.dataclass
class Market:
    """One sample per day t: features X[t] (assets × features), the realized next-day returns
    Y[t] (%), the risk model Sigma[t] (%²; or one (assets × assets) Sigma shared by every
    day) and the hindsight utility best[t] = U(w*)."""
    dates: np.ndarray
    X: torch.Tensor
    Y: torch.Tensor
    Sigma: torch.Tensor
    best: torch.Tensor = None
    splits: dict = None             # name → index tensor

    @property
    def assets(self):
        return self.Y.shape[1]

    def risk(self, rows):
        """Σ of the days `rows`: per day, or the shared one as it is (a batch stride of 0 for
        the layers, which is what bpqp's batch phase for shared P and A needs)."""
        return self.Sigma[rows] if self.Sigma.dim() == 3 else self.Sigma


def load_prices(csv_path):
    """The CSV written by export_dowjones30.R: a date column, then one close price per stock."""
    with open(csv_path) as f:
        header = f.readline().strip().split(",")
        rows = [line.strip().split(",") for line in f if line.strip()]
    dates = np.array([r[0].strip('"') for r in rows])
    prices = np.array([[float(v) for v in r[1:]] for r in rows])
    if not np.all(np.isfinite(prices)) or np.any(prices <= 0):
        raise ValueError(f"{csv_path}: prices must be finite and positive")
    return dates, [h.strip('"') for h in header[1:]], prices


def rolling_mean(values, window):
    """Mean over the `window` rows ending at each row (NaN before the first full window)."""
    c = np.cumsum(np.vstack([np.zeros((1, values.shape[1])), values]), axis=0)
    out = np.full_like(values, np.nan)
    out[window - 1:] = (c[window:] - c[:-window]) / window
    return out


def trailing_features(prices, returns):
    """Per stock and day, from data up to that day's close: the last five returns, mean returns
    over 5/10/20/60 days, volatilities over 5/20/60 days, the price against its 20- and 60-day
    averages. Each is standardized across the stocks of the day (as Alpha158 features are)."""
    p = prices[1:]
    columns = [np.roll(returns, k, axis=0) for k in range(5)]
    columns += [rolling_mean(returns, w) for w in (5, 10, 20, 60)]
    columns += [np.sqrt(np.maximum(rolling_mean(returns ** 2, w) - rolling_mean(returns, w) ** 2, 0))
                for w in (5, 20, 60)]
    columns += [p / rolling_mean(p, w) - 1 for w in (20, 60)]
    X = np.stack(columns, axis=-1)
    with warnings.catch_warnings():  # the first `window` days are all NaN and never used
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, std = np.nanmean(X, axis=1, keepdims=True), np.nanstd(X, axis=1, keepdims=True)
    return np.clip((X - mean) / np.where(std > 0, std, 1), -5, 5)


def pca_risk_model(window_returns, factors):
    """Σ = V_k Λ_k V_kᵀ + D: the top-k principal components of the window's sample covariance,
    the rest as specific (diagonal) variance, floored at 10% of each stock's variance so that Σ
    stays well conditioned (strictly positive definite, as qpth needs)."""
    S = np.cov(window_returns, rowvar=False)
    values, vectors = np.linalg.eigh(S)
    V, lam = vectors[:, -factors:], values[-factors:]
    common = (V * lam) @ V.T
    specific = np.maximum(np.diag(S) - np.diag(common), 0.1 * np.diag(S))
    return common + np.diag(specific)


def dowjones_market(csv_path, config, train_end="1996-12-31", valid_end="1998-12-31"):
    dates, _, prices = load_prices(csv_path)
    returns = 100 * (prices[1:] / prices[:-1] - 1)        # returns[t]: from day t to day t+1 (%)
    X = trailing_features(prices, returns)
    days = np.arange(config.window - 1, len(returns) - 1)  # a full window behind, a label ahead
    Sigma = np.stack([pca_risk_model(returns[t - config.window + 1:t + 1], config.factors) for t in days])
    day_dates = dates[1:][days]
    market = Market(day_dates, torch.from_numpy(X[days]), torch.from_numpy(returns[days + 1]),
                    torch.from_numpy(Sigma))
    market.splits = {"train": torch.from_numpy(np.flatnonzero(day_dates <= train_end)),
                     "valid": torch.from_numpy(np.flatnonzero((day_dates > train_end) & (day_dates <= valid_end))),
                     "test": torch.from_numpy(np.flatnonzero(day_dates > valid_end))}
    return market


def synthetic_market(assets, days, features=8, factors=10, seed=0):
    """A factor-model universe: r = μ + Bf + ε with μ = Xβ linear in the features (a weak signal
    against the noise, as in real returns), one known Σ = BBᵀ + D for every day (shared P)."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(days, assets, features, generator=g, dtype=torch.float64)
    beta = 0.3 * torch.randn(features, generator=g, dtype=torch.float64) / math.sqrt(features)
    B = 0.5 * torch.randn(assets, factors, generator=g, dtype=torch.float64)
    specific = 1 + 3 * torch.rand(assets, generator=g, dtype=torch.float64)
    Sigma = B @ B.T + torch.diag(specific)
    noise = torch.randn(days, assets, generator=g, dtype=torch.float64) @ torch.linalg.cholesky(Sigma).T
    market = Market(np.arange(days), X, X @ beta + noise, Sigma)
    market.splits = {"train": torch.arange(days)}
    return market


# ---------------------------------------------------------------- the optimization layer

def budget_and_box(n, device="cpu"):
    """The rows [1ᵀ; I] with bounds [1; 0] ≤ · ≤ [1; 1] (bpqp's l ≤ Ax ≤ u)."""
    f = dict(dtype=torch.float64, device=device)
    A = torch.cat([torch.ones(1, n, **f), torch.eye(n, **f)])
    return A, torch.cat([torch.ones(1, **f), torch.zeros(n, **f)]), torch.ones(n + 1, **f)


class PortfolioLayer:
    """ŵ = argmax μ̂ᵀw − (γ/2)wᵀΣw over the budget and box, by bpqp or qpth; counts the
    problems bpqp did not solve (their gradient is zero; counted here rather than warned of,
    unless on_failure="raise"). eps: bpqp's eps_abs = eps_rel (None: its default)."""

    def __init__(self, solver, n, risk_aversion, device="cpu", eps=None, on_failure="ignore"):
        self.gamma = risk_aversion
        self.settings = {"on_failure": on_failure, **({} if eps is None else {"eps_abs": eps, "eps_rel": eps})}
        self.solver, self.batch_phase = ("bpqp", False) if solver == "bpqp_no_batch_phase" else (solver, True)
        self.A, self.l, self.u = budget_and_box(n, device)
        # qpth's form Gw ≤ h, Aw = b of the same problem.
        self.G = torch.cat([-self.A[1:], self.A[1:]])
        self.h = torch.cat([torch.zeros_like(self.u[1:]), self.u[1:]])
        self.unsolved = 0
        if solver == "qpth":
            from qpth.qp import QPFunction
            self.qpth = QPFunction(verbose=-1, check_Q_spd=False)

    def __call__(self, Sigma, mu_hat):
        P = self.gamma * Sigma
        if self.solver == "qpth":
            return self.qpth(P, -mu_hat, self.G, self.h, self.A[:1], self.l[:1])
        w, _, status = bpqp.qp_layer(P, -mu_hat, self.A, self.l, self.u, return_duals=True, check_convexity=False,
                                     batch_phase=self.batch_phase, **self.settings)
        self.unsolved += int((status != bpqp.Status.solved).sum())
        return w


def utility(w, returns, Sigma, risk_aversion):
    return (w * returns).sum(-1) - 0.5 * risk_aversion * (w.unsqueeze(-2) @ Sigma @ w.unsqueeze(-1)).flatten()


def hindsight_utility(market, config, solver="bpqp"):
    """U(w*) of every day, w* solved from the realized returns (tight tolerances)."""
    layer = PortfolioLayer(solver, market.assets, config.risk_aversion, market.Y.device, eps=1e-9, on_failure="raise")
    with torch.no_grad():
        out = []
        for rows in torch.arange(len(market.Y)).split(256):
            w = layer(market.risk(rows), market.Y[rows])
            out.append(utility(w, market.Y[rows], market.risk(rows), config.risk_aversion))
    return torch.cat(out)


# ---------------------------------------------------------------- training

class Predictor(torch.nn.Module):
    """The same small MLP applied to every stock's features: (days, assets, F) → (days, assets)."""

    def __init__(self, features, hidden):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(features, hidden), torch.nn.ReLU(),
                                       torch.nn.Linear(hidden, 1)).double()

    def forward(self, X):
        return self.net(X).squeeze(-1)


def train(method, seed, market, config, split="train", validate=True):
    """Trains one network; returns (model at the best validation epoch, history)."""
    torch.manual_seed(seed)
    model = Predictor(market.X.shape[-1], config.hidden).to(market.Y.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    order = torch.Generator().manual_seed(seed)
    layer = None if method == "two_stage" else PortfolioLayer(method, market.assets, config.risk_aversion,
                                                              market.Y.device)
    days = market.splits[split]
    history = {"loss": [], "epoch_seconds": [], "valid_regret": [], "valid_mse": []}
    best, best_state = math.inf, None
    for _ in range(config.epochs):
        start, total = time.perf_counter(), 0.0
        for rows in days[torch.randperm(len(days), generator=order)].split(config.batch_days):
            mu_hat = model(market.X[rows])
            loss = ((mu_hat - market.Y[rows]) ** 2).mean()
            if layer is not None:
                w = layer(market.risk(rows), mu_hat)
                regret = market.best[rows] - utility(w, market.Y[rows], market.risk(rows), config.risk_aversion)
                loss = regret.mean() + config.mse_weight * loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows) / len(days)
        if market.Y.is_cuda:
            torch.cuda.synchronize()
        history["epoch_seconds"].append(time.perf_counter() - start)
        history["loss"].append(total)
        if validate:
            valid = evaluate(model, market, "valid", config)
            history["valid_regret"].append(valid["regret"])
            history["valid_mse"].append(valid["mse"])
            # Each method is selected by its own objective on the validation days.
            score = valid["mse"] if method == "two_stage" else valid["regret"] + config.mse_weight * valid["mse"]
            if score < best:
                best, best_state = score, {k: v.clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    history["unsolved"] = 0 if layer is None else layer.unsolved
    return model, history


def portfolio_weights(mu_hat, market, rows, config):
    layer = PortfolioLayer("bpqp", market.assets, config.risk_aversion, mu_hat.device, eps=1e-7, on_failure="raise")
    return layer(market.risk(rows), mu_hat)


def evaluate(model, market, split, config, predictions=None, weights=None):
    """Prediction (MSE, IC, ICIR), portfolio (returns against the equal-weight portfolio, Sharpe)
    and optimization (regret) metrics of a split; `predictions` overrides the model's, `weights`
    the portfolio (the prediction metrics then describe the predictions regardless)."""
    rows = market.splits[split]
    with torch.no_grad():
        mu_hat = model(market.X[rows]) if predictions is None else predictions(rows)
        y, Sigma = market.Y[rows], market.risk(rows)
        w = portfolio_weights(mu_hat, market, rows, config) if weights is None else weights(rows)
        regret = market.best[rows] - utility(w, y, Sigma, config.risk_aversion)
        centred_p, centred_y = mu_hat - mu_hat.mean(1, keepdim=True), y - y.mean(1, keepdim=True)
        ic = (centred_p * centred_y).sum(1) / (centred_p.norm(dim=1) * centred_y.norm(dim=1)).clamp_min(1e-300)
        daily = (w * y).sum(1)                     # %, the portfolio's next-day return
        excess = daily - y.mean(1)                 # against the equal-weight portfolio
    return {"mse": float(((mu_hat - y) ** 2).mean()), "ic": float(ic.mean()), "icir": float(ic.mean() / ic.std()),
            "excess_return": float(252 * excess.mean()), "sharpe": float(math.sqrt(252) * daily.mean() / daily.std()),
            "regret": float(regret.mean()), "daily_returns": [round(v, 5) for v in daily.tolist()],
            "daily_excess": [round(v, 5) for v in excess.tolist()]}


# ---------------------------------------------------------------- the experiments

def run_dowjones(args):
    config = Config(epochs=args.epochs)
    market = dowjones_market(args.csv, config)
    market.best = hindsight_utility(market, config)
    counts = {k: len(v) for k, v in market.splits.items()}
    print(f"days: {counts}, assets {market.assets}, features {market.X.shape[-1]}", flush=True)
    results = {"config": dataclasses.asdict(config), "seeds": args.seeds, "days": counts,
               "dates": {k: [str(market.dates[v[0]]), str(market.dates[v[-1]])] for k, v in market.splits.items()},
               "threads": torch.get_num_threads(), "runs": []}
    # References without a prediction: μ̂ = 0 (the minimum-variance portfolio) and w = 1/n.
    zero = lambda rows: torch.zeros(len(rows), market.assets, dtype=torch.float64)  # noqa: E731
    results["min_variance"] = evaluate(None, market, "test", config, predictions=zero)
    results["equal_weight"] = evaluate(None, market, "test", config, predictions=zero,
                                       weights=lambda rows: zero(rows) + 1 / market.assets)
    for seed in range(args.seeds):
        for method in args.methods:
            model, history = train(method, seed, market, config)
            test = evaluate(model, market, "test", config)
            results["runs"].append({"method": method, "seed": seed, "history": history, "test": test})
            print(f"seed {seed} {method:9s} test regret {test['regret']:.4f} IC {test['ic']:+.4f} "
                  f"excess {test['excess_return']:+.2f}%/yr Sharpe {test['sharpe']:.2f} "
                  f"epoch {np.mean(history['epoch_seconds']):.2f} s unsolved {history['unsolved']}", flush=True)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "dowjones30.json"), "w") as f:
        json.dump(results, f)
    return results


def run_scale(args):
    """Training time per epoch on a synthetic universe (shared Σ: bpqp's batch phase)."""
    config = Config(epochs=1, batch_days=args.batch_days)
    market = synthetic_market(args.assets, args.days)
    market.X, market.Y, market.Sigma = (t.to(args.device) for t in (market.X, market.Y, market.Sigma))
    start = time.perf_counter()
    market.best = hindsight_utility(market, config)
    hindsight_seconds = time.perf_counter() - start
    rows = []
    for method in args.methods:
        model, history = train(method, 0, market, config, validate=False)
        rows.append({"method": method, "epoch_seconds": history["epoch_seconds"][0], "loss": history["loss"][0],
                     "unsolved": history["unsolved"]})
        print(f"{args.assets} assets, {args.days} days in batches of {args.batch_days}, {args.device}: {method:9s} "
              f"{history['epoch_seconds'][0]:.2f} s/epoch, loss {history['loss'][0]:.4f}", flush=True)
    results = {"assets": args.assets, "days": args.days, "batch_days": args.batch_days, "device": args.device,
               "threads": torch.get_num_threads(), "hindsight_seconds": hindsight_seconds, "rows": rows}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"scale_{args.assets}_{args.device}.json"), "w") as f:
        json.dump(results, f)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="experiment", required=True)
    dj = sub.add_parser("dowjones", help="the 30-stock table")
    dj.add_argument("--csv", required=True)
    dj.add_argument("--seeds", type=int, default=5)
    dj.add_argument("--epochs", type=int, default=Config.epochs)
    sc = sub.add_parser("scale", help="training time on a synthetic universe")
    sc.add_argument("--assets", type=int, default=500)
    sc.add_argument("--days", type=int, default=64)
    sc.add_argument("--batch-days", type=int, default=16)
    sc.add_argument("--device", default="cpu", help="cpu, or cuda where torch and bpqp have a GPU")
    dj.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    sc.add_argument("--methods", nargs="+", choices=SCALE_METHODS, default=list(SCALE_METHODS))
    for p in (dj, sc):
        p.add_argument("--out", default="results")
    args = parser.parse_args(argv)
    return run_dowjones(args) if args.experiment == "dowjones" else run_scale(args)


if __name__ == "__main__":
    main()
    sys.exit(0)
