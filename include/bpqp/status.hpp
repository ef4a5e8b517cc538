// Per-problem outcomes of a solve. Plain enums with no library dependencies,
// so that kernels/ (compiled by nvcc and g++) and the host API share them.
#pragma once

namespace bpqp {

// What happened to one problem of a batch (DESIGN.md §1, forward output).
enum class SolveStatus : int {
  solved = 0,             // eps_abs / eps_rel reached (and polished, if asked and it helped)
  solved_inaccurate = 1,  // max_iter reached with residuals within 10x of the tolerance
  primal_infeasible = 2,  // certificate y with A'y ~ 0 and u'y+ + l'y- < 0 found
  dual_infeasible = 3,    // certificate dx with P dx ~ 0, q'dx < 0, A dx in the recession cone
  max_iterations = 4,     // neither converged nor certified infeasible
  invalid_input = 5,      // the data was rejected before solving; see InputIssue
  numerical_error = 6,    // a factorization broke down or the iterates stopped being finite
};

// Why a problem was rejected as invalid_input (none for every other status).
enum class InputIssue : int {
  none = 0,
  non_finite_data = 1,   // NaN or inf in P, q or A, or NaN in l or u
  bounds_crossed = 2,    // l_i > u_i, or l_i = +inf, or u_i = −inf: an empty row
  p_not_symmetric = 3,   // |P_ij - P_ji| above tolerance
  p_not_psd = 4,         // P + tol*I is not positive definite: the problem is not convex
  cone_row_bounds = 5,   // a row of a cone block whose l is not finite or whose u is not +inf
};

// Outcome of solution polishing (OSQP §5.2): whether the active-set refinement was used.
enum class PolishStatus : int {
  not_run = 0,
  succeeded = 1,   // the polished point replaced the ADMM point
  rejected = 2,    // polishing ran but did not improve the residuals
};

const char* to_string(SolveStatus status);
const char* to_string(InputIssue issue);
const char* to_string(PolishStatus status);

}  // namespace bpqp
