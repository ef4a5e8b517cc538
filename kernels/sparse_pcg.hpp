// The sparse path's conjugate-gradient backend for admm_run: ADMM's reduced system
//   K x̃ = σx − q̄ + Āᵀ(ρ∘z − y),   K = P̄ + σI + Āᵀdiag(ρ)Ā   (OSQP §3.1, eq. 23)
// solved by a conjugate gradient preconditioned with K's diagonal (OSQP 1.x's GPU method,
// Schubiger et al. 2020), K applied through the CSC products of kernels/sparse_admm_data.hpp
// and never formed. ADMM factors nothing here, so it runs where a factor does not fit and in a
// CUDA block as on the CPU — the same code (src/cuda/sparse_pcg_forward.cu runs it on the GPU,
// src/cpu/sparse_forward.cpp on the CPU). Without a factorization there is no polishing and no
// interior-point fallback (both factor a KKT matrix): the solve is ADMM's alone, and its
// answer is what ADMM's termination test verified (Settings::sparse_linear_system).
//
// K is positive definite for a positive semidefinite P̄ and σ > 0, so the conjugate gradient
// converges; its accuracy follows ADMM's: each solve stops when the residual's inf-norm is
// below a fraction of the smaller scaled ADMM residual at the last check (inexact ADMM converges
// when the x-updates' errors are summable, Eckstein and Bertsekas 1992; tying them to the
// residuals is OSQP's practical form of that), and starts from the current x, which x̃
// approaches as ADMM converges.
#pragma once

#include "kernels/sparse_admm_data.hpp"

