// Interior-point fallback for problems ADMM does not finish (Mehrotra's
// predictor-corrector; Nocedal & Wright §16.6, Vandenberghe's coneqp notes).
// ADMM is first-order and stalls on badly scaled, degenerate problems where
// OSQP stalls too (Maros–Mészáros QGROW*, QFORPLAN, QSHARE1B); an interior
// point needs a few dozen Newton steps there. Each step factors
//   [P̄ + Āᵀdiag(D)Ā + εI, Ā_Eᵀ; Ā_E, −δI]       D_i = λᵘ_i/sᵘ_i + λˡ_i/sˡ_i,
// the ADMM reduced matrix with ρ replaced by D, plus the equality rows in
// quasi-definite form. The result is handed to polishing, whose termination
// test decides whether the problem is solved: the fallback can only turn a
// failure into a verified solution.
//
// Rows i with finite l_i carry sˡ_i = Āᵢx − l̄_i ≥ 0 with λˡ_i ≥ 0, finite u_i
// carry sᵘ_i = ū_i − Āᵢx ≥ 0 with λᵘ_i ≥ 0, and y_i = λᵘ_i − λˡ_i; equality
// rows (l̄_i = ū_i) carry a free y_i. Everything runs on the scaled problem.
//
// A cone block k (kernels/cone_layout.hpp) carries s_k = Ā_k x − l̄_k ∈ Q with μ_k ∈ Q and
// y_k = −μ_k, scaled by Nesterov–Todd (kernels/second_order_cone.hpp): W z = W⁻¹ s = λ, and
// its rows enter the Newton matrix as Ā_kᵀ W⁻² Ā_k, W⁻² = η⁻²(2ŵŵᵀ − J) with ŵ = J w̄ — the
// fold of ρ-weighted rows (−η⁻² on its first row, η⁻² on the others) plus the rank-one term
// 2η⁻²(Ā_kᵀŵ)(Ā_kᵀŵ)ᵀ. With the complementarity target c (−λ∘λ for the predictor,
// σμe − λ∘λ − (W⁻¹ds)∘(W dμ) for the corrector) and v = λ ⊘ c (Jordan division), a step solves
// for dx and then ds = Ā dx + r, dμ = W⁻¹v − W⁻² ds (the box sides' z/s, in the cone's algebra).
#pragma once

#include "kernels/admm_residuals.hpp"
#include "kernels/cone_polish.hpp"
#include "kernels/dense_ldlt.hpp"
#include "kernels/polish.hpp"
#include "kernels/second_order_cone.hpp"

