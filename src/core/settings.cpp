#include "bpqp/settings.hpp"

#include <cmath>
#include <string>

#include "bpqp/errors.hpp"

namespace bpqp {
namespace {

void require(bool ok, const char* name, const std::string& expected, double value) {
  if (!ok) throw InvalidArgument(std::string("Settings::") + name + " = " + std::to_string(value) + ": expected " + expected);
}

}  // namespace

void validate(const Settings& s) {
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  auto nonnegative = [](double v) { return std::isfinite(v) && v >= 0; };
  require(positive(s.rho), "rho", "a finite value > 0", s.rho);
  require(positive(s.sigma), "sigma", "a finite value > 0", s.sigma);
  require(std::isfinite(s.alpha) && s.alpha > 0 && s.alpha < 2, "alpha", "a value in (0, 2)", s.alpha);
  const double eps_abs = s.eps_abs.value_or(1.0), eps_rel = s.eps_rel.value_or(1.0);
  require(nonnegative(eps_abs), "eps_abs", "a finite value >= 0", eps_abs);
  require(nonnegative(eps_rel), "eps_rel", "a finite value >= 0", eps_rel);
  require(eps_abs > 0 || eps_rel > 0, "eps_abs", "eps_abs or eps_rel > 0", eps_abs);
  require(positive(s.eps_prim_inf), "eps_prim_inf", "a finite value > 0", s.eps_prim_inf);
  require(positive(s.eps_dual_inf), "eps_dual_inf", "a finite value > 0", s.eps_dual_inf);
  require(s.max_iter >= 1, "max_iter", "an integer >= 1", s.max_iter);
  require(s.check_every >= 1, "check_every", "an integer >= 1", s.check_every);
  require(s.adaptive_rho_interval >= 1, "adaptive_rho_interval", "an integer >= 1", s.adaptive_rho_interval);
  require(std::isfinite(s.adaptive_rho_tolerance) && s.adaptive_rho_tolerance > 1, "adaptive_rho_tolerance",
          "a finite value > 1", s.adaptive_rho_tolerance);
  require(s.scaling_iterations >= 0, "scaling_iterations", "an integer >= 0", s.scaling_iterations);
  require(s.polish_refine_iterations >= 0, "polish_refine_iterations", "an integer >= 0", s.polish_refine_iterations);
  require(s.polish_first_attempt >= 0, "polish_first_attempt", "an integer >= 0", s.polish_first_attempt);
  require(s.interior_point_after >= 1, "interior_point_after", "an integer >= 1", s.interior_point_after);
  require(s.interior_point_after_lp >= 0, "interior_point_after_lp", "an integer >= 0", s.interior_point_after_lp);
  require(s.interior_point_max_iter >= 1, "interior_point_max_iter", "an integer >= 1", s.interior_point_max_iter);
  require(positive(s.delta), "delta", "a finite value > 0", s.delta);
  require(nonnegative(s.symmetry_tolerance.value_or(0)), "symmetry_tolerance", "a finite value >= 0",
          s.symmetry_tolerance.value_or(0));
  require(nonnegative(s.psd_tolerance.value_or(0)), "psd_tolerance", "a finite value >= 0", s.psd_tolerance.value_or(0));
  const int system = static_cast<int>(s.sparse_linear_system);
  require(system >= static_cast<int>(SparseLinearSystem::automatic) &&
              system <= static_cast<int>(SparseLinearSystem::conjugate_gradient),
          "sparse_linear_system", "automatic, factorization or conjugate_gradient", system);
}

namespace {
template <class T>
constexpr double default_eps() { return sizeof(T) >= sizeof(double) ? 1e-5 : 1e-4; }
}  // namespace

template <class T>
double effective_eps_abs(const Settings& s) { return s.eps_abs.value_or(default_eps<T>()); }
template <class T>
double effective_eps_rel(const Settings& s) { return s.eps_rel.value_or(default_eps<T>()); }
template double effective_eps_abs<float>(const Settings&);
template double effective_eps_abs<double>(const Settings&);
template double effective_eps_rel<float>(const Settings&);
template double effective_eps_rel<double>(const Settings&);

}  // namespace bpqp
