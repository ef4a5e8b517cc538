// The sparse path's factorization backend for admm_run (kernels/admm_solve.hpp), polishing
// and the interior point: the quasi-definite KKT system factored by SparseKkt in place of the
// dense kernels' reduced matrix, over the data and products of kernels/sparse_admm_data.hpp.
// admm_run itself — iterations, adaptive ρ, termination, infeasibility certificates, the
// report — is the dense path's, unchanged: the algorithm is written once (OSQP's
// algebra-layer idea).
//
// Host-only, double precision, one thread (SerialGroup). Polishing is the dense path's
// (kernels/polish.hpp: the active-set guess, its corrections, refinement and acceptance) with
// the active rows' KKT factored sparse; so is the interior-point fallback
// (kernels/interior_point.hpp), its Newton matrix the same quasi-definite KKT with the
// inequality rows' weights D as ρ (folded, as on the dense path, for problems of at most
// kFoldedNewtonMaxVariables variables, and unfolded where folded verifies nothing). Not yet on
// this path: cone blocks (the driver refuses them: src/cpu/sparse_forward.cpp).
#pragma once

#include <algorithm>
#include <memory>
#include <type_traits>
#include <vector>

#include "cpu/sparse_kkt.hpp"
#include "cpu/sparse_structure.hpp"
#include "kernels/admm_params.hpp"
#include "kernels/admm_residuals.hpp"
#include "kernels/admm_solve.hpp"
#include "kernels/interior_point.hpp"
#include "kernels/polish.hpp"
#include "kernels/serial_group.hpp"
#include "kernels/sparse_admm_data.hpp"