namespace bpqp::kernels {

// The conjugate gradient's steps per ADMM iteration, at most: started from x, a solve near
// convergence takes a few; a solve that stops here leaves ADMM an inexact step, which its
// next iterations correct (its residuals are measured on the iterate, not assumed).
constexpr int kMaxConjugateGradientSteps = 50;

// Each solve's tolerance: this fraction of the smaller scaled ADMM residual at the last check
// (OSQP 1.x's cg_tol_fraction default). Kept across ρ updates; resetting it there took
// Maros–Mészáros DUAL2 1125 ADMM iterations instead of 275.
constexpr double kConjugateGradientToleranceFraction = 0.15;

// Before a check has measured ADMM's residuals: the residual relative to the right-hand side.
constexpr double kConjugateGradientFirstTolerance = 1e-4;

struct PcgAdmmWorkspace : SparseAdmmData {
  double* preconditioner = nullptr;  // n: 1 / diag(K)
  double *cg_rhs = nullptr, *cg_residual = nullptr, *cg_preconditioned = nullptr;  // n each
  double *cg_direction = nullptr, *cg_product = nullptr, *cg_work_n = nullptr;    // n each
  double* cg_work_m = nullptr;                                                    // m
  // scalars[1]: the solves' tolerance from the last check (0: none yet; zeroed with the scaling)
};

// The arrays a PcgAdmmWorkspace points to, in doubles, for a problem of n variables and m
// rows whose P̄ (both triangles) has P_full_nonzeros entries and Ā A_nonzeros: the drivers
// carve one block of this size per problem (pcg_workspace_over).
BPQP_HD BPQP_INLINE long long pcg_workspace_doubles(int n, int m, int P_full_nonzeros, int A_nonzeros) {
  return static_cast<long long>(P_full_nonzeros) + 2LL * A_nonzeros + 4  // P̄, Ā, Āᵀ; scalars
         + 16LL * n + 12LL * m                                           // the vectors
         + n + m;                                                        // the anchor (w.interior)
}

// Wires a PcgAdmmWorkspace over `block` (pcg_workspace_doubles entries) and the shared
// patterns: P̄ in full (n×n), Ā (m×n), Āᵀ (n×m) with entry k of Ā at At_position[k] of Āᵀ.
BPQP_HD BPQP_INLINE PcgAdmmWorkspace pcg_workspace_over(double* block, int n, int m, const int* P_starts,
                                                        const int* P_rows, const int* A_starts, const int* A_rows,
                                                        const int* At_starts, const int* At_rows,
                                                        const int* At_position) {
  PcgAdmmWorkspace w;
  double* next = block;
  const long long P_nonzeros = P_starts[n], A_nonzeros = A_starts[n];
  w.P = CscRef<double>{n, n, P_starts, P_rows, next};
  w.A = CscRef<double>{m, n, A_starts, A_rows, next += P_nonzeros};
  w.At = CscRef<double>{n, m, At_starts, At_rows, next += A_nonzeros};
  w.At_position = At_position;
  w.scalars = next += A_nonzeros;
  next += 4;
  double** n_arrays[] = {&w.q, &w.D, &w.D_inv, &w.x, &w.x_prev, &w.x_tilde, &w.work_n, &w.work_n2,
                         &w.work_n3, &w.preconditioner, &w.cg_rhs, &w.cg_residual, &w.cg_preconditioned,
                         &w.cg_direction, &w.cg_product, &w.cg_work_n};
  for (double** v : n_arrays) {
    *v = next;
    next += n;
  }
  double** m_arrays[] = {&w.l, &w.u, &w.E, &w.E_inv, &w.rho, &w.z, &w.y, &w.y_prev, &w.z_tilde, &w.work_m,
                         &w.work_m2, &w.cg_work_m};
  for (double** v : m_arrays) {
    *v = next;
    next += m;
  }
  w.interior = next;  // n + m: admm_run's anchor iterate (no interior point runs here)
  return w;
}

// out = K v = P̄v + σv + Āᵀ(ρ∘Āv).
template <class Group>
BPQP_HD void reduced_system_product(const Group& g, int n, int m, double sigma, const PcgAdmmWorkspace& w,
                                    const double* v, double* out) {
  csc_transposed_multiply(g, w.At, v, w.cg_work_m);  // Āv
  for (int i = g.rank(); i < m; i += g.size()) w.cg_work_m[i] *= w.rho[i];
  g.sync();
  csc_transposed_multiply(g, w.A, static_cast<const double*>(w.cg_work_m), w.cg_work_n);  // Āᵀ(ρ∘Āv)
  csc_transposed_multiply(g, w.P, v, out);                                                 // P̄v
  for (int j = g.rank(); j < n; j += g.size()) out[j] += sigma * v[j] + w.cg_work_n[j];
  g.sync();
}

// In place of a factorization: K's diagonal P̄_jj + σ + Σ_i ρ_i Ā_ij², inverted, as the
// preconditioner. False (uniform) when an entry is not positive and finite: K is then not
// positive definite (a P̄ with a negative diagonal entry), and no solve is to be run.
template <class Group>
BPQP_HD bool factor_reduced_system(const Group& g, int n, int, double sigma, PcgAdmmWorkspace& w) {
  double bad = 0.0;
  for (int j = g.rank(); j < n; j += g.size()) {
    double diagonal = sigma;
    for (int k = w.P.col_starts[j]; k < w.P.col_starts[j + 1]; ++k)
      if (w.P.row_indices[k] == j) diagonal += w.P.values[k];
    for (int k = w.A.col_starts[j]; k < w.A.col_starts[j + 1]; ++k)
      diagonal += w.rho[w.A.row_indices[k]] * w.A.values[k] * w.A.values[k];
    const bool usable = diagonal > 0.0 && is_finite(diagonal);
    w.preconditioner[j] = usable ? 1.0 / diagonal : 0.0;
    if (!usable) bad = 1.0;
  }
  return !(g.max(bad) > 0.0);  // g.max synchronizes
}

// x̃ ← K⁻¹ rhs, from x̃ as given, by the preconditioned conjugate gradient.
template <class Group>
BPQP_HD void conjugate_gradient_solve(const Group& g, int n, int m, double sigma, PcgAdmmWorkspace& w) {
  double* x = w.x_tilde;
  double* r = w.cg_residual;
  double* s = w.cg_preconditioned;  // M⁻¹r
  double* d = w.cg_direction;
  double* Kd = w.cg_product;
  reduced_system_product(g, n, m, sigma, w, x, Kd);
  double rs_local = 0.0;
  for (int j = g.rank(); j < n; j += g.size()) {
    r[j] = w.cg_rhs[j] - Kd[j];
    s[j] = w.preconditioner[j] * r[j];
    d[j] = s[j];
    rs_local += r[j] * s[j];
  }
  double rs = g.sum(rs_local);
  const double measured = w.scalars[1];
  const double rhs_norm = inf_norm(g, static_cast<const double*>(w.cg_rhs), n);
  const double tolerance = measured > 0.0 ? measured : kConjugateGradientFirstTolerance * rhs_norm;
  for (int step = 0; step < kMaxConjugateGradientSteps; ++step) {
    if (!(inf_norm(g, static_cast<const double*>(r), n) > tolerance)) break;  // NaN stops too
    reduced_system_product(g, n, m, sigma, w, d, Kd);
    double dKd_local = 0.0;
    for (int j = g.rank(); j < n; j += g.size()) dKd_local += d[j] * Kd[j];
    const double dKd = g.sum(dKd_local);
    if (!(dKd > 0.0)) break;  // K not positive definite along d (a P̄ that is not PSD): stop
    const double step_length = rs / dKd;
    double rs_next_local = 0.0;
    for (int j = g.rank(); j < n; j += g.size()) {
      x[j] += step_length * d[j];
      r[j] -= step_length * Kd[j];
      s[j] = w.preconditioner[j] * r[j];
      rs_next_local += r[j] * s[j];
    }
    const double rs_next = g.sum(rs_next_local);
    const double beta = rs_next / rs;
    rs = rs_next;
    for (int j = g.rank(); j < n; j += g.size()) d[j] = s[j] + beta * d[j];
    g.sync();
  }
}

// One ADMM iteration (Algorithm 1, steps 3–6) with x̃ from the conjugate gradient.
template <class Group>
BPQP_HD void admm_iterate(const Group& g, int n, int m, const AdmmParams<double>& prm, PcgAdmmWorkspace& w) {
  for (int i = g.rank(); i < m; i += g.size()) w.work_m[i] = w.rho[i] * w.z[i] - w.y[i];
  g.sync();
  csc_transposed_multiply(g, w.A, static_cast<const double*>(w.work_m), w.cg_rhs);  // Āᵀ(ρ∘z − y)
  for (int j = g.rank(); j < n; j += g.size()) {
    w.cg_rhs[j] += prm.sigma * w.x[j] - w.q[j];
    w.x_tilde[j] = w.x[j];  // the start
  }
  g.sync();
  conjugate_gradient_solve(g, n, m, prm.sigma, w);
  csc_transposed_multiply(g, w.At, static_cast<const double*>(w.x_tilde), w.z_tilde);  // Āx̃
  relaxed_update(g, n, m, prm.alpha, w.rho, w.l, w.u, w.x_tilde, w.z_tilde, AdmmIterate<double>{w.x, w.z, w.y},
                 w.x_prev, w.y_prev, w.cones);
}

// The residuals as for every sparse backend; their scaled sizes set the next solves' tolerance.
template <class Group>
BPQP_HD Residuals<double> compute_residuals(const Group& g, int n, int m, PcgAdmmWorkspace& w, const double* x,
                                            const double* z, const double* y) {
  const Residuals<double> r = compute_residuals(g, n, m, static_cast<SparseAdmmData&>(w), x, z, y);
  // The smaller positive one: a residual that is exactly 0 (the primal one of a problem with
  // no rows, or only free rows) would set no tolerance, and the relative rule above then
  // stopped the solves once the dual residual was below 1e-4·‖rhs‖: ADMM stalled there.
  const double prim = r.prim_scaled > 0.0 ? r.prim_scaled : r.dual_scaled;
  const double dual = r.dual_scaled > 0.0 ? r.dual_scaled : r.prim_scaled;
  const double smaller = min_of(prim, dual);
  if (g.rank() == 0 && smaller > 0.0 && is_finite(smaller))
    w.scalars[1] = kConjugateGradientToleranceFraction * smaller;
  g.sync();
  return r;
}

// No factorization: no polishing (the driver turns it off; an attempt verifies nothing) …
template <class Group>
BPQP_HD bool polish_point(const Group&, int, int, const AdmmParams<double>&, PcgAdmmWorkspace&, Residuals<double>*) {
  return false;
}

// … and no interior point (no Newton matrix to factor).
BPQP_HD BPQP_INLINE int newton_forms(int, const PcgAdmmWorkspace&) { return 0; }
BPQP_HD BPQP_INLINE void use_newton_form(PcgAdmmWorkspace&, int) {}

template <class Group>
BPQP_HD bool interior_point_solve(const Group&, int, int, const AdmmParams<double>&, PcgAdmmWorkspace&,
                                  Residuals<double>*, int* iterations, bool* polished, SolveStatus* = nullptr) {
  *iterations = 0;
  *polished = false;
  return false;
}

}  // namespace bpqp::kernels
