// End-to-end learning through the bpqp layer (LibTorch): an MLP predicts asset returns from
// features, the layer turns them into mean–variance portfolio weights,
//   minimize (γ/2) wᵀΣ̂w − μ̂ᵀw   subject to  1ᵀw = 1,  0 ≤ w ≤ 1,
// and the loss is the realized regret against the portfolio chosen knowing the true returns.
// Σ̂ = LLᵀ + εI is one parameter shared by every sample of the batch: its gradient is the
// sum over the batch, which the layer returns for an unbatched input.
// Synthetic data (seeded): returns linear in the features plus noise, a factor covariance.
// Prints the loss per epoch; exits 1 unless the last epoch's loss is below the first's.
#include <torch/torch.h>

#include <cstdio>

#include "bpqp/torch.hpp"

namespace {

constexpr int64_t kAssets = 10, kFeatures = 5, kSamples = 512, kBatch = 64, kEpochs = 15;
constexpr double kRiskAversion = 2.0;

struct Market {
  torch::Tensor features, returns, covariance;  // (S, d), (S, n), (n, n)
};

Market synthetic_market() {
  torch::manual_seed(0);
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  Market m;
  m.features = torch::randn({kSamples, kFeatures}, f64);
  const torch::Tensor loadings = 0.05 * torch::randn({kFeatures, kAssets}, f64);
  const torch::Tensor factors = 0.1 * torch::randn({kAssets, 2}, f64);
  m.covariance = torch::matmul(factors, factors.t()) + 0.01 * torch::eye(kAssets, f64);
  const torch::Tensor noise = torch::matmul(torch::randn({kSamples, kAssets}, f64),
                                            torch::linalg_cholesky(m.covariance).t());
  m.returns = torch::matmul(m.features, loadings) + noise;
  return m;
}

// The budget and box constraints: rows [1ᵀ; I], bounds [1; 0] ≤ · ≤ [1; 1].
struct Constraints {
  torch::Tensor A, l, u;
};

Constraints portfolio_constraints() {
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  Constraints c;
  c.A = torch::cat({torch::ones({1, kAssets}, f64), torch::eye(kAssets, f64)});
  c.l = torch::cat({torch::ones({1}, f64), torch::zeros({kAssets}, f64)});
  c.u = torch::ones({kAssets + 1}, f64);
  return c;
}

// Mean–variance utility of weights w (S, n) under realized returns r and the true covariance.
torch::Tensor utility(const torch::Tensor& w, const torch::Tensor& r, const torch::Tensor& covariance) {
  return (w * r).sum(1) - 0.5 * kRiskAversion * (torch::matmul(w, covariance) * w).sum(1);
}

}  // namespace

int main() {
  const Market market = synthetic_market();
  const Constraints c = portfolio_constraints();
  bpqp::torch::LayerSettings settings;
  settings.eps_abs = settings.eps_rel = 1e-7;
  bpqp::torch::QpLayer layer(settings);

  // The hindsight portfolio: chosen knowing each sample's realized returns and Σ.
  torch::Tensor best;
  {
    torch::NoGradGuard no_grad;
    best = layer(kRiskAversion * market.covariance, -market.returns, c.A, c.l, c.u).x;
  }
  const torch::Tensor best_utility = utility(best, market.returns, market.covariance);

  torch::nn::Sequential predictor(torch::nn::Linear(kFeatures, 32), torch::nn::ReLU(),
                                  torch::nn::Linear(32, kAssets));
  predictor->to(torch::kFloat64);
  torch::Tensor L = torch::eye(kAssets, torch::kFloat64).mul(0.3).requires_grad_();
  std::vector<torch::Tensor> parameters = predictor->parameters();
  parameters.push_back(L);
  torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(1e-2));

  double first = 0, last = 0;
  for (int64_t epoch = 0; epoch < kEpochs; ++epoch) {
    double total = 0;
    for (int64_t start = 0; start < kSamples; start += kBatch) {
      const auto rows = torch::indexing::Slice(start, start + kBatch);
      const torch::Tensor mu = predictor->forward(market.features.index({rows}));
      const torch::Tensor sigma = torch::matmul(L, L.t()) + 1e-3 * torch::eye(kAssets, torch::kFloat64);
      const torch::Tensor w = layer(kRiskAversion * sigma, -mu, c.A, c.l, c.u).x;
      const torch::Tensor regret =
          (best_utility.index({rows}) - utility(w, market.returns.index({rows}), market.covariance)).mean();
      optimizer.zero_grad();
      regret.backward();
      optimizer.step();
      total += regret.item<double>() * kBatch / kSamples;
    }
    std::printf("epoch %2lld  regret %.6f\n", static_cast<long long>(epoch), total);
    if (epoch == 0) first = total;
    last = total;
  }
  std::printf("regret: first epoch %.6f, last epoch %.6f (%s)\n", first, last,
              last < first ? "decreased" : "DID NOT DECREASE");
  return last < first ? 0 : 1;
}
