// Batches that share P and A, with every kind of problem beside solvable ones: the
// shared-data batch phase's tests on the CPU (tests/backend) and on the GPU (tests/gpu).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bpqp/bpqp.hpp"
#include "support/promised_accuracy.hpp"

namespace bpqp::testing {

inline constexpr double no_bound = std::numeric_limits<double>::infinity();

// Shared P = diag(2, 1, 1, 0) and A with rows x0+x1 (twice), x2, x3; each problem its own q, l, u.
struct SharedCase {
  DenseQp problem;
  SolveStatus expected;
  std::vector<double> x_star, y_star;  // the planted solution, where there is one (planted_shared_cases)
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

// `count` problems sharing one P (positive definite) and one A (m×n, its last row a copy of its
// first), each with its own planted solution, so that every problem has a distinct, known answer
// and a chunk that read its neighbour's data would fail: x* ~ U[−1, 1]ⁿ; each of the first m − 1
// rows is upper-active, lower-active or inactive with probability ¼, ¼, ½ (at most n − 1 tight
// rows, so the tight rows have full row rank with probability one and y* is unique); multipliers
// ±(0.5 + U[0, 1)) on tight rows, 0 elsewhere; the bounds of inactive sides at A_i x* ± (0.5 +
// U[0, 1)) or infinite (probability ¼); q = −Px* − Aᵀy*. The copied last row is always inactive:
// it lets primal_infeasible_shared_case contradict row 0 without touching the shared A.
inline std::vector<SharedCase> planted_shared_cases(int n, int m, int count, std::uint64_t seed) {
  std::mt19937_64 bits(seed);
  auto uniform = [&] { return static_cast<double>(bits() >> 11) * 0x1.0p-53; };  // [0, 1)
  DenseQp shape;
  shape.n = n;
  shape.m = m;
  std::vector<double> M(static_cast<std::size_t>(n) * n);
  for (double& v : M) v = 2 * uniform() - 1;
  shape.P.assign(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = i == j ? 0.1 : 0.0;
      for (int k = 0; k < n; ++k) s += M[i * n + k] * M[j * n + k] / n;
      shape.P[i * n + j] = s;
    }
  shape.A.resize(static_cast<std::size_t>(m) * n);
  for (double& v : shape.A) v = 2 * uniform() - 1;
  for (int j = 0; j < n; ++j) shape.A[(m - 1) * n + j] = shape.A[j];
  std::vector<SharedCase> cases;
  for (int b = 0; b < count; ++b) {
    SharedCase c{shape, SolveStatus::solved, std::vector<double>(n), std::vector<double>(m, 0.0)};
    DenseQp& qp = c.problem;
    qp.q.assign(n, 0.0);
    qp.l.assign(m, -no_bound);
    qp.u.assign(m, no_bound);
    for (double& v : c.x_star) v = 2 * uniform() - 1;
    int tight = 0;
    for (int i = 0; i < m; ++i) {
      double ax = 0;
      for (int j = 0; j < n; ++j) ax += qp.A[i * n + j] * c.x_star[j];
      const double draw = uniform();
      const int kind = i == m - 1 || tight >= n - 1 ? 0 : draw < 0.25 ? 1 : draw < 0.5 ? -1 : 0;
      tight += kind != 0;
      const double lower_gap = 0.5 + uniform(), upper_gap = 0.5 + uniform();
      qp.l[i] = kind < 0 ? ax : uniform() < 0.25 ? -no_bound : ax - lower_gap;
      qp.u[i] = kind > 0 ? ax : uniform() < 0.25 ? no_bound : ax + upper_gap;
      c.y_star[i] = kind * (0.5 + uniform());
    }
    for (int j = 0; j < n; ++j) {
      double g = 0;
      for (int k = 0; k < n; ++k) g += qp.P[j * n + k] * c.x_star[k];
      for (int i = 0; i < m; ++i) g += qp.A[i * n + j] * c.y_star[i];
      qp.q[j] = -g;
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

// A case of planted_shared_cases made primal infeasible through its bounds alone: row 0 below
// a value that its copy, the last row, must exceed.
inline SharedCase primal_infeasible_shared_case(SharedCase c) {
  const int last = c.problem.m - 1;
  c.problem.l[0] = -no_bound;
  c.problem.u[0] = 0.0;
  c.problem.l[last] = 1.0;
  c.problem.u[last] = no_bound;
  c.expected = SolveStatus::primal_infeasible;
  c.x_star.clear();
  c.y_star.clear();
  return c;
}

// A case of planted_shared_cases with a NaN in its own q.
inline SharedCase invalid_shared_case(SharedCase c) {
  c.problem.q[0] = std::numeric_limits<double>::quiet_NaN();
  c.expected = SolveStatus::invalid_input;
  c.x_star.clear();
  c.y_star.clear();
  return c;
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

// A batch of `count` distinct planted problems sharing P and A (planted_shared_cases(6, 5)),
// an infeasible and an invalid one among them in the first chunk and near the end, solved by
// `solver` (which chunks it): every problem gets its own status, and every solved one is
// polished onto its own planted x*, y* at the accuracy a polish promises, the ones past the
// first chunk included. (Counted, not asserted one by one: thousands of problems.)
template <class T>
void expect_chunked_batch_answers(Solver<T> solver, int count) {
  auto cases = planted_shared_cases(6, 5, count, 2024);
  for (int b : {3, count - 5}) cases[b] = primal_infeasible_shared_case(cases[b]);
  for (int b : {8, count - 2}) cases[b] = invalid_shared_case(cases[b]);
  const auto batch = shared_batch<T>(cases);
  const auto result = solver.solve(batch.view());
  const Promise promise = promised<T>(PolishStatus::succeeded);
  int wrong_status = 0, wrong_answer = 0, first_wrong = -1;
  for (int b = 0; b < count; ++b) {
    bool ok = result.status[b] == cases[b].expected;
    wrong_status += !ok;
    if (ok && cases[b].expected == SolveStatus::solved) {
      const std::vector<double> x(result.x_of(b), result.x_of(b) + batch.n());
      const std::vector<double> y(result.y_of(b), result.y_of(b) + batch.m());
      const double error = std::max(relative_distance(x.data(), cases[b].x_star), relative_distance(y.data(), cases[b].y_star));
      ok = result.polish[b] == PolishStatus::succeeded && error <= promise.solution;
      wrong_answer += !ok;
    }
    if (!ok && first_wrong < 0) first_wrong = b;
  }
  EXPECT_EQ(wrong_status, 0) << "of " << count << "; first wrong problem " << first_wrong;
  EXPECT_EQ(wrong_answer, 0) << "of " << count << " unpolished or off their planted solution by more than "
                             << promise.solution << "; first wrong problem " << first_wrong;
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

// A problem's batch-phase iterations do not depend on the problems that left the phase before
// it: the phase's columns evolve independently (with ρ fixed), so that problems of
// planted_shared_cases take the same number of iterations, with the same status, with and
// without a problem in front of them that leaves at the first check (q = 0 and bounds around
// 0: the cold start x = 0, y = 0 is its solution; its q leaves the shared scaling's q_rep as it
// was). A compaction that moved a column's data wrong (a neighbour's q, bounds or iterate)
// would change what the problems after it iterate on, and so their counts.
template <class T>
void expect_iterations_independent_of_problems_that_left(const Executor& executor) {
  const auto cases = planted_shared_cases(6, 5, 6, 4242);
  SharedCase early = cases.front();
  early.problem.q.assign(early.problem.n, 0.0);
  early.problem.l.assign(early.problem.m, -1.0);
  early.problem.u.assign(early.problem.m, 1.0);
  early.x_star.assign(early.problem.n, 0.0);
  early.y_star.assign(early.problem.m, 0.0);
  std::vector<SharedCase> with_early = {early};
  with_early.insert(with_early.end(), cases.begin(), cases.end());
  Settings s;
  s.adaptive_rho = false;
  s.warm_start = false;
  s.check_every = 5;  // problems then leave at many different checks
  const auto alone = Solver<T>(executor, s).solve(shared_batch<T>(cases).view());
  const auto behind = Solver<T>(executor, s).solve(shared_batch<T>(with_early).view());
  ASSERT_EQ(behind.status[0], SolveStatus::solved);
  EXPECT_LE(behind.iterations[0], s.check_every) << "the early problem did not leave at the first check";
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const int b = static_cast<int>(k) + 1;
    ASSERT_EQ(alone.status[k], SolveStatus::solved) << "problem " << k;
    EXPECT_GT(alone.iterations[k], 2 * s.check_every) << "problem " << k << " left the phase too early to tell";
    EXPECT_EQ(behind.status[b], SolveStatus::solved) << "problem " << k;
    EXPECT_EQ(behind.iterations[b], alone.iterations[k]) << "problem " << k;
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