namespace bpqp::kernels {

// The interior point's own arrays, carved from AdmmWorkspace::interior. A cone block's rows use
// the lower side's arrays for s, μ, ds, dμ and the residual (sl, zl, dsl, dzl, rl), the upper
// side's for the scaling: su = w̄, zu = λ, ru[first row] = η, dsu and dzu as scratch.
template <class T>
struct InteriorPointArrays {
  T *sl, *su, *zl, *zu;          // slacks and multipliers of the lower and upper sides
  T *dsl, *dsu, *dzl, *dzu;      // current direction
  T *rl, *ru;                    // side residuals Āx − sˡ − l̄ and Āx + sᵘ − ū
  T *e, *adx, *y;                // Newton right-hand side terms, Ā dx, y
  T *dx, *rd, *sol;              // n, n, n + m
  BPQP_HD BPQP_INLINE static InteriorPointArrays carve(T* base, int n, int m) {
    InteriorPointArrays a;
    T* p = base;
    T** m_arrays[] = {&a.sl, &a.su, &a.zl, &a.zu, &a.dsl, &a.dsu, &a.dzl, &a.dzu, &a.rl, &a.ru, &a.e, &a.adx, &a.y};
    for (T** arr : m_arrays) {
      *arr = p;
      p += m;
    }
    a.dx = p;
    a.rd = p + n;
    a.sol = p + 2 * n;
    return a;
  }
  BPQP_HD BPQP_INLINE static int entries(int n, int m) { return 14 * m + 4 * n; }  // AdmmWorkspace::interior's size
};

// (A workspace only: Workspace::Scalar keeps two scalars of mixed types from binding here.)
template <class Workspace, class = typename Workspace::Scalar>
BPQP_HD BPQP_INLINE bool is_equality_row(const Workspace& w, int i) {
  return is_equality_row(w.l[i], w.u[i]);
}

// Lists the equality rows into w.active_rows; returns their count.
template <class Group, class Workspace>
BPQP_HD int list_equality_rows(const Group& g, int m, Workspace& w) {
  for (int i = g.rank(); i < m; i += g.size()) w.active[i] = is_equality_row(w, i) ? 1 : 0;
  g.sync();
  return list_active_rows(g, m, w);
}

// μ = mean complementarity product over the finite sides (0 when there are none).
template <class Group, class T, class Workspace>
BPQP_HD T complementarity(const Group& g, int m, const Workspace& w, const InteriorPointArrays<T>& a,
                          T step, bool along_direction) {
  T sum = T(0), count = T(0);
  const ConeLayout& cones = w.cones;
  for (int k = g.rank(); k < cones.count; k += g.size()) {  // a block counts once (its degree is 1)
    for (int r = cones.begin(k); r < cones.begin(k + 1); ++r)
      sum += (a.sl[r] + (along_direction ? step * a.dsl[r] : T(0))) *
             (a.zl[r] + (along_direction ? step * a.dzl[r] : T(0)));
    count += T(1);
  }
  for (int i = g.rank(); i < cones.box_rows(m); i += g.size()) {
    if (is_equality_row(w, i)) continue;
    if (is_finite(w.l[i])) {
      const T s = a.sl[i] + (along_direction ? step * a.dsl[i] : T(0));
      const T z = a.zl[i] + (along_direction ? step * a.dzl[i] : T(0));
      sum += s * z;
      count += T(1);
    }
    if (is_finite(w.u[i])) {
      const T s = a.su[i] + (along_direction ? step * a.dsu[i] : T(0));
      const T z = a.zu[i] + (along_direction ? step * a.dzu[i] : T(0));
      sum += s * z;
      count += T(1);
    }
  }
  sum = g.sum(sum);
  count = g.sum(count);
  return count > T(0) ? sum / count : T(0);
}

// Residuals at the current point: side residuals rl, ru, y, and rd = P̄x + q̄ + Āᵀy.
template <class Group, class T, class Workspace>
BPQP_HD void interior_residuals(const Group& g, int n, int m, Workspace& w, const InteriorPointArrays<T>& a,
                                const T* x) {
  scaled_A_product(g, n, m, w, x, a.adx);
  const int box_rows = w.cones.box_rows(m);
  for (int i = g.rank(); i < m; i += g.size()) {
    if (i >= box_rows) {  // a cone row: s = Āx − l̄ − r, y = −μ
      a.rl[i] = a.adx[i] - a.sl[i] - w.l[i];
      a.y[i] = -a.zl[i];
      continue;
    }
    a.rl[i] = is_finite(w.l[i]) ? a.adx[i] - a.sl[i] - w.l[i] : T(0);
    a.ru[i] = is_finite(w.u[i]) ? a.adx[i] + a.su[i] - w.u[i] : T(0);
    if (!is_equality_row(w, i)) a.y[i] = (is_finite(w.u[i]) ? a.zu[i] : T(0)) - (is_finite(w.l[i]) ? a.zl[i] : T(0));
  }
  g.sync();
  scaled_P_product(g, n, w, x, a.rd);
  scaled_At_product(g, n, m, w, static_cast<const T*>(a.y), a.dx);  // dx as scratch for Āᵀy
  for (int j = g.rank(); j < n; j += g.size()) a.rd[j] += w.q[j] + a.dx[j];
  g.sync();
}

// The Nesterov–Todd scaling of every cone block from its s (sl) and μ (zl): w̄ into su, η into
// ru at the block's first row, λ = W μ into zu (kernels/second_order_cone.hpp).
template <class Group, class T, class Workspace>
BPQP_HD void cone_scalings(const Group& g, const Workspace& w, const InteriorPointArrays<T>& a) {
  const ConeLayout& cones = w.cones;
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k);
    a.ru[first] = nesterov_todd_point(a.sl + first, a.zl + first, d, a.su + first);
    for (int r = first; r < first + d; ++r) a.zu[r] = a.zl[r];
    apply_nesterov_todd(a.su + first, a.ru[first], d, false, a.zu + first);
  }
  g.sync();
}

