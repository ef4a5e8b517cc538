// Settings (public, double) → the kernels' AdmmParams<T>, with the
// precision-dependent defaults filled in.
#pragma once

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

#include "bpqp/settings.hpp"
#include "kernels/admm_params.hpp"

namespace bpqp::detail {

template <class T>
kernels::AdmmParams<T> to_admm_params(const Settings& s) {
  kernels::AdmmParams<T> p;
  const double root_eps = std::sqrt(static_cast<double>(std::numeric_limits<T>::epsilon()));
  p.rho = T(s.rho);
  p.sigma = T(s.sigma);
  p.alpha = T(s.alpha);
  p.eps_abs = T(effective_eps_abs<T>(s));
  p.eps_rel = T(effective_eps_rel<T>(s));
  p.eps_prim_inf = T(s.eps_prim_inf);
  p.eps_dual_inf = T(s.eps_dual_inf);
  p.adaptive_rho_tolerance = T(s.adaptive_rho_tolerance);
  p.delta = T(s.delta);
  p.symmetry_tolerance = T(s.symmetry_tolerance.value_or(root_eps));
  // Real problem files carry rounded data: Maros–Mészáros VALUES has λ_min(P) = −1.3e-5·max|P|.
  p.psd_tolerance = T(s.psd_tolerance.value_or(std::max(root_eps, 1e-4)));
  p.max_iter = s.max_iter;
  p.check_every = s.check_every;
  // ρ is re-estimated only where the residuals are computed anyway.
  // In 64 bits: both settings may be as large as INT_MAX.
  const long long every = s.check_every;
  const long long rounded = std::max(1LL, (s.adaptive_rho_interval + every - 1) / every) * every;
  p.adaptive_rho_interval = s.adaptive_rho ? static_cast<int>(std::min<long long>(rounded, INT_MAX)) : 0;
  p.scaling_iterations = s.scaling_iterations;
  p.polish_refine_iterations = s.polish_refine_iterations;
  p.polish = s.polish;
  p.polish_first_attempt = s.polish_first_attempt;
  p.interior_point_max_iter = s.interior_point_fallback ? s.interior_point_max_iter : 0;
  p.interior_point_after = std::min(s.interior_point_after, s.max_iter);
  p.interior_point_after_lp = std::min(s.interior_point_after_lp, s.max_iter);
  p.check_convexity = s.check_convexity;
  return p;
}

}  // namespace bpqp::detail
