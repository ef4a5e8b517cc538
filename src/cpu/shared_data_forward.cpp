// CPU backend, batches that share P and A (DESIGN.md §2): the ADMM iterations of
// the whole batch as matrix products — one scaling and one factorization for all
// problems, the inverse of P̄ + σI + Āᵀdiag(ρ)Ā applied to every right-hand side at
// once — with each problem's termination test taken on its own column, converged
// problems set aside and the rest compacted. Each problem is then finished by
// kernels/shared_data_phase.hpp (its own checks, polish, rescue), so the batch
// phase decides only where a problem starts.
#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Dense>

#include "core/backends.hpp"
#include "cpu/problem_workers.hpp"
#include "kernels/shared_data_phase.hpp"

namespace bpqp::cpu {
namespace {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using RowMajorMap = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// Checks without progress after which the problems still running leave the batch
// phase for their own loops (infeasible or slow problems must not hold the batch).
constexpr int stall_checks = 8;

// The batch phase's state: one column per problem still running (active[k] is its index).
template <class T>
struct BatchIterate {
  std::vector<int> active;
  Matrix<T> x, z, y, q, l, u;

  // Keeps only the columns whose flag is set, in order.
  void compact(const std::vector<char>& keep) {
    int kept = 0;
    for (int k = 0; k < static_cast<int>(active.size()); ++k) {
      if (!keep[k]) continue;
      if (kept != k) {
        active[kept] = active[k];
        for (Matrix<T>* mat : {&x, &z, &y, &q, &l, &u}) mat->col(kept) = mat->col(k);
      }
      ++kept;
    }
    active.resize(kept);
    for (Matrix<T>* mat : {&x, &z, &y, &q, &l, &u}) mat->conservativeResize(Eigen::NoChange, kept);
  }
};

// Per-row ρ common to the batch: a row is an equality row (ρ·rho_eq_scale) or a free
// row (rho_min) only when it is one in every problem — the factorization is shared.
template <class T>
Vector<T> batch_rho_vector(const BatchIterate<T>& it, T rho, const kernels::AdmmParams<T>& prm) {
  const int m = static_cast<int>(it.l.rows());
  Vector<T> r(m);
  for (int i = 0; i < m; ++i) {
    bool equality = true, free = true;
    for (int k = 0; k < it.l.cols(); ++k) {
      const T l = it.l(i, k), u = it.u(i, k);
      if (l != l || u != u) continue;  // invalid data (its own check reports it) must not set the batch's ρ
      equality = equality && u - l < T(1e-4);  // OSQP's RHO_TOL, as set_rho_vector
      free = free && !kernels::is_finite(l) && !kernels::is_finite(u);
    }
    r[i] = free ? prm.rho_min : equality ? rho * prm.rho_eq_scale : rho;
  }
  return r;
}


// Problems per batch phase: the matrices are n × chunk, so memory stays bounded for any
// batch; matrix products are at full speed long before this width.
constexpr int phase_chunk = 4096;

// The shared data, checked and scaled once for the whole batch: P̄, Ā, D, E, c in s.
template <class T>
struct SharedSetup {
  std::vector<double> buffer;
  kernels::AdmmWorkspace<T> s;
};

// Where each problem of a chunk leaves the batch phase (scaled), and when.
template <class T>
struct PhaseOutcome {
  Matrix<T> x, z, y;
  std::vector<char> converged;
  std::vector<int> iterations;
  T rho;
};

// The batch phase for problems first … first + count − 1.
template <class T>
void run_batch_phase(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& prm, const SharedSetup<T>& setup,
                     int first, int count, detail::WarmStart<T> warm, PhaseOutcome<T>& out) {
  const int n = batch.n, m = batch.m;
  const kernels::SerialGroup g;
  const kernels::AdmmWorkspace<T>& s = setup.s;
  const T c = s.scalars[0];
  const RowMajorMap<T> P(s.P, n, n), A(s.A, m, n);

  // Every problem's scaled vectors and starting point, one column each.
  BatchIterate<T> it;
  it.active.resize(count);
  for (int k = 0; k < count; ++k) it.active[k] = k;
  for (Matrix<T>* mat : {&it.x, &it.q}) mat->resize(n, count);
  for (Matrix<T>* mat : {&it.z, &it.y, &it.l, &it.u}) mat->resize(m, count);
  for (int k = 0; k < count; ++k) {
    const int b = first + k;
    for (int j = 0; j < n; ++j) it.q(j, k) = c * s.D[j] * batch.q_of(b)[j];
    for (int i = 0; i < m; ++i) {
      it.l(i, k) = kernels::scale_bound(batch.l_of(b)[i], s.E[i]);
      it.u(i, k) = kernels::scale_bound(batch.u_of(b)[i], s.E[i]);
    }
    const T* x0 = warm.x ? warm.x + static_cast<std::size_t>(b) * n : nullptr;
    const T* y0 = warm.y ? warm.y + static_cast<std::size_t>(b) * m : nullptr;
    const bool warm_ok = kernels::warm_start_usable(g, n, m, x0, y0);
    for (int j = 0; j < n; ++j) it.x(j, k) = warm_ok ? x0[j] * s.D_inv[j] : T(0);
    for (int i = 0; i < m; ++i) it.y(i, k) = warm_ok ? y0[i] * s.E_inv[i] * c : T(0);
  }
  it.z = (A * it.x).cwiseMax(it.l).cwiseMin(it.u);

  out.x.resize(n, count);
  out.z.resize(m, count);
  out.y.resize(m, count);
  out.converged.assign(count, 0);
  out.iterations.assign(count, 0);
  auto leave = [&](int col, int k) {  // column col (problem it.active[col]) leaves the phase at iteration k
    const int p = it.active[col];
    out.iterations[p] = k;
    out.x.col(p) = it.x.col(col);
    out.z.col(p) = it.z.col(col);
    out.y.col(p) = it.y.col(col);
  };

  T rho = prm.rho;
  Vector<T> rho_rows;
  Matrix<T> K_inv;
  // The inverse is formed in double whatever T is: with equality rows (ρ·1e3) the
  // matrix is ill-conditioned enough that a float inverse stalls the float phase.
  auto refactor = [&]() {
    rho_rows = batch_rho_vector(it, rho, prm);
    const Vector<double> rho_d = rho_rows.template cast<double>();
    const Matrix<double> A_d = A.template cast<double>();
    Matrix<double> K = P.template cast<double>() + A_d.transpose() * rho_d.asDiagonal() * A_d;
    K.diagonal().array() += static_cast<double>(prm.sigma);
    Eigen::LLT<Matrix<double>> llt(K);
    if (llt.info() != Eigen::Success) return false;
    K_inv = llt.solve(Matrix<double>::Identity(n, n)).template cast<T>();
    return K_inv.allFinite();
  };
  // Without a factorization the problems start where they are (their own loops factor).
  const int phase_cap =
      refactor() ? std::min(prm.max_iter, prm.interior_point_max_iter > 0 ? prm.interior_point_after : prm.max_iter)
                 : 0;
  std::vector<T> x_prev(n), y_prev(m), prim_scratch(m);
  Matrix<T> rho_z_minus_y, rhs, x_tilde, z_tilde, Ax, Px, Aty;  // reused: no allocation per iteration
  int k = 0, checks_without_progress = 0;
  std::vector<T> log_ratios;
  while (!it.active.empty() && k < phase_cap) {
    // x̃ = K⁻¹(σx − q̄ + Āᵀ(ρ∘z − y)), z̃ = Āx̃, then the relaxed update per problem.
    rho_z_minus_y = rho_rows.asDiagonal() * it.z - it.y;
    rhs.noalias() = A.transpose() * rho_z_minus_y;
    rhs += prm.sigma * it.x - it.q;
    x_tilde.noalias() = K_inv * rhs;
    z_tilde.noalias() = A * x_tilde;
    const int running = static_cast<int>(it.active.size());
    for (int col = 0; col < running; ++col)
      kernels::relaxed_update(g, n, m, prm.alpha, rho_rows.data(), it.l.col(col).data(), it.u.col(col).data(),
                              x_tilde.col(col).data(), z_tilde.col(col).data(),
                              kernels::AdmmIterate<T>{it.x.col(col).data(), it.z.col(col).data(), it.y.col(col).data()},
                              x_prev.data(), y_prev.data());
    ++k;
    if (k % prm.check_every != 0) continue;

    // Each problem's termination test on its own column; converged ones leave.
    Ax.noalias() = A * it.x;
    Px.noalias() = P * it.x;
    Aty.noalias() = A.transpose() * it.y;
    std::vector<char> keep(running, 1);
    log_ratios.clear();
    for (int col = 0; col < running; ++col) {
      const kernels::Residuals<T> r = kernels::residuals_from_products(
          g, n, m, kernels::ScalingView<T>{s.D_inv, s.E_inv, c}, it.q.col(col).data(), it.z.col(col).data(),
          Ax.col(col).data(), Px.col(col).data(), Aty.col(col).data(), prim_scratch.data());
      if (!kernels::is_finite(r.prim) || !kernels::is_finite(r.dual)) {
        keep[col] = 0;  // bad data (its own check reports it) or a diverging column: it finishes on its own
        leave(col, k);
      } else if (r.prim <= prm.eps_abs + prm.eps_rel * r.prim_scale &&
                 r.dual <= prm.eps_abs + prm.eps_rel * r.dual_scale) {
        keep[col] = 0;
        out.converged[it.active[col]] = 1;
        leave(col, k);
      } else {
        const T ratio = kernels::estimate_rho(rho, r, prm) / rho;
        if (kernels::is_finite(ratio) && ratio > T(0)) log_ratios.push_back(std::log(ratio));
      }
    }
    const bool progress = std::find(keep.begin(), keep.end(), 0) != keep.end();
    checks_without_progress = progress ? 0 : checks_without_progress + 1;
    if (progress) it.compact(keep);
    if (checks_without_progress >= stall_checks) break;
    // One ρ for the batch: the geometric mean of the running problems' own estimates.
    if (prm.adaptive_rho_interval > 0 && k % prm.adaptive_rho_interval == 0 && !log_ratios.empty()) {
      T mean = T(0);
      for (T v : log_ratios) mean += v;
      const T rho_new = kernels::clamp_to(rho * std::exp(mean / T(log_ratios.size())), prm.rho_min, prm.rho_max);
      if (rho_new > rho * prm.adaptive_rho_tolerance || rho_new < rho / prm.adaptive_rho_tolerance) {
        rho = rho_new;
        if (!refactor()) break;  // the problems still running finish on their own
      }
    }
  }
  for (int col = 0; col < static_cast<int>(it.active.size()); ++col) leave(col, k);
  out.rho = rho;
}

}  // namespace

template <class T>
bool solve_forward_shared_data(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& prm, int threads,
                               detail::WarmStart<T> warm, WorkspacePool& pool, SolveResult<T>& result) {
  const int n = batch.n, m = batch.m, count = batch.batch;
  const kernels::SerialGroup g;

  // The shared data, checked and scaled once. The cost scaling c also depends on q: the
  // batch's q enters as max_b |q_b,j| per entry (finite ones), so that ‖D q_rep‖∞ is the
  // largest ‖D q_b‖∞ of the batch, as each problem's own scaling would see it.
  std::vector<T> q_rep(n, T(0)), free_l(m, -kernels::infinity<T>()), free_u(m, kernels::infinity<T>());
  for (int b = 0; b < count; ++b)
    for (int j = 0; j < n; ++j) {
      const T v = kernels::abs_of(batch.q_of(b)[j]);
      if (kernels::is_finite(v)) q_rep[j] = std::max(q_rep[j], v);
    }
  const kernels::ProblemView<T> shared_view{n, m, batch.P, q_rep.data(), batch.A, free_l.data(), free_u.data()};
  SharedSetup<T> setup;
  setup.buffer.resize(kernels::AdmmWorkspace<T>::bytes(n, m) / sizeof(double) + 1);
  setup.s = kernels::AdmmWorkspace<T>::carve(setup.buffer.data(), n, m);
  kernels::AdmmWorkspace<T>& s = setup.s;
  // Shared data the per-problem path would reject is reported by it, problem by problem.
  if (kernels::validate_problem(g, shared_view, prm, s.factor, s.factor_scratch) != InputIssue::none) return false;
  kernels::ruiz_equilibrate(g, shared_view, prm.scaling_iterations, s);
  const kernels::SharedScaledData<T> shared{s.P, s.A, s.D, s.E, s.D_inv, s.E_inv, s.scalars[0]};

  std::vector<kernels::ProblemReport<T>> reports;
  const int workers = prepare_forward(batch, threads, std::min(count, phase_chunk), pool, reports, result);
  PhaseOutcome<T> phase;
  for (int first = 0; first < count; first += phase_chunk) {
    const int chunk = std::min(phase_chunk, count - first);
    run_batch_phase(batch, prm, setup, first, chunk, warm, phase);
    // Every problem of the chunk finished on its own, spread over the workers.
    solve_each_problem(batch, first, chunk, workers, pool, reports, result,
                       [&](const kernels::SerialGroup& group, const kernels::ProblemView<T>& problem,
                           kernels::AdmmWorkspace<T>& ws, kernels::ProblemOutput<T>& out, int b) {
                         const int k = b - first;
                         const kernels::PhaseResult<T> start{phase.x.col(k).data(), phase.z.col(k).data(),
                                                             phase.y.col(k).data(), phase.converged[k] != 0,
                                                             phase.iterations[k], phase.rho};
                         kernels::finish_after_batch_phase(group, problem, prm, shared, start, ws, out);
                       });
  }
  detail::collect_reports(reports, result);
  return true;
}

template bool solve_forward_shared_data(const QpBatchView<float>&, const kernels::AdmmParams<float>&, int,
                                        detail::WarmStart<float>, WorkspacePool&, SolveResult<float>&);
template bool solve_forward_shared_data(const QpBatchView<double>&, const kernels::AdmmParams<double>&, int,
                                        detail::WarmStart<double>, WorkspacePool&, SolveResult<double>&);

}  // namespace bpqp::cpu