// Forms and factors the Newton matrix for the current D (stored in w.rho; a cone block's rows
// hold its fold weights ∓η⁻², and its rank-one term is added here, into the P block).
template <class Group, class T>
BPQP_HD bool factor_newton_matrix(const Group& g, int n, int m, int n_eq, T regularization, AdmmWorkspace<T>& w,
                                  const InteriorPointArrays<T>& a) {
  assemble_reduced_kkt(g, scaled_kkt(n, m, n_eq, w), static_cast<const T*>(w.rho), regularization, regularization,
                       w.factor);
  const int N = n + n_eq;
  const ConeLayout& cones = w.cones;
  for (int k = 0; k < cones.count; ++k) {  // every thread, block by block: 2η⁻² v vᵀ, v = Ā_kᵀ J w̄
    const int first = cones.begin(k), d = cones.dim(k);
    T* v = w.work_n;
    for (int j = g.rank(); j < n; j += g.size()) {
      T sum = a.su[first] * w.A[static_cast<std::ptrdiff_t>(first) * n + j];
      for (int r = 1; r < d; ++r) sum -= a.su[first + r] * w.A[static_cast<std::ptrdiff_t>(first + r) * n + j];
      v[j] = sum;
    }
    g.sync();
    const T coef = T(2) / (a.ru[first] * a.ru[first]);
    for (int i = g.rank(); i < n; i += g.size()) {
      T* row = w.factor + static_cast<std::ptrdiff_t>(i) * N;
      const T vi = coef * v[i];
      for (int j = 0; j <= i; ++j) row[j] += vi * v[j];
    }
    g.sync();
  }
  return ldlt_factor(g, w.factor, N, N, n, w.factor_scratch);
}

// Applies the factored Newton matrix's inverse to [x; the equality rows' multipliers] in place
// (the sparse path overloads it, with factor_newton_matrix).
template <class Group, class T>
BPQP_HD void newton_solve(const Group& g, int n, int, int n_eq, AdmmWorkspace<T>& w, T* sol) {
  ldlt_solve(g, w.factor, n + n_eq, n + n_eq, sol);
}

// How many forms of the Newton matrix a backend can factor, and the choice of one for the next
// interior_point_solve. Here one (folded); the sparse path's small problems have two, the folded
// and the unfolded, whose directions fail on different problems (src/cpu/sparse_admm.hpp).
template <class T>
BPQP_HD BPQP_INLINE int newton_forms(int, const AdmmWorkspace<T>&) {
  return 1;
}

template <class T>
BPQP_HD BPQP_INLINE void use_newton_form(AdmmWorkspace<T>&, int) {}

// Ā dx, from which newton_direction recovers ds and dz. Here (the dense path: the Newton matrix
// folded) the product itself; the sparse path's unfolded matrix also solves for ν_i = D_i·Ā_i dx
// and overloads this to read Ā_i dx off ν where D_i is large (src/cpu/sparse_admm.hpp).
template <class Group, class T>
BPQP_HD void newton_row_products(const Group& g, int n, int m, const AdmmWorkspace<T>& w, const T* dx, T* out) {
  scaled_A_product(g, n, m, w, dx, out);
}

