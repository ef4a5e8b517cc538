"""End-to-end learning through the bpqp layer (PyTorch): an MLP predicts asset returns from
features, the layer turns them into mean–variance portfolio weights,

    minimize (γ/2) wᵀΣ̂w − μ̂ᵀw   subject to  1ᵀw = 1,  0 ≤ w ≤ 1,

and the loss is the realized regret against the portfolio chosen knowing the true returns.
Σ̂ = LLᵀ + εI is one parameter shared by the batch (its gradient: the sum over the batch).
Synthetic, seeded data: returns linear in the features plus noise, a factor covariance.
Prints the loss per epoch; exits 1 unless the last epoch's loss is below the first's.
"""
import sys

import torch

import bpqp

ASSETS, FEATURES, SAMPLES, BATCH, EPOCHS, RISK_AVERSION = 10, 5, 512, 64, 15, 2.0


def synthetic_market(generator):
    features = torch.randn(SAMPLES, FEATURES, generator=generator, dtype=torch.float64)
    loadings = 0.05 * torch.randn(FEATURES, ASSETS, generator=generator, dtype=torch.float64)
    factors = 0.1 * torch.randn(ASSETS, 2, generator=generator, dtype=torch.float64)
    covariance = factors @ factors.T + 0.01 * torch.eye(ASSETS, dtype=torch.float64)
    noise = torch.randn(SAMPLES, ASSETS, generator=generator, dtype=torch.float64) @ \
        torch.linalg.cholesky(covariance).T
    return features, features @ loadings + noise, covariance


def utility(w, returns, covariance):
    return (w * returns).sum(1) - 0.5 * RISK_AVERSION * ((w @ covariance) * w).sum(1)


def main():
    torch.manual_seed(0)
    features, returns, covariance = synthetic_market(torch.Generator().manual_seed(0))
    # Budget and box constraints: rows [1ᵀ; I], bounds [1; 0] ≤ · ≤ [1; 1].
    A = torch.cat([torch.ones(1, ASSETS, dtype=torch.float64), torch.eye(ASSETS, dtype=torch.float64)])
    l = torch.cat([torch.ones(1, dtype=torch.float64), torch.zeros(ASSETS, dtype=torch.float64)])
    u = torch.ones(ASSETS + 1, dtype=torch.float64)
    layer = bpqp.QPLayer(eps_abs=1e-7, eps_rel=1e-7)
    with torch.no_grad():  # the hindsight portfolio
        best_utility = utility(layer(RISK_AVERSION * covariance, -returns, A, l, u), returns, covariance)

    predictor = torch.nn.Sequential(torch.nn.Linear(FEATURES, 32), torch.nn.ReLU(),
                                    torch.nn.Linear(32, ASSETS)).double()
    L = torch.nn.Parameter(0.3 * torch.eye(ASSETS, dtype=torch.float64))
    optimizer = torch.optim.Adam([*predictor.parameters(), L], lr=1e-2)
    history = []
    for epoch in range(EPOCHS):
        total = 0.0
        for start in range(0, SAMPLES, BATCH):
            rows = slice(start, start + BATCH)
            sigma = L @ L.T + 1e-3 * torch.eye(ASSETS, dtype=torch.float64)
            w = layer(RISK_AVERSION * sigma, -predictor(features[rows]), A, l, u)
            regret = (best_utility[rows] - utility(w, returns[rows], covariance)).mean()
            optimizer.zero_grad()
            regret.backward()
            optimizer.step()
            total += regret.item() * BATCH / SAMPLES
        history.append(total)
        print(f"epoch {epoch:2d}  regret {total:.6f}")
    decreased = history[-1] < history[0]
    print(f"regret: first epoch {history[0]:.6f}, last epoch {history[-1]:.6f} "
          f"({'decreased' if decreased else 'DID NOT DECREASE'})")
    return 0 if decreased else 1


if __name__ == "__main__":
    sys.exit(main())
