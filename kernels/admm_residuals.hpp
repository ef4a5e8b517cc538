// OSQP's convergence and infeasibility tests (Stellato et al. 2020, §3.4 and
// §3.3), evaluated on the scaled iterates but measured on the unscaled problem
// so that eps_abs / eps_rel mean what the user asked for.
#pragma once

#include "kernels/admm_workspace.hpp"
#include "kernels/problem_view.hpp"
#include "kernels/admm_params.hpp"
#include "kernels/second_order_cone.hpp"
#include "kernels/vector_ops.hpp"

namespace bpqp::kernels {

template <class T>
struct Residuals {
  T prim = T(0), dual = T(0);              // unscaled ‖Ax − z‖∞, ‖Px + q + Aᵀy‖∞
  T prim_scale = T(0), dual_scale = T(0);  // max(‖Ax‖,‖z‖), max(‖Px‖,‖Aᵀy‖,‖q‖), unscaled
  T prim_scaled = T(0), dual_scaled = T(0);                // the same on the scaled problem,
  T prim_scale_scaled = T(0), dual_scale_scaled = T(0);    // for the adaptive-ρ estimate
};

// The scaling that maps the scaled problem back to the user's: x = D x̄, y = E ȳ / c.
template <class T>
struct ScalingView {
  const T* D_inv;  // n
  const T* E_inv;  // m
  T c;
};

// The per-problem workspace's scaling (D⁻¹, E⁻¹ and the cost scale c in scalars[0]).
template <class T>
BPQP_HD BPQP_INLINE ScalingView<T> scaling_of(const AdmmWorkspace<T>& w) {
  return ScalingView<T>{w.D_inv, w.E_inv, w.scalars[0]};
}

// Residuals from the matrix products of the scaled point: Ax = Āx̄, Px = P̄x̄, Aty = Āᵀȳ
// (computed by the caller: a gemv per problem, or one GEMM for a batch sharing P̄, Ā).
// Overwrites Px with the dual residual; uses prim_vec (m) as scratch.
template <class Group, class T>
BPQP_HD Residuals<T> residuals_from_products(const Group& g, int n, int m, const ScalingView<T>& s, const T* q,
                                             const T* z, const T* Ax, T* Px, const T* Aty, T* prim_vec) {
  Residuals<T> r;
  const T c_inv = T(1) / s.c;
  for (int i = g.rank(); i < m; i += g.size()) prim_vec[i] = Ax[i] - z[i];
  g.sync();
  r.prim = scaled_inf_norm(g, s.E_inv, prim_vec, m);
  r.prim_scale = max_of(scaled_inf_norm(g, s.E_inv, Ax, m), scaled_inf_norm(g, s.E_inv, z, m));
  r.prim_scaled = inf_norm(g, prim_vec, m);
  r.prim_scale_scaled = max_of(inf_norm(g, Ax, m), inf_norm(g, z, m));

  const T px_norm = scaled_inf_norm(g, s.D_inv, Px, n);
  const T aty_norm = scaled_inf_norm(g, s.D_inv, Aty, n);
  const T q_norm = scaled_inf_norm(g, s.D_inv, q, n);
  r.dual_scale = c_inv * max_of(px_norm, max_of(aty_norm, q_norm));
  r.dual_scale_scaled = max_of(inf_norm(g, Px, n), max_of(inf_norm(g, Aty, n), inf_norm(g, q, n)));
  for (int j = g.rank(); j < n; j += g.size()) Px[j] += q[j] + Aty[j];  // Px now holds the dual residual
  g.sync();
  r.dual = c_inv * scaled_inf_norm(g, s.D_inv, Px, n);
  r.dual_scaled = inf_norm(g, Px, n);
  return r;
}

// Āv for the workspace's scaled Ā (the sparse path overloads it).
template <class Group, class T>
BPQP_HD void scaled_A_product(const Group& g, int n, int m, const AdmmWorkspace<T>& w, const T* v, T* out) {
  gemv(g, w.A, m, n, v, out);
}

// Āᵀv and P̄v likewise.
template <class Group, class T>
BPQP_HD void scaled_At_product(const Group& g, int n, int m, const AdmmWorkspace<T>& w, const T* v, T* out) {
  gemv_transposed(g, w.A, m, n, v, out);
}

template <class Group, class T>
BPQP_HD void scaled_P_product(const Group& g, int n, const AdmmWorkspace<T>& w, const T* v, T* out) {
  gemv(g, w.P, n, n, v, out);
}

// Residuals of the scaled point (x, z, y). Uses work_n, work_n2, work_m, work_m2.
template <class Group, class T>
BPQP_HD Residuals<T> compute_residuals(const Group& g, int n, int m, AdmmWorkspace<T>& w, const T* x,
                                       const T* z, const T* y) {
  gemv(g, w.A, m, n, x, w.work_m);
  gemv(g, w.P, n, n, x, w.work_n);
  gemv_transposed(g, w.A, m, n, y, w.work_n2);
  return residuals_from_products(g, n, m, scaling_of(w), w.q, z, w.work_m,
                                 w.work_n, w.work_n2, w.work_m2);
}

// How far rounding alone can move the computed dual residual ‖Px + q + Aᵀy‖∞ (unscaled):
// √(m + n)·ε times the largest column sum Σ_i |Ā_ij ȳ_i| (scaled back by c⁻¹·D⁻¹_j), the
// typical error of a sum of that many terms whose roundings do not all share a sign (Higham,
// Accuracy and Stability, §2.8 and §4.2). It is small beside eps_rel·dual_scale while the
// terms do not cancel; where a degenerate problem's y is huge and its terms cancel (an LP
// whose optimal multipliers are unbounded), it can exceed the tolerance, and a residual below
// the tolerance then proves nothing: the caller must not call such a point solved.
// Not the worst-case (m + n)·ε: that exceeds eps_rel·dual_scale on any float problem with
// n + m in the hundreds (Σ_i |Ā_ij ȳ_i| ≥ |Āᵀȳ|_j, and (m + n)·ε_float = 7e-5 at 600 rows and
// columns beside eps_rel = 1e-4), so no float 500×100 QP could ever be called solved: 0 of 64
// random ones were, every one ending at max_iterations.
template <class Group, class T>
BPQP_HD T dual_residual_rounding(const Group& g, int n, int m, const T* A, const T* y, const ScalingView<T>& s) {
  T largest = T(0);
  for (int j = g.rank(); j < n; j += g.size()) {
    T column = T(0);
    for (int i = 0; i < m; ++i) column += abs_of(A[i * n + j] * y[i]);
    largest = max_of(largest, s.D_inv[j] * column);
  }
  return square_root(T(m + n)) * machine_epsilon<T>() * g.max(largest) / s.c;
}

// The same for the workspace's scaled Ā (the sparse path overloads it for its own workspace).
template <class Group, class T>
BPQP_HD T dual_residual_rounding(const Group& g, int n, int m, const AdmmWorkspace<T>& w, const T* y) {
  return dual_residual_rounding(g, n, m, static_cast<const T*>(w.A), y, scaling_of(w));
}

// Whether the duality gap xᵀPx + qᵀx + yᵀb of the candidate (b = z on box rows, whose z sits
// on the bounds its multipliers claim; b = l on a cone block's rows: the dual's support term)
// is within the tolerances,
// relative to the largest of its terms. Small residuals do not imply it where y is huge:
// a row that is infeasible by less than eps_abs drives the interior point's multiplier
// towards −∞ along the Farkas ray, and y·(Ax − z) stays large (found by the solve fuzzer:
// float, 0·x ≥ 7e−9, y = −8e11, gap 360 on an objective of 7). Reads the residuals'
// products left by compute_residuals: work_n = P̄x̄ + q̄ + Āᵀȳ, work_n2 = Āᵀȳ. The terms
// are scaled-problem values; each is c times its unscaled value, so the ratio is exact.

template <class Group, class T, class Workspace>
BPQP_HD bool duality_gap_closed(const Group& g, int n, int m, const AdmmParams<T>& prm, const Workspace& w,
                                const T* x, const T* z, const T* y) {
  T xpx = T(0), qx = T(0), yz = T(0);
  for (int j = g.rank(); j < n; j += g.size()) {
    xpx += x[j] * (w.work_n[j] - w.q[j] - w.work_n2[j]);
    qx += w.q[j] * x[j];
  }
  // A cone block's support term is y_kᵀl_k (y_k ∈ −K), not y_kᵀz_k: z_k = l_k + s_k with s_k in
  // the cone, and y_kᵀs_k is the block's complementarity defect, which the gap must include
  // (with y_kᵀz_k it cancelled: a cone polish with s inside the cone beside y on its boundary
  // was accepted with complementarity 1.7e-5 at eps 1e-9 — solve fuzzer, double, a 2-row SOC).
  const int box_rows = w.cones.box_rows(m);
  for (int i = g.rank(); i < m; i += g.size()) yz += y[i] * (i < box_rows ? z[i] : w.l[i]);
  xpx = g.sum(xpx);
  qx = g.sum(qx);
  yz = g.sum(yz);
  const T c_inv = T(1) / w.scalars[0];
  const T scale = c_inv * max_of(abs_of(xpx), max_of(abs_of(qx), abs_of(yz)));
  const T gap = c_inv * abs_of(xpx + qx + yz);
  const T rounding = T(n + m) * machine_epsilon<T>() * scale;
  return is_finite(gap) && gap <= prm.eps_abs + prm.eps_rel * scale + rounding;
}

// The acceptance test of a high-accuracy finish (polish, interior point): the candidate
// (x, z, y) replaces w.x, w.z, w.y, with its residuals in *out, only if it meets the
// termination tolerances with the rounding bound added to the dual residual. The caller
// puts an active row's z on the bound its multiplier claims, so that ‖Ax − z‖ also measures
// complementarity (a row with y ≠ 0 off its bound is not a solution: found by the solve
// fuzzer, a float polish whose unstable factorization left x = 0 with y = −1 on a row at 1).
// z and y must not alias the residuals' scratch (work_n, work_n2, work_m, work_m2).
template <class Group, class T, class Workspace>
BPQP_HD bool accept_if_converged(const Group& g, int n, int m, const AdmmParams<T>& prm, Workspace& w,
                                 const T* x, const T* z, const T* y, Residuals<T>* out) {
  const Residuals<T> r = compute_residuals(g, n, m, w, x, z, y);
  // A degenerate problem can end with huge, cancelling multipliers whose computed dual
  // residual is rounding noise (found by the solve fuzzer: float, y ~ 1e7, true residual
  // 0.25 computed as 0): it must stay below the tolerance with the rounding bound added.
  const T rounding = dual_residual_rounding(g, n, m, w, y);
  const bool meets = is_finite(r.prim) && is_finite(r.dual) && r.prim <= prm.eps_abs + prm.eps_rel * r.prim_scale &&
                     r.dual + rounding <= prm.eps_abs + prm.eps_rel * r.dual_scale &&
                     duality_gap_closed(g, n, m, prm, w, x, z, y);
  if (!meets) return false;
  copy(g, w.x, x, n);
  copy(g, w.z, z, m);
  copy(g, w.y, y, m);
  *out = r;
  return true;
}

template <class T>
BPQP_HD BPQP_INLINE T division_tolerance() { return T(1e-30); }

// The scaled problem an infeasibility test reads: P̄ (n×n), Ā (m×n), q̄, l̄, ū and the
// scaling D, E (and inverses), c. A problem's own workspace, or one column of a batch
// that shares P̄, Ā and the scaling.
template <class T>
struct InfeasibilityData {
  const T* P;
  const T* A;
  const T* q;
  const T* l;
  const T* u;
  const T* D;
  const T* E;
  const T* D_inv;
  const T* E_inv;
  T c;
  ConeLayout cones;

