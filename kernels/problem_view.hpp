// What one problem looks like to a per-problem kernel: its data (dense,
// row-major, unowned), the ADMM parameters, and the report it writes back.
#pragma once

#include "bpqp/status.hpp"
#include "kernels/cone_layout.hpp"
#include "kernels/config.hpp"

namespace bpqp::kernels {

// minimize ½xᵀPx + qᵀx  subject to  l ≤ Ax ≤ u (box rows) and A_k x − l_k ∈ K (the rows
// of cone block k, whose u is +inf; include/bpqp/cones.hpp), for one problem of a batch.
template <class T>
struct ProblemView {
  int n = 0;
  int m = 0;
  const T* P = nullptr;  // n×n, full symmetric, row-major
  const T* q = nullptr;  // n
  const T* A = nullptr;  // m×n, row-major
  const T* l = nullptr;  // m; entries ≤ -1e20 mean -inf
  const T* u = nullptr;  // m; entries ≥ +1e20 mean +inf
  ConeLayout cones;      // the batch's cone blocks (none by default)
};

// The OSQP parameters (Stellato et al. 2020, Algorithm 1 and §5), already cast to T.
template <class T>
struct AdmmParams {
  T rho = T(0.1);
  T sigma = T(1e-6);
  T alpha = T(1.6);
  T eps_abs = T(1e-5);
  T eps_rel = T(1e-5);
  T eps_prim_inf = T(1e-5);
  T eps_dual_inf = T(1e-5);
  T rho_min = T(1e-6);
  T rho_max = T(1e6);
  T rho_eq_scale = T(1e3);       // equality rows get ρ·1e3 (OSQP §5.2)
  T adaptive_rho_tolerance = T(5);
  T delta = T(1e-6);             // polishing regularization
  T psd_tolerance = T(0);        // P + tol·max|P|·I must be positive definite; set by the host
  T symmetry_tolerance = T(0);   // |P_ij − P_ji| ≤ tol·max|P|; set by the host
  int max_iter = 10000;
  int check_every = 25;
  int adaptive_rho_interval = 50;  // a multiple of check_every; 0 disables adaptive ρ
  int scaling_iterations = 10;
  int polish_refine_iterations = 25;
  int polish_first_attempt = 25;      // iteration of the first in-loop polish; then doubling; 0 = only at the end
  int polish_active_set_rounds = 20;  // corrections of the guessed active set within one polish
  bool polish = true;
  int interior_point_max_iter = 60;  // Newton steps of the fallback; 0 disables it
  int interior_point_after = 4000;   // ADMM iterations before the fallback takes over (≤ max_iter)
  int interior_point_after_lp = 0;    // the same for an LP (P = 0); 0: the interior point first
  bool check_convexity = true;
};

// Written by the kernel for each problem (by rank 0 of the group).
template <class T>
struct ProblemReport {
  SolveStatus status = SolveStatus::max_iterations;
  InputIssue input_issue = InputIssue::none;
  PolishStatus polish = PolishStatus::not_run;
  int iterations = 0;
  int rho_updates = 0;
  int interior_point_iterations = 0;  // Newton steps of the fallback, 0 if it did not run
  T prim_res = T(0);
  T dual_res = T(0);
  T objective = T(0);
  T rho = T(0);
};

// Where the kernel writes the solution (unscaled). x0 and y0 (y0 may be null when m = 0),
// when given and finite, warm start it.
template <class T>
struct ProblemOutput {
  T* x = nullptr;  // n
  T* y = nullptr;  // m
  ProblemReport<T>* report = nullptr;
  const T* x0 = nullptr;
  const T* y0 = nullptr;
};

}  // namespace bpqp::kernels
