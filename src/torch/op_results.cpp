#include "torch/op_results.hpp"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

namespace bpqp::torch_ops {
namespace {

void check_output(const char* name, const at::Tensor& t, const std::vector<int64_t>& shape, at::ScalarType dtype,
                  const BatchTensors& in) {
  TORCH_CHECK(t.sizes() == at::IntArrayRef(shape), "bpqp.qp_solve_backward: ", name, " has shape ", t.sizes(),
              ", expected ", at::IntArrayRef(shape), " (from the data)");
  TORCH_CHECK(t.scalar_type() == dtype, "bpqp.qp_solve_backward: ", name, " is ", t.scalar_type(), ", expected ",
              dtype);
  TORCH_CHECK(t.device() == in.device, "bpqp.qp_solve_backward: ", name, " is on ", t.device(),
              " but the data is on ", in.device);
}

}  // namespace

std::vector<int64_t> status_shape(const BatchTensors& in) {
  if (in.batched) return {in.batch};
  return {};
}

BackwardTensors backward_tensors(const BatchTensors& in, const at::Tensor& grad_x,
                                 const std::optional<at::Tensor>& grad_y, const at::Tensor& x, const at::Tensor& y,
                                 const at::Tensor& status, std::array<bool, 5> output_mask) {
  const auto x_shape = output_shape(in, in.n), y_shape = output_shape(in, in.m);
  check_output("x", x, x_shape, in.dtype, in);
  check_output("y", y, y_shape, in.dtype, in);
  check_output("status", status, status_shape(in), at::kInt, in);
  check_output("grad_x", grad_x, x_shape, in.dtype, in);
  BackwardTensors t;
  t.grad_x = grad_x.contiguous();
  if (grad_y && grad_y->defined()) {
    check_output("grad_y", *grad_y, y_shape, in.dtype, in);
    t.grad_y = grad_y->contiguous();
  }
  t.x = x.contiguous();
  t.y = y.contiguous();
  t.status = status.contiguous();
  const bool given[5] = {in.has_P, true, in.has_A, in.has_l, in.has_u};
  for (int i = 0; i < 5; ++i) t.wanted[i] = output_mask[i] && given[i];
  return t;
}

SolveRequest solve_request(BPQP_TORCH_SOLVE_PARAMETERS) {
  check_backward_settings(active_tolerance, lp_smoothing);
  return {batch_tensors(P, q, A, l, u, ExpandedInputs::shared, "bpqp.qp_solve"),
          settings_from(eps_abs, eps_rel, max_iter, polish, interior_point_fallback, check_convexity, batch_phase),
          on_failure_from(on_failure)};
}

SolveOutputs allocate_solution(const BatchTensors& in) {
  const auto options = at::TensorOptions().dtype(in.dtype).device(in.device);
  return {at::empty(output_shape(in, in.n), options), at::empty(output_shape(in, in.m), options),
          at::empty(status_shape(in), options.dtype(at::kInt))};
}

BackwardRequest backward_request(BPQP_TORCH_BACKWARD_PARAMETERS) {
  BatchTensors in = batch_tensors(P, q, A, l, u, ExpandedInputs::per_problem, "bpqp.qp_solve_backward");
  BackwardTensors t = backward_tensors(in, grad_x, grad_y, x, y, status, output_mask);
  const BackwardOptions options = backward_options(t.wanted, active_tolerance, lp_smoothing);
  return {std::move(in), std::move(t), options};
}

std::array<at::Tensor, 5> allocate_gradients(const BatchTensors& in, const BackwardTensors& t) {
  const int64_t n = in.n, m = in.m;
  const std::vector<int64_t> block[5] = {{n, n}, {n}, {m, n}, {m}, {m}};
  const bool batched[5] = {in.P_batched, in.q_batched, in.A_batched, in.l_batched, in.u_batched};
  const auto options = at::TensorOptions().dtype(in.dtype).device(in.device);
  std::array<at::Tensor, 5> out;
  for (int i = 0; i < 5; ++i) {
    if (!t.wanted[i]) {
      out[i] = at::empty({0}, options);
      continue;
    }
    std::vector<int64_t> shape = block[i];
    if (batched[i]) shape.insert(shape.begin(), in.batch);
    out[i] = at::empty(shape, options);
  }
  return out;
}

}  // namespace bpqp::torch_ops
