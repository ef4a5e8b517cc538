// An independent dense reference solver for DenseQp, used as the oracle in the
// tests: a primal-dual interior-point method (Mehrotra predictor-corrector) in
// Eigen, double precision, sharing no code or algorithm with the ADMM solver,
// finished by one equality-constrained KKT solve on the active set it found.
//
//   auto ref = bpqp::testing::reference_solve(qp);
//   ASSERT_TRUE(ref.converged);   // ref.x, ref.y follow DESIGN.md §1's signs
#pragma once

#include <vector>

#include <bpqp/dense_qp.hpp>

namespace bpqp::testing {

struct ReferenceSolution {
  bool converged = false;
  std::vector<double> x;   // n
  std::vector<double> y;   // m: y_i > 0 at an active upper bound, < 0 at a lower one
  double objective = 0.0;  // ½xᵀPx + qᵀx + objective_constant
  int iterations = 0;      // interior-point (predictor-corrector) iterations
  bool polished = false;   // x, y come from the active-set finish, not the last IPM iterate
};

// Rows with l_i = u_i are equalities, rows with one or two finite bounds are
// inequalities, rows with both bounds infinite are ignored (y_i = 0).
//
// The interior point stops when its relative primal and dual residuals and
// every complementarity product s_i z_i (relative to 1 + ‖z‖∞) are <= tol, or
// when it stops improving. Its x, y are then accurate to about tol × cond(KKT).
// With active_set_finish, the rows it finds tight (s_i < z_i) are solved as
// equalities, [P A_Tᵀ; A_T 0][x; y_T] = [−q; bound_T], and that point replaces
// the IPM's whenever it passes the KKT test (primal, dual, sign rules) to tol:
// on a strictly complementary problem x, y are then exact to rounding × cond.
// A point that fails the test is never taken, so a wrong guess costs nothing.
//
// converged: the returned point meets tol. Not converged: infeasible,
// unbounded, or numerically stuck (200 iterations at most).
ReferenceSolution reference_solve(const DenseQp& qp, double tol = 1e-10, bool active_set_finish = true);

}  // namespace bpqp::testing
