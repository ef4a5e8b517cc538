// The autograd kernel of bpqp::qp_solve, registered once in C++ so that C++ (LibTorch) and
// Python training both get loss.backward(): the forward runs the op below autograd and saves
// what the backward needs (the data as solved, x, y, status: the backward derives the active
// set from y and the data, as the forward's polish did); the backward calls
// bpqp::qp_solve_backward through the dispatcher, so it runs on the data's device.
//
// An expanded P or A (a leading batch dimension of stride 0, from expand or broadcasting) is
// solved as one shared array, without copying; its gradient, the sum over the batch, goes
// back spread evenly over the expanded dimension, so that expand's own backward, which sums
// it, hands the sum to the tensor that was expanded.
#include <torch/csrc/autograd/custom_function.h>
#include <torch/library.h>

#include "torch/batch_tensors.hpp"
#include "torch/op_arguments.hpp"

namespace bpqp::torch_ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

const int64_t kBaseRank[5] = {2, 1, 2, 1, 1};  // P, q, A, l, u without the batch dimension

// The input as the op reads it: an expanded batched input becomes its one shared block.
std::optional<at::Tensor> unexpanded(const std::optional<at::Tensor>& t, int64_t base_rank) {
  if (t && t->defined() && is_expanded(*t, base_rank)) return t->select(0, 0);
  return t;
}

bool any_batched(const std::optional<at::Tensor> (&inputs)[5]) {
  for (int i = 0; i < 5; ++i) {
    if (inputs[i] && inputs[i]->defined() && inputs[i]->dim() == kBaseRank[i] + 1) return true;
  }
  return false;
}

class QpSolveFunction : public torch::autograd::Function<QpSolveFunction> {
 public:
  static variable_list forward(AutogradContext* ctx, BPQP_TORCH_SOLVE_PARAMETERS) {
    const std::optional<at::Tensor> given[5] = {P, q, A, l, u};
    // P and A, the large ones, are un-expanded (q, l, u, a vector per problem, are cheap to
    // copy); not when that would leave no batched input, which would lose the batch size.
    std::optional<at::Tensor> data[5] = {unexpanded(P, 2), q, unexpanded(A, 2), l, u};
    if (!any_batched(data) && any_batched(given)) std::copy(given, given + 5, data);
    at::AutoDispatchBelowADInplaceOrView below_autograd;
    auto [x, y, status] = qp_solve_op().call(data[0], *data[1], data[2], data[3], data[4], eps_abs, eps_rel, max_iter, polish,
                                  interior_point_fallback, check_convexity, batch_phase,
                                  active_tolerance, lp_smoothing, on_failure);
    // What the backward needs: the data as solved, and the forward's answer.
    variable_list saved;
    for (int i = 0; i < 5; ++i) saved.push_back(data[i].value_or(at::Tensor()));
    saved.insert(saved.end(), {x, y, status});
    ctx->save_for_backward(saved);
    // Shapes to give the gradients back in (an expanded input's, not its block's).
    for (int i = 0; i < 5; ++i) {
      const bool expanded = given[i] && given[i]->defined() && given[i]->dim() != data[i]->dim();
      ctx->saved_data["expanded" + std::to_string(i)] =
          expanded ? c10::IValue(given[i]->sizes().vec()) : c10::IValue();
    }
    // The active-set threshold defaults to the forward's eps_abs, as bpqp::backward's does.
    const std::optional<double> threshold = active_tolerance ? active_tolerance : eps_abs;
    ctx->saved_data["active_tolerance"] = threshold ? c10::IValue(*threshold) : c10::IValue();
    ctx->saved_data["lp_smoothing"] = lp_smoothing;
    ctx->mark_non_differentiable({status});
    return {x, y, status};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[5], &y = saved[6], &status = saved[7];
    const at::Tensor grad_x = grads[0].defined() ? grads[0] : at::zeros_like(x);
    const std::optional<at::Tensor> grad_y = grads[1].defined() ? std::optional<at::Tensor>(grads[1]) : std::nullopt;
    // needs_input_grad counts the tensors given, not the arguments (an absent P, A, l or u
    // has no edge).
    std::array<bool, 5> mask{};
    for (int i = 0, edge = 0; i < 5; ++i) {
      const bool given = i == 1 || saved[i].defined();
      mask[i] = given && ctx->needs_input_grad(edge);
      edge += given;
    }
    auto optional = [](const at::Tensor& t) { return t.defined() ? std::optional<at::Tensor>(t) : std::nullopt; };
    const c10::IValue threshold = ctx->saved_data["active_tolerance"];
    auto [dP, dq, dA, dl, du] =
        qp_solve_backward_op().call(grad_x, grad_y, x, y, status, optional(saved[0]), saved[1], optional(saved[2]), optional(saved[3]),
                optional(saved[4]), mask, threshold.isNone() ? std::nullopt : std::optional<double>(threshold.toDouble()),
                ctx->saved_data["lp_smoothing"].toDouble());
    variable_list out = {dP, dq, dA, dl, du};
    for (int i = 0; i < 5; ++i) {
      if (!mask[i]) {
        out[i] = at::Tensor();
        continue;
      }
      const c10::IValue shape = ctx->saved_data["expanded" + std::to_string(i)];
      if (!shape.isNone()) {
        const std::vector<int64_t> sizes = shape.toIntVector();
        out[i] = out[i].div(static_cast<double>(sizes[0])).expand(sizes);
      }
    }
    out.resize(15);  // no gradient for the settings
    return out;
  }
};

SolveOutputs qp_solve_autograd(BPQP_TORCH_SOLVE_PARAMETERS) {
  variable_list out = QpSolveFunction::apply(BPQP_TORCH_SOLVE_ARGUMENTS);
  return {out[0], out[1], out[2]};
}

}  // namespace

TORCH_LIBRARY_IMPL(bpqp, Autograd, m) { m.impl("qp_solve", &qp_solve_autograd); }

}  // namespace bpqp::torch_ops