  BPQP_HD BPQP_INLINE static InfeasibilityData of(const AdmmWorkspace<T>& w) {
    return InfeasibilityData{w.P, w.A, w.q, w.l, w.u, w.D, w.E, w.D_inv, w.E_inv, w.scalars[0], w.cones};
  }
};

// Primal infeasibility certificate from δy = y − y_prev (OSQP §3.3):
// ‖Aᵀδy‖∞ ≤ ε‖δy‖∞ and uᵀmax(δy,0) + lᵀmin(δy,0) < −ε‖δy‖∞, after projecting δy
// onto the directions the bounds allow (an infinite bound admits no multiplier). A cone
// block's part is projected onto −Q, where its support term is l_kᵀδy_k (Banjac et al.
// 2019, as COSMO tests it). Leaves the projected δy in dy (m); scratch_n (n). Uniform.
// The products the infeasibility tests take of the scaled matrices, dense: Āᵀv, P̄v and Āv
// (the sparse path passes its own).
template <class T>
struct DenseProducts {
  const T* P;
  const T* A;
  template <class Group>
  BPQP_HD void At_times(const Group& g, int n, int m, const T* v, T* out) const { gemv_transposed(g, A, m, n, v, out); }
  template <class Group>
  BPQP_HD void P_times(const Group& g, int n, const T* v, T* out) const { gemv(g, P, n, n, v, out); }
  template <class Group>
  BPQP_HD void A_times(const Group& g, int n, int m, const T* v, T* out) const { gemv(g, A, m, n, v, out); }
};

template <class Group, class T, class Products>
BPQP_HD bool primal_infeasible(const Group& g, int n, int m, const InfeasibilityData<T>& d, const Products& products,
                               const T* y, const T* y_prev, T eps, T* dy, T* scratch_n) {
  T lhs = T(0);
  const int box_rows = d.cones.box_rows(m);
  for (int k = g.rank(); k < d.cones.count; k += g.size()) {
    const int first = d.cones.begin(k), dim = d.cones.dim(k);
    for (int i = first; i < first + dim; ++i) dy[i] = y_prev[i] - y[i];  // −δy, projected onto Q below
    project_onto_cone(dy + first, dim);
    for (int i = first; i < first + dim; ++i) {
      dy[i] = -dy[i];
      lhs += d.l[i] * dy[i];
    }
  }
  for (int i = g.rank(); i < box_rows; i += g.size()) {
    T v = y[i] - y_prev[i];
    const bool upper_finite = is_finite(d.u[i]), lower_finite = is_finite(d.l[i]);
    if (!upper_finite) v = min_of(v, T(0));
    if (!lower_finite) v = max_of(v, T(0));
    dy[i] = v;
    if (v > T(0)) lhs += d.u[i] * v;
    if (v < T(0)) lhs += d.l[i] * v;
  }
  g.sync();
  lhs = g.sum(lhs);
  const T norm_dy = scaled_inf_norm(g, d.E, dy, m);
  if (!(norm_dy > division_tolerance<T>()) || !(lhs < -eps * norm_dy)) return false;
  products.At_times(g, n, m, dy, scratch_n);
  return scaled_inf_norm(g, d.D_inv, scratch_n, n) < eps * norm_dy;
}

template <class Group, class T>
BPQP_HD bool primal_infeasible(const Group& g, int n, int m, const InfeasibilityData<T>& d, const T* y,
                               const T* y_prev, T eps, T* dy, T* scratch_n) {
  return primal_infeasible(g, n, m, d, DenseProducts<T>{d.P, d.A}, y, y_prev, eps, dy, scratch_n);
}

// The same on a problem's workspace, δy = y − y_prev left in work_m: from ADMM's iterates
// (w.y, w.y_prev) or any other pair (the interior point's last multipliers against zero,
// kernels/interior_point.hpp). The sparse path overloads both.
template <class Group, class T>
BPQP_HD bool primal_infeasible(const Group& g, int n, int m, AdmmWorkspace<T>& w, const T* y, const T* y_prev, T eps) {
  return primal_infeasible(g, n, m, InfeasibilityData<T>::of(w), y, y_prev, eps, w.work_m, w.work_n);
}

template <class Group, class T>
BPQP_HD bool primal_infeasible(const Group& g, int n, int m, AdmmWorkspace<T>& w, T eps) {
  return primal_infeasible(g, n, m, w, static_cast<const T*>(w.y), static_cast<const T*>(w.y_prev), eps);
}

// Dual infeasibility certificate from δx = x − x_prev (OSQP §3.3): Pδx ≈ 0,
// qᵀδx < 0 and Aδx in the recession cone of [l, u]. Leaves δx in dx (n);
// scratch_n (n), scratch_m (m). Uniform over the group.
template <class Group, class T, class Products>
BPQP_HD bool dual_infeasible(const Group& g, int n, int m, const InfeasibilityData<T>& d, const Products& products,
                             const T* x, const T* x_prev, T eps, T* dx, T* scratch_n, T* scratch_m) {
  for (int j = g.rank(); j < n; j += g.size()) dx[j] = x[j] - x_prev[j];
  g.sync();
  const T c = d.c;
  const T norm_dx = scaled_inf_norm(g, d.D, dx, n);
  if (!(norm_dx > division_tolerance<T>())) return false;
  if (!(dot(g, d.q, dx, n) < -c * eps * norm_dx)) return false;
  products.P_times(g, n, dx, scratch_n);
  if (!(scaled_inf_norm(g, d.D_inv, scratch_n, n) < c * eps * norm_dx)) return false;
  products.A_times(g, n, m, dx, scratch_m);
  T violated = T(0);
  const int box_rows = d.cones.box_rows(m);
  for (int i = g.rank(); i < box_rows; i += g.size()) {
    const T adx = d.E_inv[i] * scratch_m[i];
    if ((is_finite(d.u[i]) && adx > eps * norm_dx) || (is_finite(d.l[i]) && adx < -eps * norm_dx)) violated = T(1);
  }
  // A cone block's recession cone is Q itself: Āδx (unscaled by the block's common factor) ∈ Q.
  for (int k = g.rank(); k < d.cones.count; k += g.size()) {
    const int first = d.cones.begin(k);
    if (d.E_inv[first] * cone_violation(scratch_m + first, d.cones.dim(k)) > eps * norm_dx) violated = T(1);
  }
  return g.max(violated) == T(0);
}

template <class Group, class T>
BPQP_HD bool dual_infeasible(const Group& g, int n, int m, const InfeasibilityData<T>& d, const T* x,
                             const T* x_prev, T eps, T* dx, T* scratch_n, T* scratch_m) {
  return dual_infeasible(g, n, m, d, DenseProducts<T>{d.P, d.A}, x, x_prev, eps, dx, scratch_n, scratch_m);
}

// The same on a problem's workspace, δx = x − x_prev left in work_n (ADMM's iterates, or as
// primal_infeasible's any other pair).
template <class Group, class T>
BPQP_HD bool dual_infeasible(const Group& g, int n, int m, AdmmWorkspace<T>& w, const T* x, const T* x_prev, T eps) {
  return dual_infeasible(g, n, m, InfeasibilityData<T>::of(w), x, x_prev, eps, w.work_n, w.work_n2, w.work_m);
}

template <class Group, class T>
BPQP_HD bool dual_infeasible(const Group& g, int n, int m, AdmmWorkspace<T>& w, T eps) {
  return dual_infeasible(g, n, m, w, static_cast<const T*>(w.x), static_cast<const T*>(w.x_prev), eps);
}

}  // namespace bpqp::kernels
