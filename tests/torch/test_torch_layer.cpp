// The LibTorch API: torch::autograd::grad through bpqp::torch::qp_layer against central
// finite differences of the same layer, the module form, a failed problem's zero gradients,
// and (with a GPU) CPU/CUDA agreement.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "bpqp/status.hpp"
#include "bpqp/torch.hpp"

namespace {

using bpqp::torch::LayerSettings;
using bpqp::torch::qp_layer;

LayerSettings tight() {
  LayerSettings s;
  s.eps_abs = 1e-10;
  s.eps_rel = 1e-10;
  return s;
}

// A batch of strictly convex QPs with some rows binding (bounds around 0, random q).
struct Problem {
  torch::Tensor P, q, A, l, u;
};

Problem random_problem(int64_t batch, int64_t n, int64_t m, uint64_t seed) {
  torch::manual_seed(seed);
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  const torch::Tensor M = torch::randn({batch, n, n}, f64);
  Problem p;
  p.P = torch::matmul(M, M.transpose(1, 2)) / n + 0.5 * torch::eye(n, f64);
  p.q = torch::randn({batch, n}, f64);
  p.A = torch::randn({m, n}, f64);  // shared by the batch: its gradient is the sum
  p.l = -torch::rand({m}, f64) - 0.1;
  p.u = torch::rand({batch, m}, f64) + 0.1;
  return p;
}

// The loss whose gradient is checked: a fixed weighting of every x entry.
torch::Tensor loss_of(const Problem& p, const torch::Tensor& weights) {
  return (weights * qp_layer(p.P, p.q, p.A, p.l, p.u, tight()).x).sum();
}

TEST(TorchLayer, AutogradGradientsOfEveryInputMatchCentralDifferences) {
  Problem p = random_problem(3, 5, 4, 1);
  const torch::Tensor weights = torch::linspace(-1.0, 2.0, 3 * 5, torch::kFloat64).reshape({3, 5});
  std::vector<torch::Tensor*> inputs = {&p.P, &p.q, &p.A, &p.l, &p.u};
  std::vector<torch::Tensor> leaves;
  for (torch::Tensor* t : inputs) leaves.push_back(t->requires_grad_());
  const std::vector<torch::Tensor> grads = torch::autograd::grad({loss_of(p, weights)}, leaves);

  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  for (size_t i = 0; i < inputs.size(); ++i) {
    torch::Tensor flat = inputs[i]->view({-1});
    const torch::Tensor analytic = grads[i].reshape({-1});
    for (int64_t k = 0; k < flat.numel(); ++k) {
      const double saved = flat[k].item<double>();
      // One entry at a time, P's too: P enters as ½(P + Pᵀ), whose derivative in P_ij is
      // ½(G_ij + G_ji) = G_ij for the symmetric gradient G the layer returns.
      flat[k] = saved + h;
      const double plus = loss_of(p, weights).item<double>();
      flat[k] = saved - h;
      const double minus = loss_of(p, weights).item<double>();
      flat[k] = saved;
      const double numeric = (plus - minus) / (2 * h);
      EXPECT_NEAR(analytic[k].item<double>(), numeric, 1e-5 * (1 + std::abs(numeric)))
          << "input " << "PqAlu"[i] << ", entry " << k;
    }
  }
}

TEST(TorchLayer, TheModuleSolvesAsTheFunctionDoes) {
  const Problem p = random_problem(2, 4, 3, 2);
  bpqp::torch::QpLayer layer(tight());
  const auto module_out = layer(p.P, p.q, p.A, p.l, p.u);
  const auto function_out = qp_layer(p.P, p.q, p.A, p.l, p.u, tight());
  EXPECT_TRUE(torch::equal(module_out.x, function_out.x));
  EXPECT_EQ(module_out.status.scalar_type(), torch::kInt32);
  EXPECT_EQ(module_out.status.sizes(), (std::vector<int64_t>{2}));
}

TEST(TorchLayer, AnUnsolvedProblemKeepsItsStatusAndGetsZeroGradients) {
  Problem p = random_problem(2, 4, 2, 3);
  // Problem 1: the two rows of A made identical with disjoint ranges, i.e. infeasible.
  p.A = p.A.unsqueeze(0).repeat({2, 1, 1});
  p.A[1][1] = p.A[1][0];
  p.l = torch::stack({p.l, torch::tensor({1.0, -2.0}, torch::kFloat64)});
  p.u = torch::stack({p.u[0], torch::tensor({2.0, -1.0}, torch::kFloat64)});
  p.q.requires_grad_();
  LayerSettings s = tight();
  s.on_failure = bpqp::torch::OnFailure::ignore;
  const auto out = qp_layer(p.P, p.q, p.A, p.l, p.u, s);
  EXPECT_EQ(out.status[0].item<int>(), static_cast<int>(bpqp::SolveStatus::solved));
  EXPECT_EQ(out.status[1].item<int>(), static_cast<int>(bpqp::SolveStatus::primal_infeasible));
  const torch::Tensor dq = torch::autograd::grad({out.x.square().sum()}, {p.q})[0];
  EXPECT_EQ(dq[1].abs().max().item<double>(), 0.0);
  EXPECT_GT(dq[0].abs().max().item<double>(), 0.0);
  s.on_failure = bpqp::torch::OnFailure::raise;
  EXPECT_THROW(qp_layer(p.P, p.q, p.A, p.l, p.u, s), c10::Error);
}

TEST(TorchLayer, MixedDtypesAreAnErrorNamingTheArgument) {
  const Problem p = random_problem(1, 3, 2, 4);
  try {
    qp_layer(p.P, p.q.to(torch::kFloat32), p.A, p.l, p.u);
    FAIL() << "expected an error";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("P is Double but q is Float"), std::string::npos) << e.what();
  }
}

TEST(TorchLayerGpu, CpuAndCudaAgree) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no usable CUDA device (torch::cuda::is_available() is false)";
  Problem p = random_problem(8, 6, 4, 5);
  const auto cpu = qp_layer(p.P, p.q, p.A, p.l, p.u, tight());
  const auto cuda = qp_layer(p.P.cuda(), p.q.cuda(), p.A.cuda(), p.l.cuda(), p.u.cuda(), tight());
  EXPECT_TRUE(torch::allclose(cuda.x.cpu(), cpu.x, 1e-7, 1e-8));
  EXPECT_TRUE(torch::equal(cuda.status.cpu(), cpu.status));
  torch::Tensor q_cpu = p.q.clone().requires_grad_(), q_cuda = p.q.cuda().requires_grad_();
  const auto g_cpu = torch::autograd::grad({qp_layer(p.P, q_cpu, p.A, p.l, p.u, tight()).x.sum()}, {q_cpu})[0];
  const auto g_cuda = torch::autograd::grad(
      {qp_layer(p.P.cuda(), q_cuda, p.A.cuda(), p.l.cuda(), p.u.cuda(), tight()).x.sum()}, {q_cuda})[0];
  EXPECT_TRUE(torch::allclose(g_cuda.cpu(), g_cpu, 1e-6, 1e-8));
}

}  // namespace
