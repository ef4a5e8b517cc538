// The sparse path's backward pass (include/bpqp/sparse_backward.hpp): per problem, the active
// set by the dense path's rule, the equilibrated reduced KKT of kernels/backward.hpp factored by
// a SparseKkt of the active rows, refined against the exact matrix through CSC products, and the
// gradients written on the input's patterns.
#include "bpqp/sparse_backward.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/backward_params.hpp"
#include "cpu/sparse_kkt.hpp"
#include "cpu/sparse_structure.hpp"
#include "kernels/backward.hpp"
#include "kernels/csc_ops.hpp"
#include "kernels/reduced_kkt.hpp"
#include "kernels/serial_group.hpp"

namespace bpqp::cpu {
namespace {

using kernels::CscRef;
using kernels::SerialGroup;

// kernels/backward.hpp's equilibrated system on the user's CSC data,
//   K̃ = [c·P + σI, Âᵀ; Â, −γ·S²],   Â = S·A_𝒜,
// applied (not stored) for refine_reduced_kkt, which finds this residual by argument lookup.
struct SparseBackwardKkt {
  int n = 0, rows = 0;
  CscRef<const double> P{}, A{}, At{};  // P in full, A, Aᵀ
  const int* active_rows = nullptr;
  const double* row_scale = nullptr;
  double p_scale = 1.0, p_shift = 0.0, row_shift = 0.0;
  double* scatter = nullptr;  // m
  double* work_n = nullptr;   // n
  int size() const { return n + rows; }
};

void reduced_kkt_residual(const SerialGroup& g, const SparseBackwardKkt& K, const double* rhs, const double* sol,
                          double* res) {
  const int n = K.n;
  std::fill(K.scatter, K.scatter + K.A.rows, 0.0);
  for (int a = 0; a < K.rows; ++a) K.scatter[K.active_rows[a]] = K.row_scale[a] * sol[n + a];
  kernels::csc_transposed_multiply(g, K.P, sol, K.work_n);  // P x
  for (int j = 0; j < n; ++j) res[j] = rhs[j] - (K.p_scale * K.work_n[j] + K.p_shift * sol[j]);
  kernels::csc_transposed_multiply(g, K.A, static_cast<const double*>(K.scatter), K.work_n);  // Âᵀ v
  for (int j = 0; j < n; ++j) res[j] -= K.work_n[j];
  for (int a = 0; a < K.rows; ++a) {
    const int i = K.active_rows[a];
    double ax = 0.0;
    for (int k = K.At.col_starts[i]; k < K.At.col_starts[i + 1]; ++k) ax += K.At.values[k] * sol[K.At.row_indices[k]];
    const double s = K.row_scale[a];
    res[n + a] = rhs[n + a] - (s * ax - K.row_shift * s * s * sol[n + a]);
  }
}

// The smallest eigenvalue μ of the factored system's Schur complement S = Â(P̃ + δI)⁻¹Âᵀ + δI,
// from the factor (K_δ⁻¹[0; v] = [·; −S⁻¹v]) by inverse iteration; v ends as its eigenvector.
// The Rayleigh quotients approach μ from above; with μ ≈ δ far below the next eigenvalue (the
// case that matters, dependent rows) it converges in a few solves. 0 when S is not positive
// definite to rounding.
template <class Solve>
double smallest_schur_eigenvalue(int n, int k, const Solve& solve, std::vector<double>& v, std::vector<double>& t) {
  v.assign(k, 0.0);
  t.assign(static_cast<std::size_t>(n) + k, 0.0);
  double norm = 0.0;
  for (int a = 0; a < k; ++a) {  // a start with no special direction
    v[a] = 1.0 + 0.5 * std::sin(1.0 + a);
    norm += v[a] * v[a];
  }
  for (double& e : v) e /= std::sqrt(norm);
  double mu = std::numeric_limits<double>::infinity();
  for (int iteration = 0; iteration < 30; ++iteration) {
    std::fill(t.begin(), t.begin() + n, 0.0);
    std::copy(v.begin(), v.end(), t.begin() + n);
    solve(t.data());
    double quotient = 0.0, z_norm = 0.0;  // vᵀS⁻¹v and ‖S⁻¹v‖
    for (int a = 0; a < k; ++a) {
      const double z = -t[n + a];
      quotient += v[a] * z;
      z_norm += z * z;
    }
    z_norm = std::sqrt(z_norm);
    if (!(quotient > 0.0) || !(z_norm > 0.0)) return 0.0;
    const double next = 1.0 / quotient;
    for (int a = 0; a < k; ++a) v[a] = -t[n + a] / z_norm;
    const bool settled = std::abs(next - mu) <= 1e-3 * next;
    mu = next;
    if (settled) break;
  }
  return mu;
}

// One problem's arrays, reused from problem to problem.
struct Scratch {
  std::vector<double> P_full, A, At, P_scaled, y_active, w_full, dx;
  std::vector<double> row_scale, rho, rhs, sol, sol0, res, corr, scatter, work_n, inverse_v, inverse_t;
  std::vector<int> active_rows;
  RowSelection selected;  // Â
};

// Whether the active rows are dependent. A row that adds nothing to the others leaves the
// Schur complement's smallest eigenvalue μ at δ; the dense path's pivot test asks the same of
// each row, |D| − δ ≤ 10δ + 100ε(t + δ) with t = â(P̃ + δI)⁻¹âᵀ, the rounding of the pivot.
// Here: μ against that test with t bounded by ‖â‖₂²/δ (its value for an LP), and where μ does
// not pass it, the test again with the rows' own t — those of the rows carrying μ's
// eigenvector, from a factorization of P̃ + δI alone (paid only then).
template <class Solve>
bool rows_dependent(const SparseBackwardKkt& base, const CscPattern& P_upper, int n, int k, double delta,
                    double row_norm2_max, const Solve& solve, Scratch& s) {
  const double eps = kernels::machine_epsilon<double>();
  const double mu = smallest_schur_eigenvalue(n, k, solve, s.inverse_v, s.inverse_t);
  const auto passes = [&](double t) { return mu - delta > 10.0 * delta + 100.0 * eps * (t + delta); };
  if (passes(row_norm2_max / delta)) return false;
  if (!(mu > 0.0)) return true;
  std::vector<int> no_columns(n + 1, 0);
  SparseKkt H(P_upper, CscPattern{0, n, no_columns.data(), nullptr});
  if (!H.factor(s.P_scaled.data(), nullptr, delta, nullptr)) return true;
  double largest = 0.0;
  for (double e : s.inverse_v) largest = std::max(largest, std::abs(e));
  double t_max = 0.0;
  std::vector<double> row(n), empty;
  for (int a = 0; a < k; ++a) {
    if (std::abs(s.inverse_v[a]) < 0.1 * largest) continue;  // not carrying the eigenvector
    std::fill(row.begin(), row.end(), 0.0);
    const int i = s.active_rows[a];
    for (int q = base.At.col_starts[i]; q < base.At.col_starts[i + 1]; ++q)
      row[base.At.row_indices[q]] = base.At.values[q] * s.row_scale[a];
    std::vector<double> x = row;
    H.solve(x.data(), empty.data());
    double t = 0.0;
    for (int j = 0; j < n; ++j) t += row[j] * x[j];
    t_max = std::max(t_max, t);
  }
  return !passes(t_max);
}

// The reduced KKT's solve (kernels/backward.hpp's solve_backward_direct on the sparse data):
// s.dx and s.w_full (w at the active rows, 0 elsewhere) from the active set in s.active_rows.
BackwardStatus solve_direct(const SparseBackwardKkt& base, const CscPattern& P_upper, const double* P_upper_values,
                            const double* g_vec, const double* h_vec, const kernels::BackwardParams<double>& prm,
                            Scratch& s) {
  const SerialGroup g;
  const int n = base.n, k = base.rows, N = n + k, m = base.A.rows;
  // S: the active rows to unit inf-norm; c = max|P| (1 for an LP).
  double row_norm2_max = 0.0;
  for (int a = 0; a < k; ++a) {
    const int i = s.active_rows[a];
    double mx = 0.0;
    for (int q = base.At.col_starts[i]; q < base.At.col_starts[i + 1]; ++q) mx = std::max(mx, std::abs(base.At.values[q]));
    s.row_scale[a] = mx > 0.0 ? 1.0 / mx : 1.0;
    double norm2 = 0.0;
    for (int q = base.At.col_starts[i]; q < base.At.col_starts[i + 1]; ++q) {
      const double v = base.At.values[q] * s.row_scale[a];
      norm2 += v * v;
    }
    row_norm2_max = std::max(row_norm2_max, norm2);
  }
  const int p_nonzeros = P_upper.nonzeros();
  const double p_max = kernels::inf_norm(g, P_upper_values, p_nonzeros);
  const double c = p_max > 0.0 ? p_max : 1.0;
  SparseBackwardKkt K = base;
  K.row_scale = s.row_scale.data();
  K.p_scale = 1.0 / c;
  K.p_shift = prm.lp_smoothing / c;
  K.row_shift = c * prm.lp_smoothing;
  const bool smoothing = prm.lp_smoothing > 0.0;

  // Â in CSC, the active rows scaled.
  select_rows(m, n, base.A.col_starts, base.A.row_indices, base.A.values, s.active_rows.data(), k,
              s.row_scale.data(), s.scatter.data(), s.selected);
  for (int q = 0; q < p_nonzeros; ++q) s.P_scaled[q] = P_upper_values[q] / c;
  SparseKkt kkt(P_upper, s.selected.pattern());

  // Factor K̃ + diag(δI, −δI) (K̃ itself on the first try with smoothing, already
  // quasi-definite); should rounding break the sign pattern, retry with a larger δ.
  double delta = prm.delta;
  bool factored = false;
  for (int attempt = 0; attempt < 4 && !factored; ++attempt) {
    if (attempt > 0) delta *= 100.0;
    const double reg = smoothing && attempt == 0 ? 0.0 : delta;
    for (int a = 0; a < k; ++a) s.rho[a] = 1.0 / (K.row_shift * s.row_scale[a] * s.row_scale[a] + reg);
    factored = kkt.factor(s.P_scaled.data(), s.selected.values.data(), K.p_shift + reg, s.rho.data());
  }
  if (!factored) return BackwardStatus::numerical_error;
  auto solve = [&](double* v) { kkt.solve(v, v + n); };

  for (int j = 0; j < n; ++j) s.rhs[j] = -g_vec[j];
  for (int a = 0; a < k; ++a) s.rhs[n + a] = h_vec ? -c * s.row_scale[a] * h_vec[s.active_rows[a]] : 0.0;
  std::copy(s.rhs.begin(), s.rhs.begin() + N, s.sol0.begin());
  solve(s.sol0.data());
  const bool dependent = !smoothing && k > 0 && rows_dependent(base, P_upper, n, k, delta, row_norm2_max, solve, s);

  std::copy(s.sol0.begin(), s.sol0.begin() + N, s.sol.begin());
  const kernels::Refinement<double> refined_by =
      kernels::refine_reduced_kkt(g, K, solve, prm.refine_iterations, kernels::RefineFor::residual,
                                  static_cast<const double*>(s.rhs.data()), s.sol.data(), s.res.data(), s.corr.data());
  BackwardStatus status = BackwardStatus::ok;
  if (!kernels::refined_away(refined_by, N, kernels::inf_norm(g, s.sol.data(), N))) {
    std::copy(s.sol0.begin(), s.sol0.begin() + N, s.sol.begin());
    status = BackwardStatus::regularized;
  }
  if (dependent) status = BackwardStatus::regularized;
  if (!kernels::all_finite(g, s.sol.data(), N)) return BackwardStatus::numerical_error;
  for (int j = 0; j < n; ++j) s.dx[j] = s.sol[j] / c;
  std::fill(s.w_full.begin(), s.w_full.begin() + m, 0.0);
  for (int a = 0; a < k; ++a) s.w_full[s.active_rows[a]] = s.row_scale[a] * s.sol[n + a];
  return status;
}

}  // namespace
}  // namespace bpqp::cpu

