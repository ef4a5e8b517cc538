// The mixed batch of the reliability tests: one problem of every outcome
// (solved, primal infeasible, dual infeasible, invalid input, scaled by 1e-8 and
// 1e8), each with the status the solver must give it, and the check that every
// executor gives them.
#pragma once

#include <limits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <bpqp/bpqp.hpp>

#include "support/promised_accuracy.hpp"
#include "support/reference_qp.hpp"

namespace bpqp::testing {

// Two variables, three rows; each variant below edits this feasible problem.
inline DenseQp small_feasible_qp() {
  const double inf = std::numeric_limits<double>::infinity();
  DenseQp qp;
  qp.n = 2;
  qp.m = 3;
  qp.P = {2, 0.5, 0.5, 1};
  qp.q = {1, -1};
  qp.A = {1, 1, 1, 0, 0, 1};
  qp.l = {-inf, -1, -1};
  qp.u = {1, 2, 2};
  return qp;
}

inline std::vector<std::pair<DenseQp, SolveStatus>> mixed_problems() {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::pair<DenseQp, SolveStatus>> out;
  out.push_back({small_feasible_qp(), SolveStatus::solved});
  DenseQp infeasible = small_feasible_qp();  // x1 + x2 ≥ 5 but x1, x2 ≤ 2
  infeasible.l[0] = 5;
  infeasible.u[0] = inf;
  out.push_back({infeasible, SolveStatus::primal_infeasible});
  DenseQp unbounded = small_feasible_qp();  // LP, −x1 with x1 unbounded above
  unbounded.P = {0, 0, 0, 0};
  unbounded.q = {-1, 0};
  unbounded.A = {0, 1, 0, 1, 0, 1};
  unbounded.l = {-inf, -inf, -1};
  unbounded.u = {1, 1, 1};
  out.push_back({unbounded, SolveStatus::dual_infeasible});
  DenseQp nan_data = small_feasible_qp();
  nan_data.q[1] = std::numeric_limits<double>::quiet_NaN();
  out.push_back({nan_data, SolveStatus::invalid_input});
  DenseQp tiny = small_feasible_qp();  // the whole problem scaled by 1e-8 (same solution)
  for (double& v : tiny.P) v *= 1e-8;
  for (double& v : tiny.q) v *= 1e-8;
  out.push_back({tiny, SolveStatus::solved});
  DenseQp huge = small_feasible_qp();  // rows scaled by 1e8 (same solution)
  for (double& v : huge.A) v *= 1e8;
  for (double& v : huge.l) v *= 1e8;
  for (double& v : huge.u) v *= 1e8;
  out.push_back({huge, SolveStatus::solved});
  out.push_back({small_feasible_qp(), SolveStatus::solved});
  return out;
}

inline std::vector<DenseQp> mixed_batch_problems() {
  std::vector<DenseQp> problems;
  for (const auto& [qp, status] : mixed_problems()) problems.push_back(qp);
  return problems;
}

// eps_abs is absolute: a cost scaled by 1e-8 would meet it at any feasible point.
// With relative tolerances only, the solver is scale-invariant and the rescaled
// copies must land on the original solution.
inline Settings mixed_batch_settings() {
  Settings relative;
  relative.eps_abs = 0.0;
  return relative;
}

// Solves the mixed batch on `executor`: every status exact; every solved problem as accurate as
// its polish status promises against the independent reference solver's answer to
// small_feasible_qp, which every solved copy shares: the same x, y scaled by 1e-8 in the two
// rescaled copies (cost ×1e-8, or rows ×1e8). The reference solves the unscaled problem: its
// absolute regularization would blur the rescaled ones.
// The check on a result of the mixed batch, however it was solved (the sparse path too).
inline void expect_mixed_batch_outcomes(const SolveResult<double>& r) {
  const auto mixed = mixed_problems();
  const std::vector<DenseQp> problems = mixed_batch_problems();
  const auto ref = reference_solve(small_feasible_qp());
  ASSERT_TRUE(ref.converged && ref.polished);
  ASSERT_EQ(r.batch, static_cast<int>(problems.size()));
  for (int b = 0; b < r.batch; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    EXPECT_EQ(r.status[b], mixed[b].second);
    if (mixed[b].second != SolveStatus::solved) continue;
    // y* = (cost scale) / (row scale) times the unscaled y*: the copies scale q or A by a factor.
    const double y_scale = (problems[b].q[0] / small_feasible_qp().q[0]) / (problems[b].A[0] / small_feasible_qp().A[0]);
    std::vector<double> y_star(ref.y);
    for (double& v : y_star) v *= y_scale;
    expect_answer_as_promised(problems[b], r, b, ref.x, y_star);
  }
}

inline void expect_mixed_batch_outcomes(const Executor& executor) {
  const std::vector<DenseQp> problems = mixed_batch_problems();
  expect_mixed_batch_outcomes(
      Solver<double>(executor, mixed_batch_settings()).solve(QpBatch<double>::from_problems(problems).view()));
}

}  // namespace bpqp::testing
