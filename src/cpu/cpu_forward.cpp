// CPU backend: the batch is spread over host threads, each solving whole
// problems with the one-thread group — the very code a GPU group runs — in the
// instruction-set variant in use (src/cpu/problem_kernels.hpp).
#include "core/backends.hpp"
#include "cpu/problem_kernels.hpp"
#include "cpu/problem_workers.hpp"

namespace bpqp::cpu {
template <class T>
void solve_forward(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params, int threads,
                   detail::WarmStart<T> warm, WorkspacePool& pool, SolveResult<T>& result) {
  const int n = batch.n, m = batch.m;
  const ProblemKernels<T>& kernels = problem_kernels<T>();
  std::vector<kernels::ProblemReport<T>> reports;
  const int workers = prepare_forward(batch, threads, batch.batch, pool, reports, result);
  solve_each_problem(batch, 0, batch.batch, workers, pool, reports, result,
                     [&](const kernels::ProblemView<T>& problem, kernels::AdmmWorkspace<T>& ws,
                         kernels::ProblemOutput<T>& out, int b) {
                       if (warm.x) out.x0 = warm.x + static_cast<std::size_t>(b) * n;
                       if (warm.y) out.y0 = warm.y + static_cast<std::size_t>(b) * m;
                       kernels.solve(problem, params, ws, out);
                     });
  detail::collect_reports(reports, result);
}

template void solve_forward(const QpBatchView<float>&, const kernels::AdmmParams<float>&, int,
                            detail::WarmStart<float>, WorkspacePool&, SolveResult<float>&);
template void solve_forward(const QpBatchView<double>&, const kernels::AdmmParams<double>&, int,
                            detail::WarmStart<double>, WorkspacePool&, SolveResult<double>&);

}  // namespace bpqp::cpu
