#include "bpqp/backward.hpp"

#include <chrono>
#include <cmath>
#include <string>

#include "core/admm_params.hpp"
#include "core/backward_backends.hpp"
#include "core/backward_params.hpp"

namespace bpqp {

const char* to_string(BackwardStatus status) {
  switch (status) {
    case BackwardStatus::ok: return "ok";
    case BackwardStatus::regularized: return "regularized";
    case BackwardStatus::forward_not_solved: return "forward_not_solved";
    case BackwardStatus::not_converged: return "not_converged";
    case BackwardStatus::non_finite_input: return "non_finite_input";
    case BackwardStatus::numerical_error: return "numerical_error";
    case BackwardStatus::degenerate_cone: return "degenerate_cone";
  }
  return "unknown";
}

template <class T>
int Gradients<T>::count(BackwardStatus s) const {
  int c = 0;
  for (BackwardStatus v : status) c += v == s;
  return c;
}

namespace {

using detail::require;
using detail::to_backward_params;
using detail::validate_forward;
using detail::validate_options;

template <class T>
void validate_call(const QpBatchView<T>& batch, const SolveResult<T>& forward, const T* dl_dx,
                   const BackwardOptions& o) {
  constexpr const char* entry = "backward";
  validate(batch);
  validate_forward(forward, batch.batch, batch.n, batch.m, dl_dx, entry);
  validate_options(o, entry);
}

// What backward_on_device can check on the host; the device pointers themselves are
// checked by the CUDA backend (is each one device memory?).
template <class T>
void validate_device_call(const Executor& executor, const QpBatchView<T>& batch, const DeviceSolution<T>& forward,
                          const T* dl_dx, const DeviceGradients<T>& out, const BackwardOptions& o) {
  constexpr const char* entry = "backward_on_device";
  require(executor.kind() == Executor::Kind::cuda, entry,
          "needs a CUDA executor (this one is a CPU executor; backward() takes host arrays)");
  validate(batch);
  validate_options(o, entry);
  require(!o.error_if_unsolved, entry,
          "BackwardOptions::error_if_unsolved is not supported: the forward statuses are on the device and reading "
          "them would synchronize the stream; unsolved problems get BackwardStatus::forward_not_solved in out.status");
  const bool wanted[5] = {o.want_P, o.want_q, o.want_A, o.want_l, o.want_u};
  const T* const pointers[5] = {out.dP, out.dq, out.dA, out.dl, out.du};
  const char* const names[5] = {"P", "q", "A", "l", "u"};
  for (int k = 0; k < 5; ++k)
    require(wanted[k] || !pointers[k], entry,
            std::string("out.d") + names[k] + " is given but BackwardOptions::want_" + names[k] +
                " is false: pass null for a gradient not wanted");
  if (batch.batch == 0) return;
  require(forward.x != nullptr, entry, "forward.x is null: x* (batch × n) is required");
  require(forward.y != nullptr || batch.m == 0, entry, "forward.y is null: y* (batch × m) is required when m > 0");
  require(forward.status != nullptr, entry, "forward.status is null: the forward statuses (batch) are required");
  require(dl_dx != nullptr, entry, "dl_dx is null: ∂L/∂x (batch × n) is required");
  require(out.status != nullptr, entry, "out.status is null: the backward statuses (batch) are required");
}

}  // namespace

namespace detail {

template <class T>
Gradients<T> backward_with_state(const Executor& executor, const QpBatchView<T>& batch, const SolveResult<T>& forward,
                                 const T* dl_dx, const T* dl_dy, const BackwardOptions& options,
                                 cuda::DeviceStatePtr* state) {
  validate_call(batch, forward, dl_dx, options);
  detail::throw_if_unsolved(forward, options, "backward");
  const auto start = std::chrono::steady_clock::now();

  Gradients<T> g;
  g.batch = batch.batch;
  g.n = batch.n;
  g.m = batch.m;
  const std::ptrdiff_t n = batch.n, m = batch.m;
  detail::size_gradient(options.want_P, batch.P_stride, n * n, batch.batch, g.dP, g.dP_stride);
  detail::size_gradient(options.want_q, batch.q_stride, n, batch.batch, g.dq, g.dq_stride);
  detail::size_gradient(options.want_A, batch.A_stride, m * n, batch.batch, g.dA, g.dA_stride);
  detail::size_gradient(options.want_l, batch.l_stride, m, batch.batch, g.dl, g.dl_stride);
  detail::size_gradient(options.want_u, batch.u_stride, m, batch.batch, g.du, g.du_stride);

  const kernels::BackwardParams<T> params = to_backward_params<T>(options);
  switch (executor.kind()) {
    case Executor::Kind::cpu:
      cpu::backward(batch, forward, dl_dx, dl_dy, params, executor.threads(), g);
      break;
    case Executor::Kind::cuda: {
      cuda::DeviceStatePtr own;
      cuda::backward(batch, forward, dl_dx, dl_dy, params, executor, state ? *state : own, g);
      break;
    }
  }
  g.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return g;
}

template Gradients<float> backward_with_state(const Executor&, const QpBatchView<float>&, const SolveResult<float>&,
                                              const float*, const float*, const BackwardOptions&,
                                              cuda::DeviceStatePtr*);
template Gradients<double> backward_with_state(const Executor&, const QpBatchView<double>&,
                                               const SolveResult<double>&, const double*, const double*,
                                               const BackwardOptions&, cuda::DeviceStatePtr*);

}  // namespace detail

template <class T>
Gradients<T> backward(const Executor& executor, const QpBatchView<T>& batch, const SolveResult<T>& forward,
                      const T* dl_dx, const typename detail::NonDeduced<T>::type* dl_dy, const BackwardOptions& options) {
  return detail::backward_with_state(executor, batch, forward, dl_dx, dl_dy, options, nullptr);
}

template <class T>
void backward_on_device(const Executor& executor, const QpBatchView<T>& device_batch, const DeviceSolution<T>& forward,
                        const T* dl_dx, const typename detail::NonDeduced<T>::type* dl_dy,
                        const DeviceGradients<T>& out, const BackwardOptions& options) {
  validate_device_call(executor, device_batch, forward, dl_dx, out, options);
  cuda::backward_on_device(device_batch, forward, dl_dx, dl_dy, to_backward_params<T>(options), executor, out);
}

template struct Gradients<float>;
template struct Gradients<double>;
template Gradients<float> backward(const Executor&, const QpBatchView<float>&, const SolveResult<float>&, const float*,
                                   const detail::NonDeduced<float>::type*, const BackwardOptions&);
template Gradients<double> backward(const Executor&, const QpBatchView<double>&, const SolveResult<double>&,
                                    const double*, const detail::NonDeduced<double>::type*, const BackwardOptions&);

template void backward_on_device(const Executor&, const QpBatchView<float>&, const DeviceSolution<float>&,
                                 const float*, const detail::NonDeduced<float>::type*, const DeviceGradients<float>&,
                                 const BackwardOptions&);
template void backward_on_device(const Executor&, const QpBatchView<double>&, const DeviceSolution<double>&,
                                 const double*, const detail::NonDeduced<double>::type*, const DeviceGradients<double>&,
                                 const BackwardOptions&);

}  // namespace bpqp
