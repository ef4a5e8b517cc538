// The outcome of a batched forward solve: per problem x, y, status and
// diagnostics, in host memory, laid out problem after problem.
#pragma once

#include <vector>

#include "bpqp/status.hpp"

namespace bpqp {

template <class T>
struct SolveResult {
  int batch = 0, n = 0, m = 0;
  std::vector<T> x;                        // batch × n: solution (see SolveStatus for other statuses)
  std::vector<T> y;                        // batch × m: duals, Px + q + Aᵀy = 0 at the optimum
  std::vector<SolveStatus> status;         // batch
  std::vector<InputIssue> input_issue;     // batch: why invalid_input, else none
  std::vector<PolishStatus> polish;        // batch
  std::vector<int> iterations;             // batch: ADMM iterations run
  std::vector<int> rho_updates;            // batch: refactorizations after ρ adapted
  std::vector<int> interior_point_iterations;  // batch: Newton steps of the fallback (0: not run)
  std::vector<T> prim_res, dual_res;       // batch: unscaled ‖Ax − z‖∞, ‖Px + q + Aᵀy‖∞
  std::vector<T> objective;                // batch: ½xᵀPx + qᵀx (+inf primal / −inf dual infeasible)
  double seconds = 0.0;                    // wall time of the solve call

  const T* x_of(int b) const { return x.data() + static_cast<std::size_t>(b) * n; }
  const T* y_of(int b) const { return y.data() + static_cast<std::size_t>(b) * m; }
  int count(SolveStatus s) const;
};

}  // namespace bpqp
