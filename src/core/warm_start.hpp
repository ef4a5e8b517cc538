// What a solver keeps of its last solve to start the next one from (Settings::warm_start), the
// dense Solver's and the SparseSolver's rule alike.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "bpqp/solve_result.hpp"
#include "bpqp/status.hpp"

namespace bpqp::detail {

// The answers worth starting from — solutions and last iterates (solved, solved_inaccurate,
// max_iterations) — and zeros for every other problem (an infeasibility certificate is a
// direction, not a point near the next answer), which then starts cold.
template <class T>
void keep_for_warm_start(const SolveResult<T>& result, std::vector<T>& warm_x, std::vector<T>& warm_y) {
  warm_x = result.x;
  warm_y = result.y;
  for (int b = 0; b < result.batch; ++b) {
    const SolveStatus st = result.status[b];
    if (st == SolveStatus::solved || st == SolveStatus::solved_inaccurate || st == SolveStatus::max_iterations) continue;
    std::fill_n(warm_x.begin() + static_cast<std::ptrdiff_t>(b) * result.n, result.n, T(0));
    std::fill_n(warm_y.begin() + static_cast<std::ptrdiff_t>(b) * result.m, result.m, T(0));
  }
}

}  // namespace bpqp::detail
