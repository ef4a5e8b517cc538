// Solution polishing (OSQP paper §4): guess the active set from the ADMM
// iterate, solve the equality-constrained QP on it through the regularized
// reduced KKT  [P̄+δI, Ā_𝒜ᵀ; Ā_𝒜, −δI], and undo the regularization by
// iterative refinement against the exact KKT. The same reduced KKT is the
// one the BPQP backward pass solves.
#pragma once

#include "kernels/admm_residuals.hpp"
#include "kernels/dense_ldlt.hpp"
#include "kernels/problem_view.hpp"
#include "kernels/admm_params.hpp"
#include "kernels/reduced_kkt.hpp"

namespace bpqp::kernels {

// Compacts w.active into w.active_rows (row order) and returns the count.
template <class Group, class Workspace>
BPQP_HD int list_active_rows(const Group& g, int m, Workspace& w) {
  using T = typename Workspace::Scalar;
  if (g.rank() == 0) {
    int count = 0;
    for (int i = 0; i < m; ++i)
      if (w.active[i] != 0) w.active_rows[count++] = i;
    w.scalars[1] = T(count);
  }
  g.sync();
  return static_cast<int>(w.scalars[1]);
}

// The side of a box row the scaled iterate (z, y) guesses active (OSQP's rule: the
// multiplier outweighs the slack): −1 lower when z − l < −y, +1 upper when u − z < y, else 0.
template <class T>
BPQP_HD BPQP_INLINE int guessed_side(T z, T l, T u, T y) {
  if (z - l < -y) return -1;
  if (u - z < y) return 1;
  return 0;
}

// Marks the active rows of the scaled iterate (z, y) into w.active / w.active_rows
// and returns their count.
template <class Group, class Workspace>
BPQP_HD int guess_active_set(const Group& g, int m, Workspace& w) {
  for (int i = g.rank(); i < m; i += g.size()) w.active[i] = guessed_side(w.z[i], w.l[i], w.u[i], w.y[i]);
  g.sync();
  return list_active_rows(g, m, w);
}

// A polish's outcome is a function of its initial guess alone: the corrections, the solves and
// the termination test read the problem and the active set, nothing else of the iterate. So a
// guess equal to the last rejected one is rejected again, and is not tried: the interior point's
// iterates near its end can give one guess at consecutive steps (a boundary-control QP of
// n = 10601, m = 20402, the structure of Maros–Mészáros CONT-100: the same guess of 20002 rows
// twice, 20 factorizations each; the run's 217 factorizations became 197). w.rejected_guess holds the last guess
// tried (a success ends the solve, so it is the last rejected one whenever it is read);
// forget_rejected_guess marks it empty at the start of a run (a side of 2 in row 0: no guess).
// A workspace without the array (null: the conjugate gradient's, which does not polish) skips it.
template <class Group, class Workspace>
BPQP_HD void forget_rejected_guess(const Group& g, int m, Workspace& w) {
  if (w.rejected_guess == nullptr || m == 0) return;
  if (g.rank() == 0) w.rejected_guess[0] = 2;
  g.sync();
}

// True when w.active equals the last rejected guess; otherwise remembers it. Uniform.
template <class Group, class Workspace>
BPQP_HD bool repeats_rejected_guess(const Group& g, int m, Workspace& w) {
  if (w.rejected_guess == nullptr || m == 0) return false;
  int differ = 0;
  for (int i = g.rank(); i < m; i += g.size()) differ += w.active[i] != w.rejected_guess[i] ? 1 : 0;
  if (g.sum(differ) == 0) return true;
  for (int i = g.rank(); i < m; i += g.size()) w.rejected_guess[i] = w.active[i];
  g.sync();
  return false;
}

// The scaled problem's reduced KKT [P̄ + σI, Ā_Rᵀ; Ā_R, 0] with R the first `rows` entries
// of w.active_rows: polishing's (the active rows), the interior point's (the equality
// rows, σ = 0) and ADMM's (no rows).
template <class T>
BPQP_HD BPQP_INLINE ReducedKkt<T> scaled_kkt(int n, int m, int rows, const AdmmWorkspace<T>& w, T sigma = T(0)) {
  ReducedKkt<T> K;
  K.n = n;
  K.m = m;
  K.P = w.P;
  K.A = w.A;
  K.rows = rows;
  K.row_index = w.active_rows;
  K.p_shift = sigma;
  return K;
}

// Solves the reduced KKT for the current active set: x in sol[0:n], the active
// rows' multipliers in sol[n:]. False if the factorization breaks down. The
// regularized matrix [P̄+δI, Ā_𝒜ᵀ; Ā_𝒜, −δI] is factored, and refinement against
// the exact one removes δ (kernels/reduced_kkt.hpp).
template <class Group, class T>
BPQP_HD bool solve_reduced_kkt(const Group& g, int n, int m, int n_active, const AdmmParams<T>& prm,
                               AdmmWorkspace<T>& w) {
  const ReducedKkt<T> K = scaled_kkt(n, m, n_active, w);
  const int N = K.size();
  // With a batch's shared factors only the active rows' Schur complement is factored
  // (kernels/shared_kkt.hpp); otherwise the whole regularized matrix.
  const bool shared = w.shared_kkt.available();
  if (shared) {
    if (!factor_shared_kkt(g, w.shared_kkt, m, n_active, w.active_rows, prm.delta, w.factor, w.factor_scratch))
      return false;
  } else {
    assemble_reduced_kkt(g, K, static_cast<const T*>(nullptr), prm.delta, prm.delta, w.factor);
    if (!ldlt_factor(g, w.factor, N, N, n, w.factor_scratch)) return false;
  }
  auto solve = [&](T* v) {
    if (shared) solve_shared_kkt(g, w.shared_kkt, n, n_active, w.active_rows, w.A, w.factor, v, w.work_n);
    else ldlt_solve(g, w.factor, N, N, v);
  };
  T* rhs = w.kkt_rhs;
  T* sol = w.kkt_sol;
  for (int j = g.rank(); j < n; j += g.size()) rhs[j] = -w.q[j];
  for (int a = g.rank(); a < n_active; a += g.size()) {
    const int i = w.active_rows[a];
    rhs[n + a] = w.active[i] < 0 ? w.l[i] : w.u[i];
  }
  g.sync();
  copy(g, sol, rhs, N);
  solve(sol);
  refine_reduced_kkt(g, K, solve, prm.polish_refine_iterations, RefineFor::solution, rhs, sol, w.kkt_res,
                     w.kkt_corr);
  return true;
}

// One correction of the active-set guess from the reduced KKT solution: a row
// whose multiplier has the wrong sign leaves the set, an inactive row that the
// solution violates joins it at the violated bound. Returns the number of
// changes (0: the guess is consistent). Ax is left in w.z_tilde.
template <class Group, class T, class Workspace>
BPQP_HD int correct_active_set(const Group& g, int n, int m, int n_active, const AdmmParams<T>& prm, Workspace& w) {
  const T* sol = w.kkt_sol;
  T* ax = w.z_tilde;
  scaled_A_product(g, n, m, w, sol, ax);
  // A multiplier wrong-signed by less than the dual tolerance is degenerate
  // (weakly active row), not wrong: releasing it makes the guess oscillate.
  // polish_solution clips such multipliers to zero, so the final residual test
  // still measures their effect.
  T y_max = T(0);
  for (int a = g.rank(); a < n_active; a += g.size()) y_max = max_of(y_max, abs_of(sol[n + a]));
  const T release_tol = prm.eps_abs + prm.eps_rel * g.max(y_max);
  // Damping: only violations within a factor of the largest one change the set
  // this round; swapping every violated row at once cycles on degenerate problems.
  T worst = T(0);
  for (int a = g.rank(); a < n_active; a += g.size()) {
    const int i = w.active_rows[a];
    if (is_equality_row(w.l[i], w.u[i])) continue;
    const T yi = sol[n + a];
    if (w.active[i] < 0 && yi > release_tol) worst = max_of(worst, yi);
    if (w.active[i] > 0 && yi < -release_tol) worst = max_of(worst, -yi);
  }
  for (int i = g.rank(); i < m; i += g.size()) {
    if (w.active[i] != 0) continue;
    const T slack_tol = prm.eps_abs + prm.eps_rel * abs_of(ax[i]);
    if (ax[i] < w.l[i] - slack_tol) worst = max_of(worst, w.l[i] - ax[i]);
    if (ax[i] > w.u[i] + slack_tol) worst = max_of(worst, ax[i] - w.u[i]);
  }
  const T threshold = T(0.1) * g.max(worst);
  const int released = 2;
  T changes = T(0);
  for (int a = g.rank(); a < n_active; a += g.size()) {
    const int i = w.active_rows[a];
    const T yi = sol[n + a];
    if (is_equality_row(w.l[i], w.u[i])) continue;  // an equality row takes either sign
    const T wrong = w.active[i] < 0 ? yi : -yi;
    if (wrong > release_tol && wrong >= threshold) {
      w.active[i] = released;
      changes += T(1);
    }
  }
  g.sync();
  for (int i = g.rank(); i < m; i += g.size()) {
    if (w.active[i] == released) {
      w.active[i] = 0;  // not re-added in the same round, which could cycle
      continue;
    }
    if (w.active[i] != 0) continue;
    const T slack_tol = prm.eps_abs + prm.eps_rel * abs_of(ax[i]);
    if (ax[i] < w.l[i] - slack_tol && w.l[i] - ax[i] >= threshold) { w.active[i] = -1; changes += T(1); }
    else if (ax[i] > w.u[i] + slack_tol && ax[i] - w.u[i] >= threshold) { w.active[i] = 1; changes += T(1); }
  }
  return static_cast<int>(g.sum(changes));
}

// Polishes the scaled ADMM point. The active set guessed from (z, y) is
// corrected for up to polish_active_set_rounds rounds (a few primal-dual
// active-set steps seeded by ADMM). On success — the polished point meets the
// termination tolerances and its multipliers have the signs its active set
// claims — it replaces w.x, w.z, w.y and returns true with its residuals in *out.
template <class Group, class T, class Workspace>
BPQP_HD bool polish_solution(const Group& g, int n, int m, const AdmmParams<T>& prm, Workspace& w,
                             Residuals<T>* out) {
  int n_active = guess_active_set(g, m, w);
  if (repeats_rejected_guess(g, m, w)) return false;
  // A guess far from the solution's active set makes the corrections oscillate (a random
  // LP's vertex guessed from ADMM's 100th iterate: 35–50 changes a round, the set swinging
  // between 60 and 110 rows for all 20 rounds, each a factorization at N = n + n_active).
  // A converging correction changes fewer rows each round: give up once two rounds in a
  // row have not brought the count below its lowest so far (this also ends a set cycling
  // through two states, CVXQP3_M's 961 ↔ 963 rows). It ends some corrections that would
  // have finished: QPCBOEI1's polish at ADMM iteration 400 (1–18 changes a round to 300
  // rows) no longer verifies, and that problem goes on to the interior point at 4000
  // (0.8 s instead of 0.2 s). Counting only swings of over an eighth of the set kept it,
  // but made the Maros–Mészáros run 108 s instead of 67 s: failed polishes at the doubling
  // intervals then ran most of their 20 rounds.
  int fewest_changes = m + 1, rounds_without_progress = 0;
  for (int round = 0;; ++round) {
    if (!solve_reduced_kkt(g, n, m, n_active, prm, w)) return false;
    const int changes = correct_active_set(g, n, m, n_active, prm, w);
    if (changes == 0) break;
    if (changes < fewest_changes) {
      fewest_changes = changes;
      rounds_without_progress = 0;
    } else if (++rounds_without_progress >= 2) {
      return false;
    }
    if (round + 1 >= prm.polish_active_set_rounds) return false;
    n_active = list_active_rows(g, m, w);
  }

  // Candidate point: x from the KKT; an active row keeps its multiplier and sits on
  // the bound it claims (so the residual test checks that it is there); every other
  // row, and a row whose multiplier has the wrong sign, gets y = 0 and z = Π(Ax).
  const T* sol = w.kkt_sol;
  T* x = w.x_tilde;
  T* z = w.z_tilde;  // holds Ax from correct_active_set
  T* y = w.kkt_res;  // spent; y_prev must survive for the infeasibility tests
  copy(g, x, sol, n);
  fill(g, y, m, T(0));
  for (int i = g.rank(); i < m; i += g.size()) z[i] = clamp_to(z[i], w.l[i], w.u[i]);
  g.sync();
  for (int a = g.rank(); a < n_active; a += g.size()) {
    const int i = w.active_rows[a];
    const T yi = sol[n + a];
    const bool wrong_sign = !is_equality_row(w.l[i], w.u[i]) && ((w.active[i] < 0 && yi > T(0)) || (w.active[i] > 0 && yi < T(0)));
    if (wrong_sign || yi == T(0)) continue;
    y[i] = yi;
    z[i] = w.active[i] < 0 ? w.l[i] : w.u[i];
  }
  g.sync();
  return accept_if_converged(g, n, m, prm, w, x, z, y, out);
}

}  // namespace bpqp::kernels
