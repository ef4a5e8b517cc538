// CPU backend: the batch is spread over host threads, each solving whole
// problems with the one-thread group — the very code a GPU group runs.
#include <algorithm>
#include <atomic>
#include <thread>

#include "core/backends.hpp"
#include "cpu/worker_pool.hpp"
#include "kernels/admm_solve.hpp"
#include "kernels/serial_group.hpp"

namespace bpqp::cpu {
template <class T>
void solve_forward(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params, int threads,
                   detail::WarmStart<T> warm, WorkspacePool& pool, SolveResult<T>& result) {
  const int n = batch.n, m = batch.m;
  std::vector<kernels::ProblemReport<T>> reports(batch.batch);
  result.x.assign(static_cast<std::size_t>(batch.batch) * n, T(0));
  result.y.assign(static_cast<std::size_t>(batch.batch) * m, T(0));

  const int workers = worker_count(threads, batch.batch);
  const std::size_t bytes = kernels::AdmmWorkspace<T>::bytes(n, m);
  if (pool.buffers.size() < static_cast<std::size_t>(workers)) pool.buffers.resize(workers);
  for (int t = 0; t < workers; ++t)
    if (pool.buffers[t].size() * sizeof(double) < bytes) pool.buffers[t].resize(bytes / sizeof(double) + 1);

  std::atomic<int> next{0};
  auto work = [&](int worker) {
    kernels::SerialGroup group;
    kernels::AdmmWorkspace<T> ws = kernels::AdmmWorkspace<T>::carve(pool.buffers[worker].data(), n, m);
    for (int b = next.fetch_add(1); b < batch.batch; b = next.fetch_add(1)) {
      kernels::ProblemView<T> problem{n, m, batch.P_of(b), batch.q_of(b), batch.A_of(b), batch.l_of(b), batch.u_of(b)};
      kernels::ProblemOutput<T> out;
      out.x = result.x.data() + static_cast<std::size_t>(b) * n;
      out.y = result.y.data() + static_cast<std::size_t>(b) * m;
      out.report = &reports[b];
      if (warm.x) out.x0 = warm.x + static_cast<std::size_t>(b) * n;
      if (warm.y) out.y0 = warm.y + static_cast<std::size_t>(b) * m;
      kernels::admm_solve(group, problem, params, ws, out);
    }
  };
  run_workers(workers, work);
  detail::collect_reports(reports, result);
}

template void solve_forward(const QpBatchView<float>&, const kernels::AdmmParams<float>&, int,
                            detail::WarmStart<float>, WorkspacePool&, SolveResult<float>&);
template void solve_forward(const QpBatchView<double>&, const kernels::AdmmParams<double>&, int,
                            detail::WarmStart<double>, WorkspacePool&, SolveResult<double>&);

}  // namespace bpqp::cpu
