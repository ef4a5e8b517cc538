// The reduced KKT system: the one symmetric quasi-definite matrix shape that every
// direct solve in bpqp factors, with its assembly, its exact residual and iterative
// refinement written once. ADMM's linear system, polishing, the interior point's
// Newton steps and the backward pass each describe their system as a ReducedKkt and
// call these; none assembles, refines or tests its rows on its own.
//
//   K = [c·P + σI,  Âᵀ;  Â,  −γ·S²]      Â = S·A_R: the rows R of A, scaled by S,
//
// factored as K + diag(δ_x·I + Aᵀdiag(ω)A, −δ_y·I). The folded rows ω (ADMM's ρ, the
// interior point's λ/s) enter only the factored matrix: no caller refines a system that
// has them, so the exact residual below leaves them out. The users:
//   ADMM          c = 1, σ,  ω = ρ,   no rows;                     not refined
//   interior pt.  c = 1, σ = 0, ω = λ/s, R = the equality rows, δ_x = δ_y = ε
//   polishing     c = 1, σ = 0, R = the active rows, δ_x = δ_y = δ; refined against K
//   backward      c = 1/max|P|, σ = γ/c, S = 1/‖a_r‖∞, row shift c·γ; refined against K
#pragma once

#include "kernels/bounds.hpp"
#include "kernels/strided_reductions.hpp"
#include "kernels/dense_ldlt.hpp"
#include "kernels/vector_ops.hpp"

namespace bpqp::kernels {

// An equality row: both bounds finite and equal. The forward's rows, its scaled rows
// and the backward's active set all use this test.
template <class T>
BPQP_HD BPQP_INLINE bool is_equality_row(T l, T u) {
  return l == u && !is_infinite_bound(l);
}

template <class T>
struct ReducedKkt {
  int n = 0;                       // variables
  int m = 0;                       // rows of A (what ω and R index)
  const T* P = nullptr;            // n×n, row-major, both triangles
  const T* A = nullptr;            // m×n, row-major
  int rows = 0;                    // |R|
  const int* row_index = nullptr;  // R, indices into A
  const T* row_scale = nullptr;    // S (|R| entries), or null for the identity
  T p_scale = T(1);                // c
  T p_shift = T(0);                // σ
  T row_shift = T(0);              // γ (the row block's diagonal is −γ s_a²)