// In bpqp::kernels so that admm_run's calls find these overloads by argument-dependent lookup.
namespace bpqp::kernels {

// Several overloads below run their loops on one thread (the factorization is one call):
// they take the group only to match the dense seams, and refuse any group but one thread.
template <class Group>
constexpr void require_serial_group() {
  static_assert(std::is_same<Group, SerialGroup>::value, "the sparse path runs on SerialGroup only");
}

// The interior point's Newton matrix folded as the dense path folds it (kernels/interior_point.hpp):
// [P̄ + ĀᵀDĀ + εI, Ā_Eᵀ; Ā_E, −εI], the inequality rows eliminated into a dense P block, the
// equality rows E kept. Its patterns are built for one set of equality rows and reused while
// the set is the same.
struct FoldedNewton {
  bool in_use = false;                 // the last factor_newton_matrix folded
  std::unique_ptr<cpu::SparseKkt> kkt;
  std::vector<int> rows;               // E, as the KKT was built for
  std::vector<int> P_starts, P_rows;
  cpu::RowSelection equality_A;        // Ā_E
  std::vector<double> P_values, rho;  // P_values: the dense P block's upper triangle, by columns
};

// The factorization backend's workspace: the sparse data and iterate, the KKT factor, and
// what polishing and the interior point add.
struct SparseAdmmWorkspace : SparseAdmmData {
  const int* P_upper = nullptr;      // positions in P of its upper triangle's entries, in order
  int P_upper_count = 0;
  double* P_upper_values = nullptr;  // P̄'s upper triangle, as SparseKkt takes it
  cpu::SparseKkt* kkt = nullptr;
  // Polishing (kernels/polish.hpp's names): the active set, the reduced KKT's vectors (n + m
  // each), and the KKT of the active rows, factored afresh for each guess.
  int* active = nullptr;
  int* active_rows = nullptr;
  double *kkt_sol = nullptr, *kkt_rhs = nullptr, *kkt_res = nullptr, *kkt_corr = nullptr;
  double* kkt_scatter = nullptr;  // m: the active rows' multipliers at their rows
  CscPattern P_upper_pattern{};
  std::unique_ptr<cpu::SparseKkt> polish_kkt;
  cpu::RowSelection active_A;       // Ā_𝒜 in CSC (rows renumbered 0 … |𝒜|−1)
  std::vector<double> active_rho;
  double* newton_rho = nullptr;     // m: the Newton matrix's row weights, as SparseKkt takes them
  double *newton_rhs = nullptr, *newton_sol = nullptr, *newton_res = nullptr, *newton_corr = nullptr;  // n + m
  FoldedNewton folded;              // the Newton matrix of a small problem (factor_newton_matrix)
  bool unfolded_newton = false;     // use_newton_form: a small problem's second form
};

// P̄ + σI and Ā with the row ρ's into the KKT factor.
template <class Group>
bool factor_reduced_system(const Group&, int, int, double sigma, SparseAdmmWorkspace& w) {
  require_serial_group<Group>();
  for (int k = 0; k < w.P_upper_count; ++k) w.P_upper_values[k] = w.P.values[w.P_upper[k]];
  return w.kkt->factor(w.P_upper_values, w.A.values, sigma, w.rho);
}

// OSQP's x̃, z̃ from the KKT system (Stellato et al. 2020, eq. 24):
//   [P̄ + σI, Āᵀ; Ā, −diag(1/ρ)] [x̃; ν] = [σx − q̄; z − y/ρ],   z̃ = z + (ν − y)/ρ,
// then the relaxed projection and multiplier update that the dense path runs.
template <class Group>
void admm_iterate(const Group& g, int n, int m, const AdmmParams<double>& prm, SparseAdmmWorkspace& w) {
  require_serial_group<Group>();
  for (int j = 0; j < n; ++j) w.x_tilde[j] = prm.sigma * w.x[j] - w.q[j];
  for (int i = 0; i < m; ++i) w.z_tilde[i] = w.z[i] - w.y[i] / w.rho[i];
  w.kkt->solve(w.x_tilde, w.z_tilde);
  for (int i = 0; i < m; ++i) w.z_tilde[i] = w.z[i] + (w.z_tilde[i] - w.y[i]) / w.rho[i];
  relaxed_update(g, n, m, prm.alpha, w.rho, w.l, w.u, w.x_tilde, w.z_tilde, AdmmIterate<double>{w.x, w.z, w.y},
                 w.x_prev, w.y_prev, w.cones);
}

// The exact reduced KKT [P̄, Ā_𝒜ᵀ; Ā_𝒜, 0] of polishing, applied through the CSC data: what
// refine_reduced_kkt (kernels/reduced_kkt.hpp) refines the regularized factor's solution against.
struct SparseReducedKkt {
  const SparseAdmmWorkspace* w;
  int n, rows;
  int size() const { return n + rows; }
};

template <class Group>
void reduced_kkt_residual(const Group& g, const SparseReducedKkt& K, const double* rhs, const double* sol,
                          double* res) {
  require_serial_group<Group>();
  const SparseAdmmWorkspace& w = *K.w;
  const int n = K.n, m = w.A.rows;
  fill(g, w.kkt_scatter, m, 0.0);
  for (int a = 0; a < K.rows; ++a) w.kkt_scatter[w.active_rows[a]] = sol[n + a];
  csc_transposed_multiply(g, w.P, sol, res);               // P̄x
  csc_transposed_multiply(g, w.A, static_cast<const double*>(w.kkt_scatter), w.work_n3);  // Ā_𝒜ᵀy_𝒜
  for (int j = 0; j < n; ++j) res[j] = rhs[j] - (res[j] + w.work_n3[j]);
  for (int a = 0; a < K.rows; ++a) {
    const int i = w.active_rows[a];
    double ax = 0.0;
    for (int k = w.At.col_starts[i]; k < w.At.col_starts[i + 1]; ++k) ax += w.At.values[k] * sol[w.At.row_indices[k]];
    res[n + a] = rhs[n + a] - ax;
  }
}

// polish.hpp's solve_reduced_kkt on the sparse data: the regularized [P̄ + δI, Ā_𝒜ᵀ; Ā_𝒜, −δI]
// of the active rows factored by a SparseKkt of their own (the pattern changes with the guess),
// then refinement against the exact matrix.
template <class Group>
bool solve_reduced_kkt(const Group& g, int n, int m, int n_active, const AdmmParams<double>& prm,
                       SparseAdmmWorkspace& w) {
  require_serial_group<Group>();
  // Ā_𝒜 (active_rows is in row order).
  cpu::select_rows(m, n, w.A.col_starts, w.A.row_indices, w.A.values, w.active_rows, n_active, nullptr, w.kkt_scatter,
                   w.active_A);
  // Eliminated in the ADMM KKT's order, restricted to the active rows: no second AMD analysis.
  w.polish_kkt = std::make_unique<cpu::SparseKkt>(w.P_upper_pattern, w.active_A.pattern(), *w.kkt, w.active_rows);
  for (int k = 0; k < w.P_upper_count; ++k) w.P_upper_values[k] = w.P.values[w.P_upper[k]];
  w.active_rho.assign(n_active, 1.0 / prm.delta);
  if (!w.polish_kkt->factor(w.P_upper_values, w.active_A.values.data(), prm.delta, w.active_rho.data())) return false;
  const cpu::SparseKkt& kkt = *w.polish_kkt;
  auto solve = [&](double* v) { kkt.solve(v, v + n); };
  double* rhs = w.kkt_rhs;
  double* sol = w.kkt_sol;
  for (int j = 0; j < n; ++j) rhs[j] = -w.q[j];
  for (int a = 0; a < n_active; ++a) {
    const int i = w.active_rows[a];
    rhs[n + a] = w.active[i] < 0 ? w.l[i] : w.u[i];
  }
  copy(g, sol, static_cast<const double*>(rhs), n + n_active);
  solve(sol);
  refine_reduced_kkt(g, SparseReducedKkt{&w, n, n_active}, solve, prm.polish_refine_iterations, RefineFor::solution,
                     static_cast<const double*>(rhs), sol, w.kkt_res, w.kkt_corr);
  return true;
}

template <class Group>
bool polish_point(const Group& g, int n, int m, const AdmmParams<double>& prm, SparseAdmmWorkspace& w,
                  Residuals<double>* out) {
  return polish_solution(g, n, m, prm, w, out);
}

// Problems of at most this many variables have their Newton matrix folded, as on the dense path
// (FoldedNewton, above): its dense P block costs n³/3 per step (3·10⁸ at n = 1000), and the
// folded form holds the weights D — which span twenty decades near the solution — inside a
// positive definite block instead of in pivots of either sign. Unfolded, the directions part
// from the dense path's (measured: Maros–Mészáros QSHARE1B's interior point, n = 225, then
// went uncertified).
constexpr int kFoldedNewtonMaxVariables = 1000;

// A small problem's interior point runs folded first and, where that verifies nothing, unfolded
// with the steps left (kernels/admm_solve.hpp): each form fails where the other succeeds. Folded,
// Maros–Mészáros QSHARE1B is solved and unfolded it is not; unfolded, least squares under
// second-difference constraints (formula_families.py's LISWET_like at n = 502 and 1000) is
// solved, where folded the multiplier directions recovered from dx carry dx's error times
// weights D of 1e20 (newton_row_products) and the interior point stalls.
inline int newton_forms(int n, const SparseAdmmWorkspace&) { return n <= kFoldedNewtonMaxVariables ? 2 : 1; }

inline void use_newton_form(SparseAdmmWorkspace& w, int form) { w.unfolded_newton = form == 1; }

// Builds the folded Newton matrix's patterns for the equality rows in w.active_rows[0, n_eq).
inline void build_folded_patterns(int n, int n_eq, SparseAdmmWorkspace& w) {
  FoldedNewton& f = w.folded;
  f.rows.assign(w.active_rows, w.active_rows + n_eq);
  f.P_starts.assign(1, 0);
  f.P_rows.clear();
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i <= j; ++i) f.P_rows.push_back(i);
    f.P_starts.push_back(static_cast<int>(f.P_rows.size()));
  }
  cpu::select_rows(w.A.rows, n, w.A.col_starts, w.A.row_indices, w.A.values, w.active_rows, n_eq, nullptr,
                   w.kkt_scatter, f.equality_A);  // E is listed in increasing order
  f.kkt = std::make_unique<cpu::SparseKkt>(CscPattern{n, n, f.P_starts.data(), f.P_rows.data()},
                                           f.equality_A.pattern(), cpu::KktFactorization::dense);
  f.P_values.assign(f.P_rows.size(), 0.0);
  f.rho.assign(n_eq, 0.0);
}

