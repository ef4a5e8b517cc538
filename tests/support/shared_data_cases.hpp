// Batches that share P and A, with every kind of problem beside solvable ones: the
// shared-data batch phase's tests on the CPU (tests/backend) and on the GPU (tests/gpu).
#pragma once

#include <algorithm>
#include <limits>
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

}  // namespace bpqp::testing
