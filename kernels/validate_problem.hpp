// Per-problem input validation, run inside the solve so that it costs one
// pass over the data plus one n×n factorization (the convexity check), and so
// that a bad problem gets its own status while its batch neighbours go on.
#pragma once

#include "kernels/dense_ldlt.hpp"
#include "kernels/bounds.hpp"
#include "kernels/problem_view.hpp"
#include "kernels/admm_params.hpp"
#include "kernels/vector_ops.hpp"

namespace bpqp::kernels {

// The checks of a problem's own vectors: NaN/inf in q, NaN in l, u (±inf bounds are
// meaningful), cone rows' bounds, crossed bounds. Returns the first issue found; uniform
// over the group. A batch that shares P and A checks those once and each problem's vectors
// with this (kernels/batch_phase_finish.hpp).
template <class Group, class T>
BPQP_HD InputIssue validate_own_vectors(const Group& g, const ProblemView<T>& p) {
  const int n = p.n, m = p.m;
  const bool q_finite = is_finite(inf_norm(g, p.q, n));
  T bad = T(0), crossed = T(0), cone_bounds = T(0);
  const int box_rows = p.cones.box_rows(m);
  for (int r = g.rank(); r < m; r += g.size()) {
    const int i = p.cones.user_row(r);
    if (p.l[i] != p.l[i] || p.u[i] != p.u[i]) bad = T(1);
    // A cone row: its l is the block's offset (finite), its u +inf (A_k x − l_k ∈ K).
    else if (r >= box_rows) cone_bounds = is_infinite_bound(p.l[i]) || !(p.u[i] >= infinite_bound<T>()) ? T(1) : cone_bounds;
    // l > u, or a row no finite value satisfies (l = +inf or u = −inf, also as ±1e20).
    else if (p.l[i] > p.u[i] || (is_infinite_bound(p.l[i]) && p.l[i] > T(0)) ||
             (is_infinite_bound(p.u[i]) && p.u[i] < T(0)))
      crossed = T(1);
  }
  if (!q_finite || g.max(bad) > T(0)) return InputIssue::non_finite_data;
  if (g.max(cone_bounds) > T(0)) return InputIssue::cone_row_bounds;
  if (g.max(crossed) > T(0)) return InputIssue::bounds_crossed;
  return InputIssue::none;
}

// Returns the first issue found (InputIssue::none when the problem is fine): non-finite
// data (P, A, then the vectors' checks above), then P's symmetry and convexity.
// factor (n×n) and scratch (n) are workspace; the result is uniform over the group.
template <class Group, class T>
BPQP_HD InputIssue validate_problem(const Group& g, const ProblemView<T>& p, const AdmmParams<T>& prm,
                                    T* factor, T* scratch) {
  const int n = p.n, m = p.m;
  // ‖·‖∞, NaN-propagating, is finite only when every entry is.
  const T p_max = inf_norm(g, p.P, n * n);
  if (!is_finite(p_max) || !is_finite(inf_norm(g, p.A, n * m))) return InputIssue::non_finite_data;
  const InputIssue vectors = validate_own_vectors(g, p);
  if (vectors != InputIssue::none) return vectors;
  if (p_max == T(0)) return InputIssue::none;  // P = 0: an LP, trivially symmetric and PSD

  T asymmetry = T(0);
  for (int i = g.rank(); i < n; i += g.size())
    for (int j = 0; j < i; ++j)
      asymmetry = max_of(asymmetry, abs_of(p.P[i * n + j] - p.P[j * n + i]));
  if (g.max(asymmetry) > prm.symmetry_tolerance * p_max) return InputIssue::p_not_symmetric;

  if (!prm.check_convexity) return InputIssue::none;
  // P ⪰ 0 (within tolerance) iff P + τI is positive definite, i.e. its LDLᵀ has positive pivots.
  const T shift = prm.psd_tolerance * p_max;
  for (int i = g.rank(); i < n; i += g.size())
    for (int j = 0; j <= i; ++j) factor[i * n + j] = p.P[i * n + j] + (i == j ? shift : T(0));
  g.sync();
  if (!ldlt_factor(g, factor, n, n, n, scratch)) return InputIssue::p_not_psd;
  return InputIssue::none;
}

}  // namespace bpqp::kernels