inline bool factor_folded_newton(int n, int m, int n_eq, double regularization, SparseAdmmWorkspace& w) {
  FoldedNewton& f = w.folded;
  if (!f.kkt || f.kkt->n() != n || static_cast<int>(f.rows.size()) != n_eq ||
      !std::equal(f.rows.begin(), f.rows.end(), w.active_rows))
    build_folded_patterns(n, n_eq, w);
  // P̄ + Σ_i D_i ā_i ā_iᵀ, its upper triangle packed by columns (entry (r, c), r ≤ c, at
  // c(c + 1)/2 + r: the order of the P pattern built above).
  const auto packed = [](int r, int c) { return static_cast<std::size_t>(c) * (c + 1) / 2 + r; };
  std::fill(f.P_values.begin(), f.P_values.end(), 0.0);
  for (int j = 0; j < n; ++j)
    for (int k = w.P.col_starts[j]; k < w.P.col_starts[j + 1]; ++k)
      if (w.P.row_indices[k] <= j) f.P_values[packed(w.P.row_indices[k], j)] = w.P.values[k];
  for (int i = 0; i < m; ++i) {
    const double d = w.rho[i];  // D_i; 0 on an equality row and on a row with no finite side
    if (d == 0.0) continue;
    for (int a = w.At.col_starts[i]; a < w.At.col_starts[i + 1]; ++a)
      for (int b = w.At.col_starts[i]; b < w.At.col_starts[i + 1]; ++b) {
        const int r = w.At.row_indices[a], c = w.At.row_indices[b];
        if (r <= c) f.P_values[packed(r, c)] += d * w.At.values[a] * w.At.values[b];
      }
  }
  cpu::select_rows(m, n, w.A.col_starts, w.A.row_indices, w.A.values, f.rows.data(), n_eq, nullptr, w.kkt_scatter,
                   f.equality_A);  // the values (the pattern is the one built)
  std::fill(f.rho.begin(), f.rho.end(), 1.0 / regularization);
  return f.kkt->factor(f.P_values.data(), f.equality_A.values.data(), regularization, f.rho.data());
}

