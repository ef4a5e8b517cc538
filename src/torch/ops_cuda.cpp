// The CUDA kernels of the bpqp torch operators: the tensors' device memory goes straight to
// Solver::solve_on_device / backward_on_device, on the tensors' device (a device guard) and
// on torch's current stream there: no host copies and no synchronization, except where the
// failure policy ("warn", "raise") reads the statuses, which waits for that stream.
// Not yet run on a GPU (none has been available to the project).
#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/library.h>

#include "bpqp/backward.hpp"
#include "bpqp/errors.hpp"
#include "bpqp/solver.hpp"
#include "torch/batch_tensors.hpp"
#include "torch/op_arguments.hpp"
#include "torch/op_results.hpp"

namespace bpqp::torch_ops {
namespace {

Executor current_stream_executor(const at::Device& device) {
  return Executor::cuda(device.index(), at::cuda::getCurrentCUDAStream(device.index()).stream());
}

template <class T>
SolveOutputs solve_cuda_typed(const BatchTensors& in, const Settings& settings, OnFailure on_failure) {
  auto [x, y, status] = allocate_solution(in);
  try {
    Solver<T> solver(current_stream_executor(in.device), settings);
    solver.solve_on_device(in.view<T>(), {x.data_ptr<T>(), in.m > 0 ? y.data_ptr<T>() : nullptr,
                                          reinterpret_cast<SolveStatus*>(status.data_ptr<int32_t>()), nullptr});
  } catch (const Error& e) {
    TORCH_CHECK(false, "bpqp.qp_solve: ", e.what());
  }
  if (on_failure != OnFailure::ignore) {
    const at::Tensor host_status = status.to(at::kCPU);  // waits for the stream
    report_failures(host_status.data_ptr<int32_t>(), in.batch, on_failure);
  }
  return {x, y, status};
}

SolveOutputs qp_solve_cuda(BPQP_TORCH_SOLVE_PARAMETERS) {
  const c10::cuda::CUDAGuard guard(q.device());
  const SolveRequest r = solve_request(BPQP_TORCH_SOLVE_ARGUMENTS);
  return AT_DISPATCH_FLOATING_TYPES(r.in.dtype, "bpqp.qp_solve",
                                    [&] { return solve_cuda_typed<scalar_t>(r.in, r.settings, r.on_failure); });
}

template <class T>
GradientOutputs backward_cuda_typed(const BatchTensors& in, const BackwardTensors& t, const BackwardOptions& options) {
  std::array<at::Tensor, 5> out = allocate_gradients(in, t);
  auto pointer = [&](int i) { return t.wanted[i] && out[i].numel() > 0 ? out[i].data_ptr<T>() : nullptr; };
  // The backward statuses stay on the device: the forward's are what the user reads.
  at::Tensor backward_status = at::empty({in.batch}, t.status.options());
  DeviceGradients<T> gradients;
  gradients.dP = pointer(0);
  gradients.dq = pointer(1);
  gradients.dA = pointer(2);
  gradients.dl = pointer(3);
  gradients.du = pointer(4);
  gradients.status = reinterpret_cast<BackwardStatus*>(backward_status.data_ptr<int32_t>());
  BackwardOptions wanted = options;  // a gradient of zero entries (m = 0) is not asked for
  wanted.want_P = gradients.dP != nullptr;
  wanted.want_q = gradients.dq != nullptr;
  wanted.want_A = gradients.dA != nullptr;
  wanted.want_l = gradients.dl != nullptr;
  wanted.want_u = gradients.du != nullptr;
  const DeviceSolution<T> forward{t.x.data_ptr<T>(), in.m > 0 ? t.y.data_ptr<T>() : nullptr,
                                  reinterpret_cast<SolveStatus*>(t.status.data_ptr<int32_t>()), nullptr};
  try {
    backward_on_device(current_stream_executor(in.device), in.view<T>(), forward, t.grad_x.data_ptr<T>(),
                       t.grad_y.defined() && in.m > 0 ? t.grad_y.data_ptr<T>() : nullptr, gradients, wanted);
  } catch (const Error& e) {
    TORCH_CHECK(false, "bpqp.qp_solve_backward: ", e.what());
  }
  return {out[0], out[1], out[2], out[3], out[4]};
}

GradientOutputs qp_solve_backward_cuda(BPQP_TORCH_BACKWARD_PARAMETERS) {
  const c10::cuda::CUDAGuard guard(q.device());
  const BackwardRequest r = backward_request(BPQP_TORCH_BACKWARD_ARGUMENTS);
  return AT_DISPATCH_FLOATING_TYPES(r.in.dtype, "bpqp.qp_solve_backward",
                                    [&] { return backward_cuda_typed<scalar_t>(r.in, r.t, r.options); });
}

}  // namespace

TORCH_LIBRARY_IMPL(bpqp, CUDA, m) {
  m.impl("qp_solve", &qp_solve_cuda);
  m.impl("qp_solve_backward", &qp_solve_backward_cuda);
}

}  // namespace bpqp::torch_ops