namespace bpqp {

Gradients<double> backward_sparse(const SparseQpBatchView<double>& batch, const SolveResult<double>& forward,
                                  const double* dl_dx, const double* dl_dy, const BackwardOptions& options) {
  using detail::require;
  constexpr const char* entry = "backward_sparse";
  validate(batch);
  require(batch.cone_count == 0, entry, "SparseQpBatchView::cone_count = " + std::to_string(batch.cone_count) +
                                            ": cone blocks are not on the sparse path yet");
  detail::validate_forward(forward, batch.batch, batch.n, batch.m, dl_dx, entry);
  const std::size_t count = static_cast<std::size_t>(batch.batch);
  detail::validate_options(options, entry);
  require(options.mode == BackwardMode::direct, entry,
          "BackwardOptions::mode = admm is not on the sparse path (mode direct is)");
  detail::throw_if_unsolved(forward, options, entry);
  const auto start = std::chrono::steady_clock::now();

  const int n = batch.n, m = batch.m;
  const CscPattern P_upper = batch.P_pattern, A_pattern = batch.A_pattern;
  const int p_nonzeros = P_upper.nonzeros(), a_nonzeros = A_pattern.nonzeros();
  Gradients<double> grad;
  grad.batch = batch.batch;
  grad.n = n;
  grad.m = m;
  detail::size_gradient(options.want_P, batch.P_stride, p_nonzeros, batch.batch, grad.dP, grad.dP_stride);
  detail::size_gradient(options.want_q, batch.q_stride, n, batch.batch, grad.dq, grad.dq_stride);
  detail::size_gradient(options.want_A, batch.A_stride, a_nonzeros, batch.batch, grad.dA, grad.dA_stride);
  detail::size_gradient(options.want_l, batch.l_stride, m, batch.batch, grad.dl, grad.dl_stride);
  detail::size_gradient(options.want_u, batch.u_stride, m, batch.batch, grad.du, grad.du_stride);
  grad.status.assign(count, BackwardStatus::ok);
  grad.active_rows.assign(count, 0);
  const kernels::BackwardParams<double> prm = detail::to_backward_params<double>(options);

  const cpu::SharedStructure structure = cpu::make_structure(P_upper, A_pattern);
  cpu::Scratch s;
  s.P_full.assign(structure.P_full.row_indices.size(), 0.0);
  for (auto* v : {&s.A, &s.At}) v->assign(a_nonzeros, 0.0);
  s.P_scaled.assign(p_nonzeros, 0.0);
  for (auto* v : {&s.dx, &s.work_n}) v->assign(n, 0.0);
  for (auto* v : {&s.y_active, &s.w_full, &s.row_scale, &s.rho, &s.scatter}) v->assign(m, 0.0);
  for (auto* v : {&s.rhs, &s.sol, &s.sol0, &s.res, &s.corr}) v->assign(static_cast<std::size_t>(n) + m, 0.0);
  s.active_rows.assign(m, 0);

  cpu::SparseBackwardKkt base;
  base.n = n;
  base.P = kernels::CscRef<const double>{n, n, structure.P_full.col_starts.data(), structure.P_full.row_indices.data(),
                                s.P_full.data()};
  base.A = kernels::CscRef<const double>{m, n, A_pattern.col_starts, A_pattern.row_indices, s.A.data()};
  base.At = kernels::CscRef<const double>{n, m, structure.At.col_starts.data(), structure.At.row_indices.data(), s.At.data()};
  base.active_rows = s.active_rows.data();
  base.scatter = s.scatter.data();
  base.work_n = s.work_n.data();

  const kernels::SerialGroup g;
  for (int b = 0; b < batch.batch; ++b) {
    // The values first: a shared P or A (stride 0) is placed once, at problem 0, whatever its status.
    const double* P_values = batch.P_values_of(b);
    if (b == 0 || batch.P_stride != 0) structure.place_P(P_values, s.P_full.data());
    if (b == 0 || batch.A_stride != 0) structure.place_A(batch.A_values_of(b), s.A.data(), s.At.data());
    if (!detail::forward_solved(forward.status[b])) {
      grad.status[b] = BackwardStatus::forward_not_solved;  // per-problem blocks stay zero, sums get nothing
      continue;
    }
    const double* x = forward.x_of(b);
    const double* y = forward.y_of(b);
    const double* g_vec = dl_dx + static_cast<std::size_t>(b) * n;
    const double* h_vec = dl_dy ? dl_dy + static_cast<std::size_t>(b) * m : nullptr;
    if (!kernels::all_finite(g, x, n) || !kernels::all_finite(g, y, m) || !kernels::all_finite(g, g_vec, n) ||
        (h_vec && !kernels::all_finite(g, h_vec, m))) {
      grad.status[b] = BackwardStatus::non_finite_input;
      continue;
    }
    const double* l = batch.l_of(b);
    const double* u = batch.u_of(b);

    // The active set, by the dense path's rule; a_i·x and Σ_j |a_ij x_j| over Aᵀ's columns.
    const kernels::ActiveRowRule<double> rule = kernels::active_row_rule(g, y, m, prm.active_tolerance);
    int k = 0;
    for (int i = 0; i < m; ++i) {
      double ax = 0.0, size = 0.0;
      for (int q = base.At.col_starts[i]; q < base.At.col_starts[i + 1]; ++q) {
        const double term = base.At.values[q] * x[base.At.row_indices[q]];
        ax += term;
        size += std::abs(term);
      }
      const bool active =
          rule.active(l[i], u[i], y[i], [&](double bound) { return kernels::within_rounding_of_bound(ax, size, bound); });
      s.y_active[i] = active ? y[i] : 0.0;
      if (active) s.active_rows[k++] = i;
    }
    base.rows = k;
    grad.active_rows[b] = k;
    const BackwardStatus status = cpu::solve_direct(base, P_upper, P_values, g_vec, h_vec, prm, s);
    grad.status[b] = status;
    if (status == BackwardStatus::numerical_error) continue;  // zero gradients

    // The gradients, on the input's patterns (bpqp/sparse_backward.hpp).
    const double* dx = s.dx.data();
    const double* w = s.w_full.data();
    if (!grad.dq.empty()) {
      double* out = grad.dq.data() + b * grad.dq_stride;
      for (int j = 0; j < n; ++j) kernels::put(out + j, grad.dq_stride == 0, dx[j]);
    }
    if (!grad.dP.empty()) {
      double* out = grad.dP.data() + b * grad.dP_stride;
      for (int j = 0; j < n; ++j)
        for (int q = P_upper.col_starts[j]; q < P_upper.col_starts[j + 1]; ++q) {
          const int i = P_upper.row_indices[q];
          kernels::put(out + q, grad.dP_stride == 0, i == j ? dx[i] * x[i] : dx[i] * x[j] + x[i] * dx[j]);
        }
    }
    if (!grad.dA.empty()) {
      double* out = grad.dA.data() + b * grad.dA_stride;
      for (int j = 0; j < n; ++j)
        for (int q = A_pattern.col_starts[j]; q < A_pattern.col_starts[j + 1]; ++q) {
          const int i = A_pattern.row_indices[q];
          kernels::put(out + q, grad.dA_stride == 0, w[i] * x[j] + s.y_active[i] * dx[j]);
        }
    }
    if (!grad.dl.empty() || !grad.du.empty())
      for (int i = 0; i < m; ++i) {
        double to_l, to_u;
        kernels::bound_gradients(l[i], u[i], w[i], s.y_active[i], false, rule.tol, &to_l, &to_u);
        if (!grad.dl.empty()) kernels::put(grad.dl.data() + b * grad.dl_stride + i, grad.dl_stride == 0, to_l);
        if (!grad.du.empty()) kernels::put(grad.du.data() + b * grad.du_stride + i, grad.du_stride == 0, to_u);
      }
  }
  grad.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return grad;
}

}  // namespace bpqp
