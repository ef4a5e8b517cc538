// The batched forward solver. Set up once with an executor and settings, then
// solve batches; a re-solve with the same sizes warm-starts from the previous
// solution (Settings::warm_start), which is what training loops want.
//
//   bpqp::Solver<double> solver(bpqp::Executor::cpu());
//   bpqp::SolveResult<double> r = solver.solve(batch.view());
#pragma once

#include <memory>

#include "bpqp/backward.hpp"
#include "bpqp/device_solution.hpp"
#include "bpqp/executor.hpp"
#include "bpqp/qp_batch_view.hpp"
#include "bpqp/settings.hpp"
#include "bpqp/solve_result.hpp"

namespace bpqp {

template <class T>
class Solver {
 public:
  explicit Solver(Executor executor, Settings settings = {});
  ~Solver();
  Solver(Solver&&) noexcept;
  Solver& operator=(Solver&&) noexcept;

  // Solves every problem of the batch. API misuse throws InvalidArgument;
  // numerical outcomes are per-problem statuses in the result.
  SolveResult<T> solve(const QpBatchView<T>& batch);

  // The device-pointer entry (CUDA executors only): every array of `device_batch`
  // and of `out` is device memory (or managed memory). The work is enqueued on the
  // executor's stream and the call returns without waiting for it; out is complete
  // once the stream gets there. No host copies, no warm start (the previous
  // solution is the caller's), no synchronization — except that growing the
  // solver's device buffers (a larger batch than before) waits for the device.
  // Host or unregistered pointers, a CPU executor, or a null required output throw
  // InvalidArgument naming the argument; an error inside a kernel surfaces at the
  // caller's next synchronization, as CUDA errors do. A batch sharing P and A runs the
  // batch phase (Settings::batch_phase), which launches a CUDA graph with a
  // conditional node: such a call cannot itself be captured into the caller's graph
  // (turn the batch phase off for that). The cone layout (QpBatchView::cones) stays in host
  // memory; the solver copies it to the device when it differs from the previous call's,
  // a copy from pageable memory that waits for the work already on the stream.
  void solve_on_device(const QpBatchView<T>& device_batch, const DeviceSolution<T>& out);

  // The backward pass (bpqp::backward) of the last solve(), on this solver's executor:
  // its batch (the arrays solve() was given, which must still hold the same data) and its
  // result are reused, so a training step is solve() then backward(dl_dx). The active-set
  // threshold defaults to this solver's eps_abs (the free function's default is the
  // precision's). No solve() yet (or only solve_on_device): InvalidArgument.
  Gradients<T> backward(const T* dl_dx, const T* dl_dy = nullptr, const BackwardOptions& options = {}) const;

  // Forget the previous solution: the next solve starts cold.
  void reset_warm_start();

  const Settings& settings() const;
  void set_settings(const Settings& settings);
  const Executor& executor() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bpqp