// One Newton direction for complementarity targets cl, cu (held in dsl, dsu on
// entry): solves for dx (and dy on the equality rows), then recovers the slack
// and multiplier directions. Uses the factorization in w.factor.
template <class Group, class T, class Workspace>
BPQP_HD void newton_direction(const Group& g, int n, int m, int n_eq, Workspace& w, const InteriorPointArrays<T>& a) {
  const ConeLayout& cones = w.cones;
  const int box_rows = cones.box_rows(m);
  // A block: dzu = W⁻¹v with v = λ ⊘ c (c in dsl), dsu = W⁻² r, e = W⁻² r − W⁻¹v.
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k);
    const T eta = a.ru[first];
    jordan_divide(a.zu + first, a.dsl + first, d, a.dzu + first);
    apply_nesterov_todd(a.su + first, eta, d, true, a.dzu + first);
    for (int r = first; r < first + d; ++r) a.dsu[r] = a.rl[r];
    apply_nesterov_todd(a.su + first, eta, d, true, a.dsu + first);
    apply_nesterov_todd(a.su + first, eta, d, true, a.dsu + first);
    for (int r = first; r < first + d; ++r) a.e[r] = a.dsu[r] - a.dzu[r];
  }
  for (int i = g.rank(); i < box_rows; i += g.size()) {
    T e = T(0);
    if (!is_equality_row(w, i)) {
      if (is_finite(w.u[i])) e += a.dsu[i] / a.su[i] + a.zu[i] / a.su[i] * a.ru[i];
      if (is_finite(w.l[i])) e += -a.dsl[i] / a.sl[i] + a.zl[i] / a.sl[i] * a.rl[i];
    }
    a.e[i] = e;
  }
  g.sync();
  scaled_At_product(g, n, m, w, static_cast<const T*>(a.e), a.dx);
  for (int j = g.rank(); j < n; j += g.size()) a.sol[j] = -(a.rd[j] + a.dx[j]);
  for (int k = g.rank(); k < n_eq; k += g.size()) {
    const int i = w.active_rows[k];
    a.sol[n + k] = -(a.adx[i] - w.u[i]);  // −(Ā_E x − b̄_E)
  }
  g.sync();
  newton_solve(g, n, m, n_eq, w, a.sol);
  newton_row_products(g, n, m, w, static_cast<const T*>(a.sol), a.e);  // Ā dx, in e (spent); dx stays in sol[0:n]
  // A block: ds = Ā dx + r, dμ = W⁻¹v − W⁻² ds (W⁻¹v kept in dzu).
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k);
    for (int r = first; r < first + d; ++r) a.dsl[r] = a.dsu[r] = a.e[r] + a.rl[r];
    apply_nesterov_todd(a.su + first, a.ru[first], d, true, a.dsu + first);
    apply_nesterov_todd(a.su + first, a.ru[first], d, true, a.dsu + first);
    for (int r = first; r < first + d; ++r) a.dzl[r] = a.dzu[r] - a.dsu[r];
  }
  for (int i = g.rank(); i < box_rows; i += g.size()) {
    if (is_equality_row(w, i)) continue;
    const T adx = a.e[i];
    if (is_finite(w.l[i])) {
      const T cl = a.dsl[i];
      a.dsl[i] = adx + a.rl[i];
      a.dzl[i] = (cl - a.zl[i] * a.dsl[i]) / a.sl[i];
    }
    if (is_finite(w.u[i])) {
      const T cu = a.dsu[i];
      a.dsu[i] = -adx - a.ru[i];
      a.dzu[i] = (cu - a.zu[i] * a.dsu[i]) / a.su[i];
    }
  }
  g.sync();
}

// Largest step in (0, 1] keeping slacks and multipliers positive, times 0.99.
template <class Group, class T, class Workspace>
BPQP_HD T step_to_boundary(const Group& g, int m, const Workspace& w, const InteriorPointArrays<T>& a) {
  T step = T(1);
  const ConeLayout& cones = w.cones;
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k);
    step = step_to_cone_boundary(a.sl + first, a.dsl + first, d, step);
    step = step_to_cone_boundary(a.zl + first, a.dzl + first, d, step);
  }
  for (int i = g.rank(); i < cones.box_rows(m); i += g.size()) {
    if (is_equality_row(w, i)) continue;
    if (is_finite(w.l[i])) {
      if (a.dsl[i] < T(0)) step = min_of(step, -a.sl[i] / a.dsl[i]);
      if (a.dzl[i] < T(0)) step = min_of(step, -a.zl[i] / a.dzl[i]);
    }
    if (is_finite(w.u[i])) {
      if (a.dsu[i] < T(0)) step = min_of(step, -a.su[i] / a.dsu[i]);
      if (a.dzu[i] < T(0)) step = min_of(step, -a.zu[i] / a.dzu[i]);
    }
  }
  // max of negatives = −min: the group has max as its only order reduction.
  return min_of(T(1), T(0.99) * -g.max(-step));
}