  BPQP_HD BPQP_INLINE int size() const { return n + rows; }
  BPQP_HD BPQP_INLINE const T* row(int a) const { return A + static_cast<std::ptrdiff_t>(row_index[a]) * n; }
  BPQP_HD BPQP_INLINE T scale(int a) const { return row_scale ? row_scale[a] : T(1); }
};

// Lower triangle of K + diag(δ_x·I + Aᵀdiag(ω)A, −δ_y·I) into `factor` (dimension and
// leading dimension K.size()). fold_weights: ω (m entries), or null.
template <class Group, class T>
BPQP_HD void assemble_reduced_kkt(const Group& g, const ReducedKkt<T>& K, const T* fold_weights, T reg_x, T reg_y,
                                  T* factor) {
  const int n = K.n, m = K.m, N = K.size();
  for (int i = g.rank(); i < N; i += g.size()) {
    T* row = factor + static_cast<std::ptrdiff_t>(i) * N;
    if (i < n) {
      const T* p_row = K.P + static_cast<std::ptrdiff_t>(i) * n;
      if (K.p_scale == T(1)) {
        for (int j = 0; j < i; ++j) row[j] = p_row[j];
      } else {
        for (int j = 0; j < i; ++j) row[j] = K.p_scale * p_row[j];
      }
      row[i] = K.p_scale * p_row[i] + K.p_shift + reg_x;
      // Aᵀdiag(ω)A one rank-one term per row of A, restricted to this output row
      // (row-contiguous), four rows of A per pass over the output row.
      auto a_row = [&](int r) { return K.A + static_cast<std::ptrdiff_t>(r) * n; };
      const T* w = fold_weights;
      int r = 0;
      for (; w && r + 4 <= m; r += 4) {
        const T *a0 = a_row(r), *a1 = a_row(r + 1), *a2 = a_row(r + 2), *a3 = a_row(r + 3);
        const T c0 = w[r] * a0[i], c1 = w[r + 1] * a1[i], c2 = w[r + 2] * a2[i], c3 = w[r + 3] * a3[i];
        if (c0 == T(0) && c1 == T(0) && c2 == T(0) && c3 == T(0)) continue;
        for (int j = 0; j <= i; ++j) row[j] += c0 * a0[j] + c1 * a1[j] + c2 * a2[j] + c3 * a3[j];
      }
      for (; w && r < m; ++r) {
        const T* a = a_row(r);
        const T coef = w[r] * a[i];
        if (coef == T(0)) continue;
        for (int j = 0; j <= i; ++j) row[j] += coef * a[j];
      }
    } else {
      const int a = i - n;
      const T s = K.scale(a);
      const T* a_row = K.row(a);
      if (K.row_scale) {
        for (int j = 0; j < n; ++j) row[j] = s * a_row[j];
      } else {
        for (int j = 0; j < n; ++j) row[j] = a_row[j];
      }
      for (int j = n; j < i; ++j) row[j] = T(0);
      row[i] = -(K.row_shift * s * s + reg_y);
    }
  }
  g.sync();
}

// res = rhs − K·sol for the exact K (no δ, no folded rows).
template <class Group, class T>
BPQP_HD void reduced_kkt_residual(const Group& g, const ReducedKkt<T>& K, const T* rhs, const T* sol, T* res) {
  const int n = K.n, k = K.rows;
  const T* v = sol + n;
  for (int j = g.rank(); j < n; j += g.size())
    res[j] = rhs[j] - (K.p_scale * strided_dot(K.P + static_cast<std::ptrdiff_t>(j) * n, sol, 0, n, 1) +
                       K.p_shift * sol[j]);
  // − Âᵀv row by row, four rows per pass (each thread keeps its own j, as above): contiguous
  // rows instead of a column gather, which an LP vertex (n rows in R) makes n² loads.
  int a = 0;
  for (; a + 4 <= k; a += 4) {
    const T *r0 = K.row(a), *r1 = K.row(a + 1), *r2 = K.row(a + 2), *r3 = K.row(a + 3);
    const T v0 = K.scale(a) * v[a], v1 = K.scale(a + 1) * v[a + 1], v2 = K.scale(a + 2) * v[a + 2],
            v3 = K.scale(a + 3) * v[a + 3];
    for (int j = g.rank(); j < n; j += g.size()) res[j] -= r0[j] * v0 + r1[j] * v1 + r2[j] * v2 + r3[j] * v3;
  }
  for (; a < k; ++a) {
    const T* r = K.row(a);
    const T va = K.scale(a) * v[a];
    for (int j = g.rank(); j < n; j += g.size()) res[j] -= r[j] * va;
  }
  for (int b = g.rank(); b < k; b += g.size()) {
    const T s = K.scale(b);
    res[n + b] = rhs[n + b] - (s * strided_dot(K.row(b), sol, 0, n, 1) - K.row_shift * s * s * v[b]);
  }
  g.sync();
}

template <class T>
struct Refinement {
  int steps = 0;       // corrections applied (or tried: the last may have been undone)
  T rhs_norm = T(0);   // ‖rhs‖∞
  T initial = T(0);    // ‖rhs − K·sol‖∞ before refinement
  T residual = T(0);   // after
  T last_step = T(0);  // ‖the last correction‖∞ (0 when none was applied)
};

// What refinement drives down, which decides when it stops (below).
enum class RefineFor {
  solution,  // the solution itself, to the accuracy the factorization allows
  residual,  // the residual ‖rhs − K·sol‖∞, to rounding level
};

// Iterative refinement of sol (the factored system's solution of K·sol = rhs) against the
// exact K. The factored matrix differs from K by the regularization δ, so each correction
// shrinks the error by about δ·‖K⁻¹‖: a well-conditioned K refines to rounding in one to
// three steps, an ill-conditioned one needs more than OSQP's fixed three. Where to stop
// depends on what the caller needs:
//   - RefineFor::solution (polishing, whose point must pass the termination test at an LP
//     vertex's ill-conditioned KKT): stop once a correction is at rounding level, ε‖sol‖∞,
//     or is not half the one before (the floor rounding sets, or K singular in a direction
//     the right-hand side reaches). The test is on the correction, not the residual: there
//     the computed residual reaches its rounding floor while K_δ⁻¹ still turns it into
//     corrections that remove error. Stopping on the residual left mixed_lp vertices'
//     polished duals at 3e-15 to 1e-14 and x 6e-13 off the exact vertex, against 9e-16 and
//     9e-15 with this rule.
//   - RefineFor::residual (the backward, whose verdict is whether δ can be refined away:
//     the exact gradient exists when the residual falls to rounding): stop once the residual
//     is at rounding level, ε(‖rhs‖∞ + ‖sol‖∞), or a step no longer halves it; a step that
//     does not reduce it at all is undone. On random 10×5 and 100×20 QPs this takes 1–2
//     steps where the solution rule takes 3–4 (the backward of a 10×5 batch: 0.57 ms against
//     0.94), with the same gradients to the tests' tolerance.
// solve(v) applies the factored matrix's inverse to v in place (an LDLᵀ of K_δ, or its
// Schur complement: kernels/shared_kkt.hpp). res and corr are scratch (K.size() entries).
// K: a ReducedKkt, or another backend's matrix with size() and its reduced_kkt_residual.
template <class Group, class T, class Kkt, class Solve>
BPQP_HD Refinement<T> refine_reduced_kkt(const Group& g, const Kkt& K, const Solve& solve, int max_steps,
                                         RefineFor target, const T* rhs, T* sol, T* res, T* corr) {
  const int N = K.size();
  const T eps = machine_epsilon<T>();
  Refinement<T> out;
  out.rhs_norm = inf_norm(g, rhs, N);
  reduced_kkt_residual(g, K, rhs, sol, res);
  out.initial = inf_norm(g, res, N);
  out.residual = out.initial;
  T previous_step = infinity<T>();
  while (out.steps < max_steps) {
    if (target == RefineFor::residual && !(out.residual > eps * (out.rhs_norm + inf_norm(g, sol, N)))) break;
    copy(g, corr, res, N);
    solve(corr);
    const T step = inf_norm(g, corr, N);
    out.last_step = step;
    for (int i = g.rank(); i < N; i += g.size()) sol[i] += corr[i];
    g.sync();
    reduced_kkt_residual(g, K, rhs, sol, res);
    const T residual = inf_norm(g, res, N);
    ++out.steps;
    if (target == RefineFor::solution) {
      out.residual = residual;
      const T size = inf_norm(g, sol, N);
      if (!(step > eps * size) || !(step <= T(0.5) * previous_step)) break;
      previous_step = step;
      continue;
    }
    if (!(residual < T(0.5) * out.residual)) {
      if (!(residual < out.residual)) {  // no progress at all: undo the step
        for (int i = g.rank(); i < N; i += g.size()) sol[i] -= corr[i];
        g.sync();
      } else {
        out.residual = residual;
      }
      break;
    }
    out.residual = residual;
  }
  return out;
}

}  // namespace bpqp::kernels
