// Batches that share P and A, with every kind of problem beside solvable ones: the
// shared-data batch phase's tests on the CPU (tests/backend) and on the GPU (tests/gpu).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "bpqp/bpqp.hpp"

namespace bpqp::testing {

inline constexpr double no_bound = std::numeric_limits<double>::infinity();

// Shared P = diag(2, 1, 1, 0) and A with rows x0+x1 (twice), x2, x3; each problem its own q, l, u.
struct SharedCase {
  DenseQp problem;
  SolveStatus expected;
};

inline DenseQp shared_shape() {
  DenseQp qp;
  qp.n = 4;
  qp.m = 4;
  qp.P = {2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0};
  qp.A = {1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  qp.q = {-1, -1, -1, 1};
  qp.l = {-no_bound, -no_bound, -1, 0};
  qp.u = {1, 2, 1, no_bound};
  return qp;
}

inline std::vector<SharedCase> mixed_shared_cases(int good) {
  std::vector<SharedCase> cases;
  for (int k = 0; k < good; ++k) {
    DenseQp qp = shared_shape();
    qp.q = {-1.0 - 0.1 * k, -1.0 + 0.07 * k, 0.3 * (k % 5) - 0.6, 1.0 + 0.01 * k};
    if (k % 4 == 1) qp.l[2] = qp.u[2] = 0.25;  // an equality row in some problems only
    if (k % 4 == 2) qp.u[0] = 0.1 * k;
    cases.push_back({qp, SolveStatus::solved});
  }
  DenseQp infeasible = shared_shape();  // x0 + x1 ≤ 0 and x0 + x1 ≥ 1
  infeasible.u[0] = 0;
  infeasible.l[1] = 1;
  cases.push_back({infeasible, SolveStatus::primal_infeasible});
  DenseQp unbounded = shared_shape();  // x3 ≥ 0 only, P has no curvature along it, q3 < 0
  unbounded.q[3] = -1;
  cases.push_back({unbounded, SolveStatus::dual_infeasible});
  DenseQp bad = shared_shape();
  bad.q[0] = std::numeric_limits<double>::quiet_NaN();
  cases.push_back({bad, SolveStatus::invalid_input});
  return cases;
}

template <class T>
QpBatch<T> shared_batch(const std::vector<SharedCase>& cases) {
  const DenseQp& first = cases.front().problem;
  QpBatch<T> batch(static_cast<int>(cases.size()), first.n, first.m, {/*P=*/true, /*q=*/false, /*A=*/true});
  std::copy(first.P.begin(), first.P.end(), batch.P(0));
  std::copy(first.A.begin(), first.A.end(), batch.A(0));
  for (int b = 0; b < batch.batch(); ++b) {
    const DenseQp& qp = cases[b].problem;
    std::copy(qp.q.begin(), qp.q.end(), batch.q(b));
    std::copy(qp.l.begin(), qp.l.end(), batch.l(b));
    std::copy(qp.u.begin(), qp.u.end(), batch.u(b));
  }
  return batch;
}

// The checks both backends' batch phases must pass, on `executor`.

// A batch of `count` problems repeating mixed_shared_cases(5), solved by `solver`
// (which chunks it): every problem gets its own status, the ones past the first chunk
// included, and copies of one problem get the same answer wherever they fall.
template <class T>
void expect_chunked_batch_statuses(Solver<T> solver, int count, double eps) {
  const auto pattern = mixed_shared_cases(5);
  const int period = static_cast<int>(pattern.size());
  std::vector<SharedCase> cases;
  for (int b = 0; b < count; ++b) cases.push_back(pattern[b % period]);
  const auto batch = shared_batch<T>(cases);
  const auto result = solver.solve(batch.view());
  int wrong = 0;
  for (int b = 0; b < count; ++b) wrong += result.status[b] != cases[b].expected;
  EXPECT_EQ(wrong, 0) << "of " << count;
  const int last = (count - 1) / period * period;  // a copy of problem 0
  for (int j = 0; j < batch.n(); ++j) EXPECT_NEAR(result.x_of(last)[j], result.x_of(0)[j], 10 * eps);
}

// Its iterations count against max_iter: no problem runs more in total, and one that
// needs more ends max_iterations (or is rescued), as on the per-problem path.
template <class T>
void expect_batch_phase_iterations_within_max_iter(const Executor& executor) {
  const auto batch = shared_batch<T>(mixed_shared_cases(8));
  for (int max_iter : {1, 30, 75}) {
    Settings s;
    s.max_iter = max_iter;
    s.warm_start = false;
    const auto result = Solver<T>(executor, s).solve(batch.view());
    for (int b = 0; b < batch.batch(); ++b)
      EXPECT_LE(result.iterations[b], max_iter) << "problem " << b << ", max_iter " << max_iter;
  }
}

// A re-solve warm-starts the batch phase from the previous solution: it converges at
// its first termination test.
template <class T>
void expect_re_solve_to_start_from_the_previous_solution(const Executor& executor) {
  const auto batch = shared_batch<T>(mixed_shared_cases(12));
  Solver<T> solver(executor);
  const auto first = solver.solve(batch.view());
  const auto second = solver.solve(batch.view());
  for (int b = 0; b < batch.batch(); ++b) {
    ASSERT_EQ(second.status[b], first.status[b]) << "problem " << b;
    if (first.status[b] == SolveStatus::solved)
      EXPECT_LE(second.iterations[b], Settings{}.check_every) << "problem " << b;
  }
}

// Shared data the solver must reject (a non-convex P) is reported for every problem,
// as the per-problem path does.
template <class T>
void expect_non_convex_shared_P_to_be_invalid_everywhere(const Executor& executor) {
  auto cases = mixed_shared_cases(3);
  cases.resize(3);
  for (auto& c : cases) c.problem.P[0] = -2;
  const auto batch = shared_batch<T>(cases);
  const auto result = Solver<T>(executor).solve(batch.view());
  for (int b = 0; b < batch.batch(); ++b) {
    EXPECT_EQ(result.status[b], SolveStatus::invalid_input) << "problem " << b;
    EXPECT_EQ(result.input_issue[b], InputIssue::p_not_psd) << "problem " << b;
  }
}

}  // namespace bpqp::testing
