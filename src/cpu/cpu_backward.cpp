// CPU backend of the backward pass: the batch is cut into one contiguous chunk
// per host thread, each running kernels::backward_problem with the one-thread
// group, in the instruction-set variant in use (src/cpu/problem_kernels.hpp). Gradients of shared inputs are summed per thread and then across
// threads in thread order, so a given thread count gives the same bits every run.
#include <algorithm>
#include <thread>

#include "core/backward_backends.hpp"
#include "core/backward_params.hpp"
#include "core/problem_of.hpp"
#include "cpu/worker_pool.hpp"
#include "cpu/problem_kernels.hpp"

namespace bpqp::cpu {
namespace {

// One thread's private sums of the shared gradients (empty for per-problem ones).
template <class T>
struct SharedSums {
  std::vector<T> dP, dq, dA, dl, du;
};

}  // namespace

template <class T>
void backward(const QpBatchView<T>& batch, const SolveResult<T>& forward, const T* dl_dx, const T* dl_dy,
              const kernels::BackwardParams<T>& params, int threads, Gradients<T>& result) {
  const int n = batch.n, m = batch.m, count = batch.batch;
  result.status.assign(count, BackwardStatus::ok);
  result.active_rows.assign(count, 0);
  if (count == 0) return;
  const int workers = worker_count(threads, count);
  const ProblemKernels<T>& kernels = problem_kernels<T>();
  const detail::HostConeLayout cones(batch);
  const std::size_t bytes = kernels::BackwardWorkspace<T>::bytes(n, m, params.use_admm, batch.cone_count > 0);

  struct Array {
    std::vector<T>* data;
    std::ptrdiff_t stride;
    std::vector<T> SharedSums<T>::*sums;
  };
  const Array arrays[5] = {{&result.dP, result.dP_stride, &SharedSums<T>::dP},
                           {&result.dq, result.dq_stride, &SharedSums<T>::dq},
                           {&result.dA, result.dA_stride, &SharedSums<T>::dA},
                           {&result.dl, result.dl_stride, &SharedSums<T>::dl},
                           {&result.du, result.du_stride, &SharedSums<T>::du}};
  auto shared = [](const Array& a) { return !a.data->empty() && a.stride == 0; };
  // Thread 0 sums straight into the result; the others into private copies.
  std::vector<SharedSums<T>> sums(workers);
  for (int t = 1; t < workers; ++t)
    for (const Array& a : arrays)
      if (shared(a)) (sums[t].*a.sums).assign(a.data->size(), T(0));

  auto work = [&](int worker) {
    std::vector<double> buffer(bytes / sizeof(double) + 1);
    kernels::BackwardWorkspace<T> ws =
        kernels::BackwardWorkspace<T>::carve(buffer.data(), n, m, params.use_admm, nullptr, batch.cone_count > 0);
    T* targets[5];
    for (int i = 0; i < 5; ++i) {
      const Array& a = arrays[i];
      targets[i] = a.data->empty() ? nullptr : (shared(a) && worker > 0 ? (sums[worker].*a.sums).data() : a.data->data());
    }
    const int begin = static_cast<int>(static_cast<long long>(count) * worker / workers);
    const int end = static_cast<int>(static_cast<long long>(count) * (worker + 1) / workers);
    for (int b = begin; b < end; ++b) {
      kernels::GradientOutput<T> out;
      T** slots[5] = {&out.dP, &out.dq, &out.dA, &out.dl, &out.du};
      bool* adds[5] = {&out.add_P, &out.add_q, &out.add_A, &out.add_l, &out.add_u};
      for (int i = 0; i < 5; ++i) {
        if (!targets[i]) continue;
        *slots[i] = targets[i] + b * arrays[i].stride;
        *adds[i] = arrays[i].stride == 0;
      }
      if (!detail::forward_solved(forward.status[b])) {
        // Zero gradients: per-problem blocks are already zero, shared sums get nothing.
        result.status[b] = BackwardStatus::forward_not_solved;
        continue;
      }
      kernels::BackwardInput<T> in;
      in.problem = detail::problem_of(batch, b, cones.layout());
      in.x = forward.x_of(b);
      in.y = forward.y_of(b);
      in.dl_dx = dl_dx + static_cast<std::size_t>(b) * n;
      in.dl_dy = dl_dy ? dl_dy + static_cast<std::size_t>(b) * m : nullptr;
      kernels::BackwardReport<T> report;
      kernels.backward(in, params, ws, out, &report);
      result.status[b] = report.status;
      result.active_rows[b] = report.active_rows;
    }
  };
  run_workers(workers, work);
  for (int t = 1; t < workers; ++t)
    for (const Array& a : arrays) {
      if (!shared(a)) continue;
      const std::vector<T>& part = sums[t].*a.sums;
      for (std::size_t i = 0; i < part.size(); ++i) (*a.data)[i] += part[i];
    }
}

template void backward(const QpBatchView<float>&, const SolveResult<float>&, const float*, const float*,
                       const kernels::BackwardParams<float>&, int, Gradients<float>&);
template void backward(const QpBatchView<double>&, const SolveResult<double>&, const double*, const double*,
                       const kernels::BackwardParams<double>&, int, Gradients<double>&);

}  // namespace bpqp::cpu
