// The same QP through an installed bpqp::torch, differentiated: ∂(x₀ + x₁)/∂q = 0 there
// (the active row x₀ + x₁ = 1 holds the sum), ∂x₀/∂q₀ = −½.
#include <bpqp/torch.hpp>
#include <torch/torch.h>

#include <cstdio>

int main() {
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  torch::Tensor q = torch::tensor({-1.0, -1.0}, f64).requires_grad_();
  const auto out = bpqp::torch::qp_layer(torch::eye(2, f64), q, torch::ones({1, 2}, f64), std::nullopt,
                                         torch::ones({1}, f64));
  const torch::Tensor dq = torch::autograd::grad({out.x[0]}, {q})[0];
  std::printf("x = (%g, %g), d x0 / d q = (%g, %g)\n", out.x[0].item<double>(), out.x[1].item<double>(),
              dq[0].item<double>(), dq[1].item<double>());
  return std::abs(dq[0].item<double>() + 0.5) < 1e-6 && std::abs(dq[1].item<double>() - 0.5) < 1e-6 ? 0 : 1;
}
