"""The portfolio experiment (benchmarks/portfolio): a short run of its pipeline on the real data,
and bpqp against qpth on its QP. Needs R's fBasics data (Debian r-cran-fbasics) and qpth, which
scripts/test_torch.sh installs."""
import os
import shutil
import subprocess
import sys

import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
PORTFOLIO = os.path.join(HERE, "..", "..", "benchmarks", "portfolio")
sys.path.insert(0, PORTFOLIO)
import portfolio  # noqa: E402


@pytest.fixture(scope="module")
def market(tmp_path_factory):
    if shutil.which("Rscript") is None:
        pytest.fail("Rscript not found: install r-cran-fbasics (bash scripts/install_deps.sh r-cran-fbasics)")
    csv = tmp_path_factory.mktemp("data") / "dowjones30.csv"
    subprocess.run(["Rscript", os.path.join(PORTFOLIO, "export_dowjones30.R"), str(csv)], check=True)
    config = portfolio.Config()
    m = portfolio.dowjones_market(str(csv), config)
    m.best = portfolio.hindsight_utility(m, config)
    return m


def test_the_data_splits_by_date_with_a_positive_definite_risk_model_per_day(market):
    dates = {k: (market.dates[v[0]], market.dates[v[-1]]) for k, v in market.splits.items()}
    assert dates["train"][1] < dates["valid"][0] <= dates["valid"][1] < dates["test"][0]
    assert sum(len(v) for v in market.splits.values()) == len(market.Y)
    assert market.assets == 30 and torch.isfinite(market.X).all() and torch.isfinite(market.Y).all()
    assert torch.linalg.eigvalsh(market.Sigma).min() > 0


def test_the_hindsight_portfolio_is_the_same_by_bpqp_and_by_qpth(market):
    rows = market.splits["test"][:64]
    small = portfolio.Market(market.dates[rows], market.X[rows], market.Y[rows], market.Sigma[rows])
    config = portfolio.Config()
    by_qpth = portfolio.hindsight_utility(small, config, solver="qpth")
    torch.testing.assert_close(market.best[rows], by_qpth, rtol=1e-6, atol=1e-6)


def test_bpqp_and_qpth_give_the_same_portfolios_and_regret_gradients(market):
    config = portfolio.Config()
    rows = market.splits["train"][:64]
    mu_hat = 0.5 * torch.randn(len(rows), market.assets, generator=torch.Generator().manual_seed(1),
                               dtype=torch.float64)
    weights, gradients = {}, {}
    for solver in ("bpqp", "qpth"):
        mu = mu_hat.clone().requires_grad_()
        layer = portfolio.PortfolioLayer(solver, market.assets, config.risk_aversion)
        w = layer(market.risk(rows), mu)
        regret = market.best[rows] - portfolio.utility(w, market.Y[rows], market.risk(rows), config.risk_aversion)
        regret.sum().backward()
        weights[solver], gradients[solver] = w.detach(), mu.grad
        assert getattr(layer, "unsolved", 0) == 0
    # bpqp at its default eps (1e-5, double) against qpth's interior point at 1e-12: the
    # weights within eps, the gradients within 10·eps relative (measured: 1e-10 and 1e-6).
    eps = 1e-5
    torch.testing.assert_close(weights["bpqp"], weights["qpth"], rtol=0, atol=eps)
    assert (gradients["bpqp"] - gradients["qpth"]).norm() <= 10 * eps * gradients["qpth"].norm()


@pytest.mark.parametrize("method", portfolio.METHODS)
def test_a_short_training_run_lowers_the_loss(market, method):
    config = portfolio.Config(epochs=3)
    model, history = portfolio.train(method, 0, market, config)
    assert history["loss"][-1] < history["loss"][0], history["loss"]
    assert history["unsolved"] == 0
    assert len(history["valid_regret"]) == 3 and min(history["valid_regret"]) >= 0
    test = portfolio.evaluate(model, market, "test", config)
    for key in ("mse", "ic", "icir", "excess_return", "sharpe", "regret"):
        assert torch.isfinite(torch.tensor(test[key])), key
    assert test["regret"] >= 0


def test_the_synthetic_universe_trains_end_to_end_with_a_shared_risk_model():
    market = portfolio.synthetic_market(assets=40, days=64)
    config = portfolio.Config(epochs=1, batch_days=16)
    market.best = portfolio.hindsight_utility(market, config)
    loss = {}
    for method in ("qpth", "bpqp", "bpqp_no_batch_phase"):
        _, history = portfolio.train(method, 0, market, config, validate=False)
        assert history["unsolved"] == 0
        loss[method] = history["loss"][0]
    # Same initial network, same batches: the two layers' steps differ only by solver error.
    assert loss["bpqp"] == pytest.approx(loss["qpth"], rel=1e-5)
    assert loss["bpqp_no_batch_phase"] == pytest.approx(loss["qpth"], rel=1e-5)
