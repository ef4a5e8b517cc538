// The backend entry points behind Solver (dispatch happens once, in solver.cpp).
#pragma once

#include <memory>
#include <vector>

#include "bpqp/device_solution.hpp"
#include "bpqp/executor.hpp"
#include "bpqp/qp_batch_view.hpp"
#include "bpqp/solve_result.hpp"
#include "kernels/problem_view.hpp"
#include "kernels/admm_params.hpp"

namespace bpqp::detail {

// Warm-start values per problem (host memory, batch × n and batch × m), or null.
template <class T>
struct WarmStart {
  const T* x = nullptr;
  const T* y = nullptr;
};

// Sizes result and fills it from the per-problem reports.
template <class T>
void collect_reports(const std::vector<kernels::ProblemReport<T>>& reports, SolveResult<T>& result);

}  // namespace bpqp::detail

namespace bpqp::cpu {

// Reused per-thread workspace buffers (grown on demand, never shrunk).
struct WorkspacePool {
  std::vector<std::vector<double>> buffers;
};

template <class T>
void solve_forward(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params, int threads,
                   detail::WarmStart<T> warm, WorkspacePool& pool, SolveResult<T>& result);

// A batch whose P and A are shared: the ADMM iterations of all problems as matrix
// products, then each problem finished on its own (src/cpu/batch_phase_forward.cpp).
// Returns false, having written nothing, when the shared P or A is invalid: the per-problem
// path then solves (and reports) every problem. (A failed shared factorization skips the
// batch phase: every problem is finished from its start.)
template <class T>
bool solve_forward_batch_phase(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params, int threads,
                               detail::WarmStart<T> warm, WorkspacePool& pool, SolveResult<T>& result);

}  // namespace bpqp::cpu

namespace bpqp::cuda {

// Device memory a Solver keeps between solves (grown on demand, never shrunk),
// defined by the CUDA backend; a build without CUDA never creates one.
struct DeviceState;
struct DeviceStateDeleter {
  void operator()(DeviceState* state) const;
};
using DeviceStatePtr = std::unique_ptr<DeviceState, DeviceStateDeleter>;

// batch_phase: Settings::batch_phase — a batch whose P and A are shared goes
// through the batch phase (src/cuda/batch_phase_forward.cu) before each problem's finish.
template <class T>
void solve_forward(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params, bool batch_phase,
                   const Executor& executor, detail::WarmStart<T> warm, DeviceStatePtr& state, SolveResult<T>& result);

// The same solve on device arrays, enqueued without synchronizing (Solver::solve_on_device).
template <class T>
void solve_forward_on_device(const QpBatchView<T>& device_batch, const kernels::AdmmParams<T>& params,
                             bool batch_phase, const Executor& executor, DeviceStatePtr& state,
                             const DeviceSolution<T>& out);

}  // namespace bpqp::cuda
