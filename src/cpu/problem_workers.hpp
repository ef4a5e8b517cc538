// The per-problem half of a CPU forward, shared by the per-problem path and the
// shared-data batch phase's finish: each worker thread takes problems one at a time
// and solves them with the one-thread group in its own pooled workspace.
#pragma once

#include <atomic>
#include <vector>

#include "core/backends.hpp"
#include "core/problem_of.hpp"
#include "cpu/worker_pool.hpp"
#include "kernels/admm_workspace.hpp"

namespace bpqp::cpu {

// Sizes result.x, result.y (zeros) and the reports for the batch, and grows the pool to
// a workspace per worker; returns the number of workers (at most `parallel`).
template <class T>
int prepare_forward(const QpBatchView<T>& batch, int threads, int parallel, WorkspacePool& pool,
                    std::vector<kernels::ProblemReport<T>>& reports, SolveResult<T>& result) {
  const int n = batch.n, m = batch.m;
  reports.assign(batch.batch, kernels::ProblemReport<T>{});
  result.x.assign(static_cast<std::size_t>(batch.batch) * n, T(0));
  result.y.assign(static_cast<std::size_t>(batch.batch) * m, T(0));
  const int workers = worker_count(threads, parallel);
  const std::size_t bytes = kernels::AdmmWorkspace<T>::bytes(n, m, batch.cone_count > 0);
  if (pool.buffers.size() < static_cast<std::size_t>(workers)) pool.buffers.resize(workers);
  for (int t = 0; t < workers; ++t)
    if (pool.buffers[t].size() * sizeof(double) < bytes) pool.buffers[t].resize(bytes / sizeof(double) + 1);
  return workers;
}

// solve(problem, workspace, out, b) for problems b = first … first + count − 1, spread over
// the workers; out points at problem b's x, y and report.
template <class T, class Solve>
void solve_each_problem(const QpBatchView<T>& batch, int first, int count, int workers, WorkspacePool& pool,
                        std::vector<kernels::ProblemReport<T>>& reports, SolveResult<T>& result, Solve solve) {
  const int n = batch.n, m = batch.m;
  const detail::HostConeLayout cones(batch);
  std::atomic<int> next{first};
  run_workers(workers, [&](int worker) {
    kernels::AdmmWorkspace<T> ws =
        kernels::AdmmWorkspace<T>::carve(pool.buffers[worker].data(), n, m, nullptr, batch.cone_count > 0);
    for (int b = next.fetch_add(1); b < first + count; b = next.fetch_add(1)) {
      const kernels::ProblemView<T> problem = detail::problem_of(batch, b, cones.layout());
      kernels::ProblemOutput<T> out;
      out.x = result.x.data() + static_cast<std::size_t>(b) * n;
      out.y = result.y.data() + static_cast<std::size_t>(b) * m;
      out.report = &reports[b];
      solve(problem, ws, out, b);
    }
  });
}

}  // namespace bpqp::cpu