// Two ways to guess which side (slack s, multiplier z) of a row is active:
//   by_size:  the multiplier outweighs the slack, z > s;
//   by_trend: Tapia's indicator, from the direction (ds, dz) of the step that led to this
//             iterate — the slack shrank faster than the multiplier, ds/s < dz/z
//             (El-Bakry, Tapia, Zhang 1994).
// by_size is right on most problems and fails where a multiplier (or slack) of the solution
// is itself small: a random LP's vertex with a multiplier of 1e-5 has s and z both near
// √μ ≈ 1e-5 at μ = 1e-10, and the polish of that guess fails on the whole set. by_trend is
// invariant to the rows' and the cost's scaling and sees s fall while z stays, but it is only
// as good as the last direction (inexact where the Newton matrix needed strong
// regularization). The interior point certifies and polishes by_size first, then by_trend.
enum class ActiveGuess { by_size, by_trend };

template <class T>
BPQP_HD BPQP_INLINE bool side_looks_active(ActiveGuess guess, T s, T z, T ds, T dz) {
  return guess == ActiveGuess::by_trend ? ds * z < dz * s : z > s;  // ds/s < dz/z with s, z > 0
}

// The side of non-equality row i that `guess` takes as active: +1 the upper (checked
// first), −1 the lower, 0 neither.
template <class T, class Workspace>
BPQP_HD BPQP_INLINE int active_side(ActiveGuess guess, const Workspace& w, const InteriorPointArrays<T>& a, int i) {
  if (is_finite(w.u[i]) && side_looks_active(guess, a.su[i], a.zu[i], a.dsu[i], a.dzu[i])) return 1;
  if (is_finite(w.l[i]) && side_looks_active(guess, a.sl[i], a.zl[i], a.dsl[i], a.dzl[i])) return -1;
  return 0;
}

// Rows whose guessed active side differs between the two guesses (uniform).
template <class Group, class T, class Workspace>
BPQP_HD int guesses_differ(const Group& g, int m, const Workspace& w, const InteriorPointArrays<T>& a) {
  T differ = T(0);
  for (int i = g.rank(); i < w.cones.box_rows(m); i += g.size())
    if (!is_equality_row(w, i) &&
        active_side(ActiveGuess::by_size, w, a, i) != active_side(ActiveGuess::by_trend, w, a, i))
      differ += T(1);
  return static_cast<int>(g.sum(differ));
}

// Turns the interior-point iterate into an ADMM-style point (x, z, y) with
// z ∈ [l̄, ū] and y in the normal cone of [l̄, ū] at z: a side keeps its
// multiplier (and z sits on that bound) where side_looks_active by `guess`, every
// other multiplier is dropped and z = Π(Āx). The termination test on the residuals
// of that point then certifies it exactly as it certifies an ADMM iterate.
// On success w.x, w.z, w.y hold the point and *out its residuals.
template <class Group, class T, class Workspace>
BPQP_HD bool certify_interior_point(const Group& g, int n, int m, const AdmmParams<T>& prm, Workspace& w,
                                    const InteriorPointArrays<T>& a, const T* x, ActiveGuess guess,
                                    Residuals<T>* out) {
  T* z = w.z_tilde;
  T* y = w.kkt_res;
  // A block: z = l̄ + Π_Q(Āx − l̄) and y = −Π_Q(μ), a point of the constraint set and a
  // multiplier of its normal cone's kind; the termination test then measures the rest.
  const ConeLayout& cones = w.cones;
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k);
    for (int r = first; r < first + d; ++r) {
      z[r] = a.adx[r] - w.l[r];
      y[r] = a.zl[r];
    }
    project_onto_cone(z + first, d);
    project_onto_cone(y + first, d);
    for (int r = first; r < first + d; ++r) {
      z[r] += w.l[r];
      y[r] = -y[r];
    }
  }
  for (int i = g.rank(); i < cones.box_rows(m); i += g.size()) {
    const T ax = a.adx[i];
    if (is_equality_row(w, i)) {
      z[i] = w.u[i];
      y[i] = a.y[i];
      continue;
    }
    const int side = active_side(guess, w, a, i);
    if (side > 0) {
      z[i] = w.u[i];
      y[i] = max_of(a.y[i], T(0));
    } else if (side < 0) {
      z[i] = w.l[i];
      y[i] = min_of(a.y[i], T(0));
    } else {
      z[i] = clamp_to(ax, w.l[i], w.u[i]);
      y[i] = T(0);
    }
  }
  g.sync();
  return accept_if_converged(g, n, m, prm, w, x, z, y, out);
}