// The interior point's Newton matrix. Small problems (above): folded, as on the dense path.
// Others: kept unfolded, [P̄ + εI, Āᵀ; Ā, −diag(1/ρ)] with ρ_i = D_i on an inequality row
// (w.rho holds D) and 1/ε on an equality row; eliminating the inequality rows (ν_i = D_i·Ā_i dx,
// their right-hand side zero) gives the folded system, so newton_solve's directions are the
// dense path's to the accuracy refinement reaches.
template <class Group>
bool factor_newton_matrix(const Group&, int n, int m, int n_eq, double regularization, SparseAdmmWorkspace& w,
                          const InteriorPointArrays<double>&) {
  require_serial_group<Group>();
  w.folded.in_use = n <= kFoldedNewtonMaxVariables && !w.unfolded_newton;
  if (w.folded.in_use) return factor_folded_newton(n, m, n_eq, regularization, w);
  // A row with no finite side has D = 0 (it does not enter the folded matrix): a weight of
  // 1e-20 leaves it 1e-20·ĀᵢᵀĀᵢ in, far below ε, and keeps K quasi-definite.
  for (int i = 0; i < m; ++i)
    w.newton_rho[i] = is_equality_row(w, i) ? 1.0 / regularization : max_of(w.rho[i], 1e-20);
  for (int k = 0; k < w.P_upper_count; ++k) w.P_upper_values[k] = w.P.values[w.P_upper[k]];
  return w.kkt->factor(w.P_upper_values, w.A.values, regularization, w.newton_rho);
}

// The Newton matrix K = [P̄, Āᵀ; Ā, −diag(1/ρ)] (n + m) that refinement solves, with the
// factor of K + [εI, 0; 0, 0] as its preconditioner. Refined against the factored matrix, the
// directions kept the regularization's error ε·dx, which grows with |dx| as μ falls: on an
// isotonic regression (n = 10⁴, formula_families.py LISWET_like_k1) the dual residual stalled
// near 1e-6 and no active set was certified; refined against K it is solved, as Clarabel
// solves it. An equality row keeps its −ε (ρ = 1/ε): with it, dependent equality rows leave
// the refined system solvable.
struct SparseNewtonKkt {
  const SparseAdmmWorkspace* w;
  int n, m;
  int size() const { return n + m; }
};

