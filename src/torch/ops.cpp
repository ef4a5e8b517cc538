// The bpqp torch operators: their schemas and CPU kernels. (CUDA kernels:
// ops_cuda.cpp; autograd: autograd.cpp; fake kernels for torch.compile: the Python package.)
//
//   bpqp::qp_solve(P?, q, A?, l?, u?, settings…) -> (x, y, status)
//   bpqp::qp_solve_backward(grad_x, grad_y?, x, y, status, P?, q, A?, l?, u?, output_mask, …) -> (dP, dq, dA, dl, du)
//
// The backward returns each gradient in its input's shape (an unbatched input gets the sum
// over the batch), and an empty tensor for an input that is absent or not asked for.
#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/library.h>

#include <cstring>

#include "bpqp/backward.hpp"
#include "bpqp/errors.hpp"
#include "bpqp/solver.hpp"
#include "torch/batch_tensors.hpp"
#include "torch/op_arguments.hpp"
#include "torch/op_results.hpp"

namespace bpqp::torch_ops {
namespace {

template <class T>
SolveOutputs solve_cpu_typed(const BatchTensors& in, const Settings& settings, OnFailure on_failure) {
  Solver<T> solver(Executor::cpu(at::get_num_threads()), settings);
  SolveResult<T> r;
  try {
    r = solver.solve(in.view<T>());
  } catch (const Error& e) {
    TORCH_CHECK(false, "bpqp.qp_solve: ", e.what());
  }
  auto [x, y, status] = allocate_solution(in);
  std::memcpy(x.data_ptr<T>(), r.x.data(), r.x.size() * sizeof(T));
  if (!r.y.empty()) std::memcpy(y.data_ptr<T>(), r.y.data(), r.y.size() * sizeof(T));
  for (int b = 0; b < in.batch; ++b) status.data_ptr<int32_t>()[b] = static_cast<int32_t>(r.status[b]);
  report_failures(status.data_ptr<int32_t>(), in.batch, on_failure);
  return {x, y, status};
}

SolveOutputs qp_solve_cpu(BPQP_TORCH_SOLVE_PARAMETERS) {
  const SolveRequest r = solve_request(BPQP_TORCH_SOLVE_ARGUMENTS);
  return AT_DISPATCH_FLOATING_TYPES(r.in.dtype, "bpqp.qp_solve",
                                    [&] { return solve_cpu_typed<scalar_t>(r.in, r.settings, r.on_failure); });
}

template <class T>
GradientOutputs backward_cpu_typed(const BatchTensors& in, const BackwardTensors& t, const BackwardOptions& options) {
  SolveResult<T> fwd;
  fwd.batch = in.batch;
  fwd.n = in.n;
  fwd.m = in.m;
  fwd.x.assign(t.x.data_ptr<T>(), t.x.data_ptr<T>() + t.x.numel());
  fwd.y.assign(t.y.data_ptr<T>(), t.y.data_ptr<T>() + t.y.numel());
  fwd.status.resize(in.batch);
  for (int b = 0; b < in.batch; ++b) fwd.status[b] = static_cast<SolveStatus>(t.status.data_ptr<int32_t>()[b]);
  Gradients<T> g;
  try {
    g = backward(Executor::cpu(at::get_num_threads()), in.view<T>(), fwd, t.grad_x.data_ptr<T>(),
                 t.grad_y.defined() ? t.grad_y.data_ptr<T>() : nullptr, options);
  } catch (const Error& e) {
    TORCH_CHECK(false, "bpqp.qp_solve_backward: ", e.what());
  }
  std::array<at::Tensor, 5> out = allocate_gradients(in, t);
  const std::vector<T>* blocks[5] = {&g.dP, &g.dq, &g.dA, &g.dl, &g.du};
  for (int i = 0; i < 5; ++i) {
    if (t.wanted[i] && out[i].numel() > 0) std::memcpy(out[i].data_ptr<T>(), blocks[i]->data(), out[i].numel() * sizeof(T));
  }
  return {out[0], out[1], out[2], out[3], out[4]};
}

GradientOutputs qp_solve_backward_cpu(BPQP_TORCH_BACKWARD_PARAMETERS) {
  const BackwardRequest r = backward_request(BPQP_TORCH_BACKWARD_ARGUMENTS);
  return AT_DISPATCH_FLOATING_TYPES(r.in.dtype, "bpqp.qp_solve_backward",
                                    [&] { return backward_cpu_typed<scalar_t>(r.in, r.t, r.options); });
}

std::vector<std::string> status_names() {
  std::vector<std::string> names;
  for (int s = 0; s <= static_cast<int>(SolveStatus::numerical_error); ++s) {
    names.emplace_back(to_string(static_cast<SolveStatus>(s)));
  }
  return names;
}

// The failure warning's text for a status tensor ("" when every problem was solved). Python
// calls it to raise the warning as a Python warning: a TORCH_WARN inside an op called from
// torch.ops reaches only the C++ log.
std::string failure_warning(const at::Tensor& status) {
  const at::Tensor s = status.to(at::kCPU, at::kInt).contiguous();
  const std::string what = failure_message(s.data_ptr<int32_t>(), static_cast<int>(s.numel()));
  return what.empty() ? what : what + kFailureAdvice;
}

}  // namespace

TORCH_LIBRARY(bpqp, m) {
  m.def("qp_solve(Tensor? P, Tensor q, Tensor? A, Tensor? l, Tensor? u, " BPQP_TORCH_SOLVE_SETTINGS_SCHEMA
        ") -> (Tensor x, Tensor y, Tensor status)");
  m.def("qp_solve_backward(" BPQP_TORCH_BACKWARD_SCHEMA ") -> (Tensor dP, Tensor dq, Tensor dA, Tensor dl, Tensor du)");
  // The names of the forward statuses, by value (bpqp.Status in Python).
  m.def("status_names() -> str[]", &status_names);
  m.def("failure_warning(Tensor status) -> str", &failure_warning);
}

TORCH_LIBRARY_IMPL(bpqp, CPU, m) {
  m.impl("qp_solve", &qp_solve_cpu);
  m.impl("qp_solve_backward", &qp_solve_backward_cpu);
}

}  // namespace bpqp::torch_ops