// Where the interior point verified nothing, its last iterate may still prove the problem
// infeasible. Without a feasible point it diverges along the certificate: x grows along a
// direction of unbounded descent (dual infeasible), the multipliers along a Farkas ray (primal
// infeasible). Both are tested against zero by the tests ADMM's iterate differences take
// (kernels/admm_residuals.hpp), with the same tolerances, so what passes is a certificate as
// ADMM's would be; ADMM's own can need many more iterations than interior_point_after
// (unbounded SOCPs shaped as robust LPs, 40 to 400 variables: 6800 to 52500 iterations at eps
// 1e-5). Returns dual_infeasible (δx in w.work_n), primal_infeasible (δy in w.work_m) or
// max_iterations (nothing proved). Spends the interior point's arrays dx, dsu and dzu (the
// step's direction, recomputed before its next use).
template <class Group, class T, class Workspace>
BPQP_HD SolveStatus interior_point_infeasibility(const Group& g, int n, int m, const AdmmParams<T>& prm,
                                                 Workspace& w) {
  InteriorPointArrays<T> a = InteriorPointArrays<T>::carve(w.interior, n, m);
  const T* x = w.x_prev;  // interior_point_solve's iterate
  T* zero_n = a.dx;
  T* y = a.dsu;
  T* zero_m = a.dzu;
  const ConeLayout& cones = w.cones;
  const int box_rows = cones.box_rows(m);
  for (int j = g.rank(); j < n; j += g.size()) zero_n[j] = T(0);
  // y = λᵘ − λˡ over the finite sides (an unused side's multiplier is held at 1, not a
  // multiplier), the equality rows' free y, and a block's y_k = −μ_k.
  for (int i = g.rank(); i < m; i += g.size()) {
    zero_m[i] = T(0);
    if (i >= box_rows)
      y[i] = -a.zl[i];
    else if (is_equality_row(w, i))
      y[i] = a.y[i];
    else
      y[i] = (is_finite(w.u[i]) ? a.zu[i] : T(0)) - (is_finite(w.l[i]) ? a.zl[i] : T(0));
  }
  g.sync();
  if (dual_infeasible(g, n, m, w, x, static_cast<const T*>(zero_n), prm.eps_dual_inf)) return SolveStatus::dual_infeasible;
  if (primal_infeasible(g, n, m, w, static_cast<const T*>(y), static_cast<const T*>(zero_m), prm.eps_prim_inf))
    return SolveStatus::primal_infeasible;
  return SolveStatus::max_iterations;
}