template <class Group>
void reduced_kkt_residual(const Group& g, const SparseNewtonKkt& K, const double* rhs, const double* sol, double* res) {
  require_serial_group<Group>();
  const SparseAdmmWorkspace& w = *K.w;
  const int n = K.n, m = K.m;
  csc_transposed_multiply(g, w.P, sol, res);             // P̄x
  csc_transposed_multiply(g, w.A, sol + n, w.work_n3);   // Āᵀν
  for (int j = 0; j < n; ++j) res[j] = rhs[j] - (res[j] + w.work_n3[j]);
  csc_transposed_multiply(g, w.At, sol, res + n);        // Āx
  for (int i = 0; i < m; ++i) res[n + i] = rhs[n + i] - (res[n + i] - sol[n + i] / w.newton_rho[i]);
}

// sol = [dx; the equality rows' multipliers in active_rows' order]. Folded: one solve.
// Unfolded: the system's right-hand side is that with zeros on the inequality rows. Its solution
// is refined against SparseNewtonKkt (the factored matrix less its P-block regularization), to
// the accuracy the factor allows (RefineFor::solution, the polishing rule, at most ten steps):
// near the solution the weights D span twenty decades (inactive rows' → 0, active rows' → ∞),
// and the LDLᵀ's directions, unrefined, drifted from the folded dense ones by 1e-5 relative
// within fifteen Newton steps (Maros–Mészáros QE226), which then went uncertified. Refined, they
// follow the dense path's to ten digits. (Measured on the 40 Maros–Mészáros problems: 32 solved
// unrefined, 37 refining the residual to rounding, 39 refining the solution. Holding the weights
// to [ε, 1/ε] instead lost 4.)
template <class Group>
void newton_solve(const Group& g, int n, int m, int n_eq, SparseAdmmWorkspace& w, double* sol) {
  require_serial_group<Group>();
  if (w.folded.in_use) return w.folded.kkt->solve(sol, sol + n);  // as the dense path's, unrefined
  double* rhs = w.newton_rhs;
  copy(g, rhs, static_cast<const double*>(sol), n);
  fill(g, rhs + n, m, 0.0);
  for (int k = 0; k < n_eq; ++k) rhs[n + w.active_rows[k]] = sol[n + k];
  double* full = w.newton_sol;
  copy(g, full, static_cast<const double*>(rhs), n + m);
  const cpu::SparseKkt& kkt = *w.kkt;
  auto solve = [&](double* v) { kkt.solve(v, v + n); };
  solve(full);
  refine_reduced_kkt(g, SparseNewtonKkt{&w, n, m}, solve, 10, RefineFor::solution, static_cast<const double*>(rhs), full,
                     w.newton_res, w.newton_corr);
  copy(g, sol, static_cast<const double*>(full), n);
  for (int k = 0; k < n_eq; ++k) sol[n + k] = full[n + w.active_rows[k]];
}

// Ā dx for recovering the slack and multiplier directions (kernels/interior_point.hpp). The
// unfolded system's second block says Ā_i dx = ν_i / D_i, and on a row with a large D_i (near the
// solution, an active one: D_i = z_i/s_i → ∞) that is the accurate form: dz_i recovered from
// the product itself is D_i·Ā_i dx + …, which multiplies the error that dx keeps after
// refinement by D_i; from ν it is ν_i + …, as solved. On an isotonic-regression-like problem
// with second differences (formula_families.py LISWET_like_k2, n = 1002) the dual residual
// stalled at 3e-6 with D up to 1e21 and nothing was certified. A row with D_i ≤ 1 keeps the
// product (no amplification there; ν_i / D_i would divide by a weight as small as 1e-20).
template <class Group>
void newton_row_products(const Group& g, int n, int m, const SparseAdmmWorkspace& w, const double* dx, double* out) {
  require_serial_group<Group>();
  scaled_A_product(g, n, m, w, dx, out);
  if (w.folded.in_use) return;  // folded: no ν (as on the dense path)
  for (int i = 0; i < m; ++i)
    if (!is_equality_row(w, i) && w.newton_rho[i] > 1.0) out[i] = w.newton_sol[n + i] / w.newton_rho[i];
}

}  // namespace bpqp::kernels
