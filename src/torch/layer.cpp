// bpqp::torch::qp_layer: the registered operator, called through the dispatcher so that
// its autograd kernel records the backward.
#include "bpqp/torch.hpp"

#include "torch/op_arguments.hpp"

namespace bpqp::torch {
namespace {

const char* on_failure_name(OnFailure policy) {
  switch (policy) {
    case OnFailure::raise: return "raise";
    case OnFailure::ignore: return "ignore";
    case OnFailure::warn: break;
  }
  return "warn";
}

}  // namespace

LayerOutput qp_layer(const std::optional<at::Tensor>& P, const at::Tensor& q, const std::optional<at::Tensor>& A,
                     const std::optional<at::Tensor>& l, const std::optional<at::Tensor>& u,
                     const LayerSettings& s) {
  auto [x, y, status] = torch_ops::qp_solve_op().call(P, q, A, l, u, s.eps_abs, s.eps_rel, s.max_iter, s.polish, s.interior_point_fallback,
                                s.check_convexity, s.batch_phase && s.shared_data_batch_phase, s.active_tolerance, s.lp_smoothing,
                                on_failure_name(s.on_failure));
  return {x, y, status};
}

}  // namespace bpqp::torch