// Runs up to interior_point_max_iter Mehrotra steps from x̄ = w.x; once μ is
// small, each iterate is certified against the termination test (and then
// polished when polishing verifies too). Returns true with w.x, w.z, w.y
// replaced by the verified solution and its residuals in *out.
// With `infeasible` given, an iterate that certifies nothing is put to
// interior_point_infeasibility every tenth step and where the steps end: *infeasible is set to
// what it proved (max_iterations: nothing), and a proof ends the steps (false returned).
// Both linear-algebra backends: the sparse path (src/cpu/sparse_admm.hpp) overloads the
// products, factor_newton_matrix and newton_solve.
template <class Group, class T, class Workspace>
BPQP_HD bool interior_point_solve(const Group& g, int n, int m, const AdmmParams<T>& prm, Workspace& w,
                                  Residuals<T>* out, int* iterations, bool* polished,
                                  SolveStatus* infeasible = nullptr) {
  *polished = false;
  InteriorPointArrays<T> a = InteriorPointArrays<T>::carve(w.interior, n, m);
  T* x = w.x_prev;  // the ADMM iterates are no longer needed
  copy(g, x, w.x, n);
  const T regularization = T(sizeof(T) < sizeof(double) ? 1e-6 : 1e-9);
  scaled_A_product(g, n, m, w, static_cast<const T*>(x), a.adx);
  const ConeLayout& cones = w.cones;
  for (int i = g.rank(); i < m; i += g.size()) {
    // Unused sides (infinite bounds) are kept at 1 so that they stay finite.
    a.sl[i] = is_finite(w.l[i]) ? max_of(a.adx[i] - w.l[i], T(1)) : T(1);
    a.su[i] = is_finite(w.u[i]) ? max_of(w.u[i] - a.adx[i], T(1)) : T(1);
    a.zl[i] = T(1);
    a.zu[i] = T(1);
    a.y[i] = T(0);
  }
  g.sync();
  // A block starts at s = Π_Q(Āx − l̄) + e and μ = e, e = (1, 0, …, 0): inside Q.
  for (int k = g.rank(); k < cones.count; k += g.size()) {
    const int first = cones.begin(k), d = cones.dim(k);
    for (int r = first; r < first + d; ++r) {
      a.sl[r] = a.adx[r] - w.l[r];
      a.zl[r] = r == first ? T(1) : T(0);
    }
    project_onto_cone(a.sl + first, d);
    a.sl[first] += T(1);
  }
  g.sync();
  *iterations = 0;
  // A certified iterate whose polish was rejected is kept (in w.x, w.z, w.y) while
  // the iterations go on: a few more Newton steps usually separate the active
  // constraints from the inactive ones clearly enough for polishing to verify.
  bool certified = false;
  if (infeasible) *infeasible = SolveStatus::max_iterations;
  auto proved_infeasible = [&]() {
    if (certified || !infeasible) return false;
    *infeasible = interior_point_infeasibility(g, n, m, prm, w);
    return *infeasible != SolveStatus::max_iterations;
  };
  for (int it = 0; it < prm.interior_point_max_iter; ++it) {
    interior_residuals(g, n, m, w, a, x);
    const T mu = complementarity(g, m, w, a, T(0), false);
    *iterations = it + 1;
    // Polishing decides: from a nearly complementary iterate an active-set guess is
    // usually exact. by_trend needs a step behind it, and is tried only where it differs.
    const int guesses = mu < prm.eps_abs ? (it > 0 && guesses_differ(g, m, w, a) > 0 ? 2 : 1) : 0;
    bool certified_here = false;
    for (int k = 0; k < guesses; ++k) {
      if (!certify_interior_point(g, n, m, prm, w, a, x, k == 0 ? ActiveGuess::by_size : ActiveGuess::by_trend, out))
        continue;
      certified = certified_here = true;
      if (!prm.polish) return true;
      Residuals<T> better;
      if (polish_point(g, n, m, prm, w, &better)) {  // more accurate, when it verifies
        *out = better;
        *polished = true;
        return true;
      }
    }
    // Complementarity far below eps and still no verified active set: stop here.
    if (certified_here && mu < prm.eps_abs * T(1e-4)) return true;
    if (it % 10 == 9 && proved_infeasible()) return false;
    // Listed after the polish above, which overwrites w.active and w.active_rows with its
    // own active set: the Newton matrix's equality block must be the equality rows.
    const int n_eq = list_equality_rows(g, m, w);
    const int box_rows = cones.box_rows(m);
    for (int i = g.rank(); i < box_rows; i += g.size()) {
      const bool eq = is_equality_row(w, i);
      w.rho[i] = eq ? T(0) : (is_finite(w.l[i]) ? a.zl[i] / a.sl[i] : T(0)) + (is_finite(w.u[i]) ? a.zu[i] / a.su[i] : T(0));
    }
    g.sync();
    cone_scalings(g, w, a);
    for (int k = g.rank(); k < cones.count; k += g.size()) {  // the fold part of Ā_kᵀW⁻²Ā_k: ∓η⁻²
      const int first = cones.begin(k);
      const T weight = T(1) / (a.ru[first] * a.ru[first]);
      for (int r = first; r < cones.begin(k + 1); ++r) w.rho[r] = r == first ? -weight : weight;
    }
    g.sync();
    // Near the solution D spans many orders of magnitude and dependent equality
    // rows make the Schur complement singular: strengthen the regularization
    // until the quasi-definite factorization goes through (the directions are
    // then inexact, which the Mehrotra steps tolerate).
    bool factored = false;
    for (T reg = regularization; !factored && reg <= T(1e-2); reg *= T(100))
      factored = factor_newton_matrix(g, n, m, n_eq, reg, w, a);
    if (!factored) return proved_infeasible() ? false : certified;
    // Predictor (affine scaling): complementarity targets −s∘λ (a block's: −λ∘λ).
    for (int i = g.rank(); i < box_rows; i += g.size()) {
      a.dsl[i] = -a.sl[i] * a.zl[i];
      a.dsu[i] = -a.su[i] * a.zu[i];
    }
    for (int k = g.rank(); k < cones.count; k += g.size()) {
      const int first = cones.begin(k), d = cones.dim(k);
      T square = T(0);
      for (int r = first; r < first + d; ++r) square += a.zu[r] * a.zu[r];
      a.dsl[first] = -square;
      for (int r = first + 1; r < first + d; ++r) a.dsl[r] = -T(2) * a.zu[first] * a.zu[r];
    }
    g.sync();
    newton_direction(g, n, m, n_eq, w, a);
    const T step_affine = step_to_boundary(g, m, w, a);
    const T mu_affine = complementarity(g, m, w, a, step_affine, true);
    const T ratio = mu > T(0) ? mu_affine / mu : T(0);
    const T centering = ratio * ratio * ratio;
    // Corrector: centre towards σμ and cancel the predictor's second-order term (a block's:
    // σμe − λ∘λ − (W⁻¹ds)∘(W dμ), the affine step's ds, dμ scaled into dsu, dzu first).
    for (int i = g.rank(); i < box_rows; i += g.size()) {
      const T cl = centering * mu - a.sl[i] * a.zl[i] - a.dsl[i] * a.dzl[i];
      const T cu = centering * mu - a.su[i] * a.zu[i] - a.dsu[i] * a.dzu[i];
      a.dsl[i] = cl;
      a.dsu[i] = cu;
    }
    for (int k = g.rank(); k < cones.count; k += g.size()) {
      const int first = cones.begin(k), d = cones.dim(k);
      const T eta = a.ru[first];
      for (int r = first; r < first + d; ++r) {
        a.dsu[r] = a.dsl[r];
        a.dzu[r] = a.dzl[r];
      }
      apply_nesterov_todd(a.su + first, eta, d, true, a.dsu + first);
      apply_nesterov_todd(a.su + first, eta, d, false, a.dzu + first);
      T square = T(0), product = T(0);
      for (int r = first; r < first + d; ++r) {
        square += a.zu[r] * a.zu[r];
        product += a.dsu[r] * a.dzu[r];
      }
      a.dsl[first] = centering * mu - square - product;
      for (int r = first + 1; r < first + d; ++r)
        a.dsl[r] = -T(2) * a.zu[first] * a.zu[r] - (a.dsu[first] * a.dzu[r] + a.dzu[first] * a.dsu[r]);
    }
    g.sync();
    newton_direction(g, n, m, n_eq, w, a);
    const T step = step_to_boundary(g, m, w, a);
    for (int j = g.rank(); j < n; j += g.size()) x[j] += step * a.sol[j];
    for (int i = g.rank(); i < m; i += g.size()) {
      a.sl[i] += step * a.dsl[i];
      a.zl[i] += step * a.dzl[i];
      if (i >= box_rows) continue;  // a block's su, zu hold its scaling, recomputed next step
      a.su[i] += step * a.dsu[i];
      a.zu[i] += step * a.dzu[i];
    }
    for (int k = g.rank(); k < n_eq; k += g.size()) a.y[w.active_rows[k]] += step * a.sol[n + k];
    g.sync();
    if (!is_finite(step) || !is_finite(mu)) return proved_infeasible() ? false : certified;
  }
  return proved_infeasible() ? false : certified;
}

}  // namespace bpqp::kernels
