// The parameters of one problem's forward solve as the kernels read them (the host's
// Settings, cast to T and checked: src/core/admm_params.hpp).
#pragma once

namespace bpqp::kernels {

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
  int interior_point_max_iter = 100;  // Newton steps of the fallback; 0 disables it
  int interior_point_after = 4000;   // ADMM iterations before the fallback takes over (≤ max_iter)
  int interior_point_after_lp = 0;    // the same for an LP (P = 0); 0: the interior point first
  bool check_convexity = true;
};

}  // namespace bpqp::kernels
