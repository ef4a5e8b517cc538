// bpqp as a differentiable LibTorch layer: x = qp_layer(P, q, A, l, u).x, then
// loss.backward() reaches P, q, A, l and u through the BPQP backward (the registered
// torch operators bpqp::qp_solve and bpqp::qp_solve_backward, which Python uses too).
//
//   #include <bpqp/torch.hpp>
//   auto out = bpqp::torch::qp_layer(P, q, A, l, u);   // out.x (batch, n), out.y, out.status
//   loss_of(out.x).backward();
//
// Shapes: P (n, n), q (n), A (m, n), l, u (m), each with an optional leading batch dimension;
// an input without it (or expanded, stride 0) is shared by the batch and receives the SUM of
// the per-problem gradients. P is used as ½(P + Pᵀ); P = None is an LP, A = None no rows,
// l or u = None unbounded. One dtype (float32 or float64) and one device for all inputs.
// CMake: find_package(bpqp) with find_package(Torch), then link bpqp::torch.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <optional>

namespace bpqp::torch {

// What happens to problems the forward does not solve (status not solved / solved_inaccurate):
// they keep their status, the solver's x and y, and zero gradients, and
enum class OnFailure {
  warn,    // a warning names how many and why (the default: training goes on)
  raise,   // the call throws c10::Error naming the problems
  ignore,  // nothing is said: read LayerOutput::status
};

struct LayerSettings {
  std::optional<double> eps_abs, eps_rel;  // unset: 1e-5 in double, 1e-4 in float
  int max_iter = 10000;
  bool polish = true;                   // exact active sets for the backward
  bool interior_point_fallback = true;  // finish what ADMM stalls on
  bool check_convexity = true;          // a P that is not PSD is that problem's invalid_input
  bool batch_phase = true;              // one factorization for a batch sharing P and A
  bool shared_data_batch_phase = true;  // deprecated: batch_phase's former name (false turns it off too)
  // The backward's active-set threshold (unset: eps_abs) and its LP smoothing γ ≥ 0
  // (bpqp/backward.hpp, BackwardOptions): with γ > 0 an LP's gradients are informative.
  std::optional<double> active_tolerance;
  double lp_smoothing = 0.0;
  OnFailure on_failure = OnFailure::warn;
};

struct LayerOutput {
  at::Tensor x;       // (batch, n): the solutions; differentiable
  at::Tensor y;       // (batch, m): the duals, Px + q + Aᵀy = 0; differentiable
  at::Tensor status;  // (batch) int32: bpqp::SolveStatus values; not differentiable
};

LayerOutput qp_layer(const std::optional<at::Tensor>& P, const at::Tensor& q, const std::optional<at::Tensor>& A = {},
                     const std::optional<at::Tensor>& l = {}, const std::optional<at::Tensor>& u = {},
                     const LayerSettings& settings = {});

// The same as a module (no parameters of its own: the problem data come from the model).
class QpLayerImpl : public ::torch::nn::Module {
 public:
  explicit QpLayerImpl(LayerSettings settings = {}) : settings_(settings) {}
  LayerOutput forward(const std::optional<at::Tensor>& P, const at::Tensor& q, const std::optional<at::Tensor>& A = {},
                      const std::optional<at::Tensor>& l = {}, const std::optional<at::Tensor>& u = {}) {
    return qp_layer(P, q, A, l, u, settings_);
  }
  const LayerSettings& settings() const { return settings_; }

 private:
  LayerSettings settings_;
};

// The module holder (what TORCH_MODULE would declare; spelled out because inside
// bpqp::torch the macro's unqualified torch:: would name this namespace).
class QpLayer : public ::torch::nn::ModuleHolder<QpLayerImpl> {
 public:
  using ::torch::nn::ModuleHolder<QpLayerImpl>::ModuleHolder;
};

}  // namespace bpqp::torch
