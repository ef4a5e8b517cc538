// The sparse path's data and the parts of its linear algebra that need no factorization: one
// large problem's scaled data in compressed sparse columns, with the overloads through which
// admm_run (kernels/admm_solve.hpp) scales it, measures residuals and tests certificates —
// products over the CSC arrays (kernels/csc_ops.hpp), each a function of the thread group, so
// that the CPU runs them on one thread and a CUDA block on its threads. The linear systems are
// the backends': an LDLᵀ factorization on the CPU (src/cpu/sparse_admm.hpp), or the conjugate
// gradient on CPU and GPU (kernels/sparse_pcg.hpp). Double precision.
#pragma once

#include "kernels/admm_params.hpp"
#include "kernels/admm_residuals.hpp"
#include "kernels/admm_solve.hpp"
#include "kernels/cone_layout.hpp"
#include "kernels/csc_ops.hpp"
#include "kernels/ruiz_scaling.hpp"

// In bpqp::kernels so that admm_run's calls find these overloads by argument-dependent lookup.
namespace bpqp::kernels {

// The user's problem (unscaled, read-only): P in full (both triangles: Px is a gather over
// its columns), A and its transpose Aᵀ (Ax is a gather over Aᵀ's columns).
struct SparseProblemView {
  int n = 0;
  int m = 0;
  CscRef<const double> P{};
  CscRef<const double> A{};
  CscRef<const double> At{};
  const double* q = nullptr;
  const double* l = nullptr;
  const double* u = nullptr;
  ConeLayout cones;  // none: the sparse path takes no cone blocks yet
};

// The scaled problem and the iteration's vectors that every linear-algebra backend of the
// sparse path has (the same member names as AdmmWorkspace where admm_run's generic code reads
// them): the factorization's workspace (src/cpu/sparse_admm.hpp) and the conjugate gradient's
// (kernels/sparse_pcg.hpp) add their own. Pointers only, so that a CUDA kernel takes it by value.
struct SparseAdmmData {
  using Scalar = double;
  ConeLayout cones;
  CscRef<double> P{}, A{}, At{};    // P̄ (full), Ā, Āᵀ on the user's patterns
  const int* At_position = nullptr;  // entry k of A is entry At_position[k] of Aᵀ
  double *q = nullptr, *l = nullptr, *u = nullptr;
  double *D = nullptr, *E = nullptr, *D_inv = nullptr, *E_inv = nullptr;
  int* rejected_guess = nullptr;  // the last polish's initial active set (kernels/polish.hpp); null: no polish
  double* scalars = nullptr;  // [0]: the cost scale c; [1 … 3]: the backend's
  double* rho = nullptr;
  double *x = nullptr, *z = nullptr, *y = nullptr, *x_prev = nullptr, *y_prev = nullptr;
  double *x_tilde = nullptr, *z_tilde = nullptr;
  double *work_n = nullptr, *work_n2 = nullptr, *work_n3 = nullptr, *work_m = nullptr, *work_m2 = nullptr;
  double* interior = nullptr;  // the interior point's arrays (InteriorPointArrays::entries), and ADMM's anchor
};

BPQP_HD BPQP_INLINE ScalingView<double> scaling_of(const SparseAdmmData& w) {
  return ScalingView<double>{w.D_inv, w.E_inv, w.scalars[0]};
}

// Modified Ruiz equilibration (kernels/ruiz_scaling.hpp's algorithm and limits) on the CSC
// data: column norms of [P̄; Ā], row norms of Ā (Āᵀ's columns), then the cost scaling.
template <class Group>
BPQP_HD void ruiz_equilibrate(const Group& g, const SparseProblemView& p, int iterations, SparseAdmmData& w) {
  const int n = p.n, m = p.m;
  copy(g, w.P.values, p.P.values, p.P.col_starts[n]);
  copy(g, w.A.values, p.A.values, p.A.col_starts[n]);
  copy(g, w.q, p.q, n);
  fill(g, w.D, n, 1.0);
  fill(g, w.E, m, 1.0);
  double c = 1.0;
  for (int it = 0; it < iterations; ++it) {
    fill(g, w.work_n, n, 0.0);
    csc_fold_column_max_abs(g, w.P, w.work_n);
    csc_fold_column_max_abs(g, w.A, w.work_n);
    for (int j = g.rank(); j < n; j += g.size()) w.work_n[j] = 1.0 / square_root(limit_scaling(w.work_n[j]));
    csc_copy_to_transpose(g, w.A.values, p.A.col_starts[n], w.At_position, w.At.values);
    fill(g, w.work_m, m, 0.0);
    csc_fold_column_max_abs(g, w.At, w.work_m);  // row norms of Ā
    for (int i = g.rank(); i < m; i += g.size()) w.work_m[i] = 1.0 / square_root(limit_scaling(w.work_m[i]));
    g.sync();
    csc_scale(g, w.P, w.work_n, w.work_n);
    csc_scale(g, w.A, w.work_m, w.work_n);
    for (int j = g.rank(); j < n; j += g.size()) {
      w.q[j] *= w.work_n[j];
      w.D[j] *= w.work_n[j];
    }
    for (int i = g.rank(); i < m; i += g.size()) w.E[i] *= w.work_m[i];
    g.sync();
    // Cost scaling: the mean column norm of P̄, or ‖q̄‖∞ if larger, goes to 1.
    fill(g, w.work_n2, n, 0.0);
    csc_fold_column_max_abs(g, w.P, w.work_n2);
    double col_sum = 0.0;
    for (int j = g.rank(); j < n; j += g.size()) col_sum += w.work_n2[j];
    const double mean_col = g.sum(col_sum) / (n > 0 ? n : 1);
    const double gamma = 1.0 / limit_scaling(max_of(mean_col, inf_norm(g, w.q, n)));
    for (int k = g.rank(); k < p.P.col_starts[n]; k += g.size()) w.P.values[k] *= gamma;
    for (int j = g.rank(); j < n; j += g.size()) w.q[j] *= gamma;
    c *= gamma;
    g.sync();
  }
  csc_copy_to_transpose(g, w.A.values, p.A.col_starts[n], w.At_position, w.At.values);
  for (int i = g.rank(); i < m; i += g.size()) {
    w.l[i] = scale_bound(p.l[i], w.E[i]);
    w.u[i] = scale_bound(p.u[i], w.E[i]);
    w.E_inv[i] = 1.0 / w.E[i];
  }
  for (int j = g.rank(); j < n; j += g.size()) w.D_inv[j] = 1.0 / w.D[j];
  if (g.rank() == 0) {
    w.scalars[0] = c;
    for (int k = 1; k < 4; ++k) w.scalars[k] = 0.0;  // the backend's, per problem
  }
  g.sync();
}

template <class Group>
BPQP_HD Residuals<double> compute_residuals(const Group& g, int n, int m, SparseAdmmData& w, const double* x,
                                            const double* z, const double* y) {
  csc_transposed_multiply(g, w.At, x, w.work_m);  // Āx
  csc_transposed_multiply(g, w.P, x, w.work_n);   // P̄x (P̄ symmetric)
  csc_transposed_multiply(g, w.A, y, w.work_n2);  // Āᵀy
  return residuals_from_products(g, n, m, scaling_of(w), static_cast<const double*>(w.q), z,
                                 static_cast<const double*>(w.work_m), w.work_n,
                                 static_cast<const double*>(w.work_n2), w.work_m2);
}

// The rounding bound on the dual residual: kernels/admm_residuals.hpp's, with Σ_i |Ā_ij ȳ_i|
// gathered over Ā's columns.
template <class Group>
BPQP_HD double dual_residual_rounding(const Group& g, int n, int m, const SparseAdmmData& w, const double* y) {
  csc_transposed_abs_multiply(g, w.A, y, w.work_n3);
  double largest = 0.0;
  for (int j = g.rank(); j < n; j += g.size()) largest = max_of(largest, w.D_inv[j] * w.work_n3[j]);
  return square_root(double(m + n)) * machine_epsilon<double>() * g.max(largest) / w.scalars[0];
}

BPQP_HD BPQP_INLINE double scaled_row_max_abs(int, const SparseAdmmData& w, const ScalingView<double>& s, int i) {
  double largest = 0.0;
  for (int k = w.At.col_starts[i]; k < w.At.col_starts[i + 1]; ++k)
    largest = max_of(largest, s.D_inv[w.At.row_indices[k]] * abs_of(w.At.values[k]));
  return largest;
}

// The infeasibility tests' products, sparse.
struct SparseProducts {
  CscRef<double> P, A, At;
  template <class Group>
  BPQP_HD void At_times(const Group& g, int, int, const double* v, double* out) const {
    csc_transposed_multiply(g, A, v, out);
  }
  template <class Group>
  BPQP_HD void P_times(const Group& g, int, const double* v, double* out) const {
    csc_transposed_multiply(g, P, v, out);
  }
  template <class Group>
  BPQP_HD void A_times(const Group& g, int, int, const double* v, double* out) const {
    csc_transposed_multiply(g, At, v, out);
  }
};

BPQP_HD BPQP_INLINE InfeasibilityData<double> infeasibility_data(const SparseAdmmData& w) {
  return InfeasibilityData<double>{nullptr, nullptr, w.q, w.l, w.u, w.D, w.E, w.D_inv, w.E_inv, w.scalars[0], w.cones};
}

template <class Group>
BPQP_HD bool primal_infeasible(const Group& g, int n, int m, SparseAdmmData& w, const double* y, const double* y_prev,
                               double eps) {
  return primal_infeasible(g, n, m, infeasibility_data(w), SparseProducts{w.P, w.A, w.At}, y, y_prev, eps, w.work_m,
                           w.work_n);
}

template <class Group>
BPQP_HD bool primal_infeasible(const Group& g, int n, int m, SparseAdmmData& w, double eps) {
  return primal_infeasible(g, n, m, w, w.y, w.y_prev, eps);
}

template <class Group>
BPQP_HD bool dual_infeasible(const Group& g, int n, int m, SparseAdmmData& w, const double* x, const double* x_prev,
                             double eps) {
  return dual_infeasible(g, n, m, infeasibility_data(w), SparseProducts{w.P, w.A, w.At}, x, x_prev, eps, w.work_n,
                         w.work_n2, w.work_m);
}

template <class Group>
BPQP_HD bool dual_infeasible(const Group& g, int n, int m, SparseAdmmData& w, double eps) {
  return dual_infeasible(g, n, m, w, w.x, w.x_prev, eps);
}

template <class Group>
BPQP_HD void scaled_A_product(const Group& g, int, int, const SparseAdmmData& w, const double* v, double* out) {
  csc_transposed_multiply(g, w.At, v, out);
}

template <class Group>
BPQP_HD void scaled_At_product(const Group& g, int, int, const SparseAdmmData& w, const double* v, double* out) {
  csc_transposed_multiply(g, w.A, v, out);
}

template <class Group>
BPQP_HD void scaled_P_product(const Group& g, int, const SparseAdmmData& w, const double* v, double* out) {
  csc_transposed_multiply(g, w.P, v, out);
}

// An LP: P̄ holds no non-zero value.
template <class Group>
BPQP_HD bool is_lp(const Group& g, int n, const CscRef<double>& P) {
  return inf_norm(g, P.values, P.col_starts[n]) == 0.0;
}

BPQP_HD BPQP_INLINE void user_row_product(const SparseProblemView& p, int i, const double* x, double* ax,
                                          double* largest) {
  double sum = 0.0, big = 0.0;
  for (int k = p.At.col_starts[i]; k < p.At.col_starts[i + 1]; ++k) {
    sum += p.At.values[k] * x[p.At.row_indices[k]];
    big = max_of(big, abs_of(p.At.values[k]));
  }
  *ax = sum;
  *largest = big;
}

template <class Group>
BPQP_HD void user_P_product(const Group& g, const SparseProblemView& p, const double* x, double* Px) {
  csc_transposed_multiply(g, p.P, x, Px);
}


// One problem's solve after its input checks (done by the host: src/cpu/sparse_forward.cpp):
// scaling, ρ, the backend's first factorization (or preconditioner), the start — out.x0 and
// out.y0 where given and finite (as admm_solve takes a warm start), zeros otherwise — and admm_run.
template <class Group, class Workspace>
BPQP_HD void sparse_admm_solve(const Group& g, const SparseProblemView& p, const AdmmParams<double>& prm, Workspace& w,
                               ProblemReport<double>& report, const ProblemOutput<double>& out) {
  const int n = p.n, m = p.m;
  ruiz_equilibrate(g, p, prm.scaling_iterations, w);
  set_rho_vector(g, m, prm.rho, prm, w);
  if (!factor_reduced_system(g, n, m, prm.sigma, w)) {
    report_failure(g, n, m, SolveStatus::numerical_error, report, out);
    return;
  }
  if (warm_start_usable(g, n, m, out.x0, out.y0)) {
    // x0, y0 (the user's units) as ADMM's scaled start, as admm_solve maps a warm start:
    // x̄ = D⁻¹x, ȳ = c·E⁻¹y, z̄ = Π(Āx̄).
    const double c = w.scalars[0];
    for (int j = g.rank(); j < n; j += g.size()) w.x[j] = out.x0[j] * w.D_inv[j];
    for (int i = g.rank(); i < m; i += g.size()) w.y[i] = out.y0[i] * w.E_inv[i] * c;
    g.sync();
    scaled_A_product(g, n, m, w, w.x, w.z);
    project_onto_constraints(g, m, w.cones, w.l, w.u, w.z);
  } else {
    fill(g, w.x, n, 0.0);
    fill(g, w.z, m, 0.0);
    fill(g, w.y, m, 0.0);
  }
  admm_run(g, p, prm, w, RunStart<double>{prm.rho, true, false, 0}, report, out);
}

}  // namespace bpqp::kernels
