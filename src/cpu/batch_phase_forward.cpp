// CPU backend, batches that share P and A (DESIGN.md §2): the ADMM iterations of
// the whole batch as matrix products — one scaling and one factorization for all
// problems, the inverse of P̄ + σI + Āᵀdiag(ρ)Ā applied to every right-hand side at
// once — with each problem's termination test taken on its own column, converged
// problems set aside and the rest compacted. Each problem is then finished by
// kernels/batch_phase_finish.hpp (its own checks, polish, rescue), so the batch
// phase decides only where a problem starts.
#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Dense>

#include "core/backends.hpp"
#include "cpu/problem_kernels.hpp"
#include "cpu/problem_workers.hpp"
#include "kernels/batch_phase.hpp"

namespace bpqp::cpu {
namespace {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using RowMajorMap = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// (K + shift·I)⁻¹ for a symmetric K, by Cholesky; false when K + shift·I is not positive
// definite to rounding or the inverse is not finite. The batch phase forms both its inverses
// with this, in double whatever T is (each caller says why).
bool shifted_inverse(Matrix<double> K, double shift, Matrix<double>& inverse) {
  K.diagonal().array() += shift;
  const Eigen::LLT<Matrix<double>> llt(K);
  if (llt.info() != Eigen::Success) return false;
  inverse = llt.solve(Matrix<double>::Identity(K.rows(), K.cols()));
  return inverse.allFinite();
}

// The batch phase's state: one column per problem still running (active[k] is its index);
// x_prev, y_prev: the iterate before x, y at the last check (the infeasibility tests').
template <class T>
struct BatchIterate {
  std::vector<int> active;
  Matrix<T> x, z, y, x_prev, y_prev, q, l, u;

  // Keeps only the columns whose flag is set, in order.
  void compact(const std::vector<char>& keep) {
    int kept = 0;
    for (int k = 0; k < static_cast<int>(active.size()); ++k) {
      if (!keep[k]) continue;
      if (kept != k) {
        active[kept] = active[k];
        for (Matrix<T>* mat : {&x, &z, &y, &x_prev, &y_prev, &q, &l, &u}) mat->col(kept) = mat->col(k);
      }
      ++kept;
    }
    active.resize(kept);
    for (Matrix<T>* mat : {&x, &z, &y, &x_prev, &y_prev, &q, &l, &u}) mat->conservativeResize(Eigen::NoChange, kept);
  }
};

// Problems per batch phase: the matrices are n × chunk, so memory stays bounded for any
// batch; matrix products are at full speed long before this width.
constexpr int phase_chunk = 4096;

// The shared data, checked and scaled once for the whole batch: P̄, Ā, D, E, c in s.
template <class T>
struct SharedSetup {
  std::vector<double> buffer;
  kernels::AdmmWorkspace<T> s;
};

// Where each problem of a chunk leaves the batch phase (scaled), the iterate before it, and when.
template <class T>
struct PhaseOutcome {
  Matrix<T> x, z, y, x_prev, y_prev;
  std::vector<char> converged, infeasible;
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
  const RowMajorMap<T> P(s.P, n, n), A(s.A, m, n);
  // The products go through the dispatched kernel (kernels/column_products.hpp) — Eigen's
  // below its row block (cpu/problem_kernels.hpp) — on column-major operands: P̄ is
  // symmetric and Ā's row-major storage is Āᵀ column-major; Ā itself is copied column-major
  // once.
  const Matrix<T> A_columns = A;
  const auto multiply = problem_kernels<T>().multiply;
  auto product = [&](const T* M, int rows, int inner, const Matrix<T>& X, Matrix<T>& Y) {
    Y.resize(rows, X.cols());
    if (rows < column_block_rows<T>()) {
      Y.noalias() = Eigen::Map<const Matrix<T>>(M, rows, inner) * X;
      return;
    }
    multiply(rows, inner, static_cast<int>(X.cols()), M, rows, X.data(), inner, Y.data(), rows);
  };
  auto times_A = [&](const Matrix<T>& X, Matrix<T>& Y) { product(A_columns.data(), m, n, X, Y); };
  auto times_A_transposed = [&](const Matrix<T>& X, Matrix<T>& Y) { product(s.A, n, m, X, Y); };

  // Every problem's scaled vectors and starting point, one column each.
  BatchIterate<T> it;
  it.active.resize(count);
  for (int k = 0; k < count; ++k) it.active[k] = k;
  for (Matrix<T>* mat : {&it.x, &it.q}) mat->resize(n, count);
  for (Matrix<T>* mat : {&it.z, &it.y, &it.l, &it.u}) mat->resize(m, count);
  const auto shared = kernels::BatchPhaseData<T>::of(s);
  for (int k = 0; k < count; ++k) {
    const int b = first + k;
    const T* x0 = warm.x ? warm.x + static_cast<std::size_t>(b) * n : nullptr;
    const T* y0 = warm.y ? warm.y + static_cast<std::size_t>(b) * m : nullptr;
    kernels::load_batch_column(g, n, m, shared, batch.q_of(b), batch.l_of(b), batch.u_of(b), x0, y0,
                               it.q.col(k).data(), it.l.col(k).data(), it.u.col(k).data(),
                               kernels::AdmmIterate<T>{it.x.col(k).data(), it.z.col(k).data(), it.y.col(k).data()});
  }
  it.x_prev = it.x;  // no previous iterate yet: δ = 0 certifies nothing
  it.y_prev = it.y;
  // The shared ρ vector's row classes, over every problem of the chunk.
  std::vector<kernels::RowClass> row_classes(m);
  for (int i = 0; i < m; ++i) row_classes[i] = kernels::batch_row_class(g, m, i, it.l.data(), it.u.data(), count);

  for (Matrix<T>* mat : {&out.x, &out.x_prev}) mat->resize(n, count);
  for (Matrix<T>* mat : {&out.z, &out.y, &out.y_prev}) mat->resize(m, count);
  out.converged.assign(count, 0);
  out.infeasible.assign(count, 0);
  out.iterations.assign(count, 0);
  auto leave = [&](int col, int k) {  // column col (problem it.active[col]) leaves the phase at iteration k
    const int p = it.active[col];
    out.iterations[p] = k;
    out.x.col(p) = it.x.col(col);
    out.z.col(p) = it.z.col(col);
    out.y.col(p) = it.y.col(col);
    out.x_prev.col(p) = it.x_prev.col(col);
    out.y_prev.col(p) = it.y_prev.col(col);
  };

  Vector<T> rho_rows(m);
  Matrix<T> K_inv;
  // The inverse is formed in double whatever T is: with equality rows (ρ·1e3) the
  // matrix is ill-conditioned enough that a float inverse stalls the float phase.
  auto refactor = [&](T rho) {
    for (int i = 0; i < m; ++i) rho_rows[i] = kernels::batch_row_rho(row_classes[i], rho, prm);
    const Vector<double> rho_d = rho_rows.template cast<double>();
    const Matrix<double> A_d = A.template cast<double>();
    Matrix<double> K_inv_d;
    if (!shifted_inverse(P.template cast<double>() + A_d.transpose() * rho_d.asDiagonal() * A_d,
                         static_cast<double>(prm.sigma), K_inv_d))
      return false;
    K_inv = K_inv_d.template cast<T>();
    return K_inv.allFinite();
  };
  // Without a factorization the problems start where they are (their own loops factor).
  kernels::BatchPhaseState<T> state =
      kernels::start_batch_phase(prm, refactor(prm.rho), count, kernels::is_lp(g, n, s.P),
                                 kernels::batch_phase_polish_handover(n, m, prm));
  std::vector<T> x_prev(n), y_prev(m), prim_scratch(m), scratch_n(n), scratch_n2(n);
  Matrix<T> rho_z_minus_y, rhs, x_tilde, z_tilde, Ax, Px, Aty;  // reused: no allocation per iteration
  std::vector<char> keep;
  while (state.running) {
    for (int round = 0; round < prm.check_every; ++round) {
      const bool kept = round + 1 == prm.check_every;  // the check's previous iterate
      // x̃ = K⁻¹(σx − q̄ + Āᵀ(ρ∘z − y)), z̃ = Āx̃, then the relaxed update per problem.
      rho_z_minus_y = rho_rows.asDiagonal() * it.z - it.y;
      times_A_transposed(rho_z_minus_y, rhs);
      rhs += prm.sigma * it.x - it.q;
      product(K_inv.data(), n, n, rhs, x_tilde);
      times_A(x_tilde, z_tilde);
      for (int col = 0; col < static_cast<int>(it.active.size()); ++col)
        kernels::relaxed_update(g, n, m, prm.alpha, rho_rows.data(), it.l.col(col).data(), it.u.col(col).data(),
                                x_tilde.col(col).data(), z_tilde.col(col).data(),
                                kernels::AdmmIterate<T>{it.x.col(col).data(), it.z.col(col).data(), it.y.col(col).data()},
                                kept ? it.x_prev.col(col).data() : x_prev.data(),
                                kept ? it.y_prev.col(col).data() : y_prev.data());
    }

    if (!kernels::check_decides(state, prm)) {  // each problem's finish tests it at once
      kernels::end_without_check(state, prm);
      break;
    }
    // Each problem's termination test on its own column; the ones that leave are set aside.
    times_A(it.x, Ax);
    product(s.P, n, n, it.x, Px);
    times_A_transposed(it.y, Aty);
    const int running = static_cast<int>(it.active.size());
    keep.assign(running, 1);
    kernels::CheckTally<T> tally{0, 0, T(0), 0};
    for (int col = 0; col < running; ++col) {
      const kernels::ColumnCheck<T> check = kernels::check_column(
          g, n, m, shared.scaling(), state.rho, prm, it.q.col(col).data(),
          it.z.col(col).data(), Ax.col(col).data(), Px.col(col).data(), Aty.col(col).data(), prim_scratch.data());
      const bool infeasible =
          !check.leaves && kernels::column_infeasible(g, n, m, shared, prm, it.q.col(col).data(), it.l.col(col).data(),
                                                      it.u.col(col).data(), it.x.col(col).data(),
                                                      it.x_prev.col(col).data(), it.y.col(col).data(),
                                                      it.y_prev.col(col).data(), scratch_n.data(), scratch_n2.data(),
                                                      prim_scratch.data());
      if (check.leaves || infeasible) {
        keep[col] = 0;
        ++tally.left;
        out.converged[it.active[col]] = check.converged ? 1 : 0;
        out.infeasible[it.active[col]] = infeasible ? 1 : 0;
        leave(col, kernels::iterations_at_check(state, prm));
      } else if (check.has_ratio) {
        tally.log_ratio_sum += check.log_rho_ratio;
        ++tally.ratios;
      }
    }
    if (tally.left > 0) it.compact(keep);
    tally.remaining = static_cast<int>(it.active.size());
    kernels::after_check(state, prm, tally);
    if (state.refactor && !refactor(state.rho)) break;  // the problems still running finish on their own
  }
  for (int col = 0; col < static_cast<int>(it.active.size()); ++col) leave(col, state.iterations);
  out.rho = state.rho;
}

// Polishing's shared factors (kernels/shared_kkt.hpp): H⁻¹ = (P̄ + δI)⁻¹, W = Ā H⁻¹ and
// G = Ā H⁻¹ Āᵀ, row-major, formed in double whatever T is, as the batch phase's inverse is
// (in float, H is as ill-conditioned as P̄ + σI). False when H does not factor (P̄ + δI not
// positive definite to rounding): polishing then factors each problem's whole matrix.
template <class T>
struct SharedKktBuffers {
  using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  RowMajor H_inv, W, G;

  bool prepare(int n, int m, const T* P, const T* A, T delta) {
    Matrix<double> H_inv_d;
    if (!shifted_inverse(RowMajorMap<T>(P, n, n).template cast<double>(), static_cast<double>(delta), H_inv_d))
      return false;
    const Matrix<double> A_d = RowMajorMap<T>(A, m, n).template cast<double>();
    const Matrix<double> W_d = A_d * H_inv_d;
    const Matrix<double> G_d = W_d * A_d.transpose();
    if (!G_d.allFinite()) return false;
    H_inv = H_inv_d.template cast<T>();
    W = W_d.template cast<T>();
    G = G_d.template cast<T>();
    return true;
  }
  kernels::SharedKkt<T> view() const { return kernels::SharedKkt<T>{H_inv.data(), W.data(), G.data()}; }
};

}  // namespace

template <class T>
bool solve_forward_batch_phase(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& prm, int threads,
                               detail::WarmStart<T> warm, WorkspacePool& pool, SolveResult<T>& result) {
  const int n = batch.n, m = batch.m, count = batch.batch;
  const kernels::SerialGroup g;

  // The shared data, checked and scaled once (with the batch's representative q).
  std::vector<T> q_rep(n), free_l(m), free_u(m);
  kernels::representative_q(n, batch.q, batch.q_stride, count, q_rep.data());
  SharedSetup<T> setup;
  setup.buffer.resize(kernels::AdmmWorkspace<T>::bytes(n, m) / sizeof(double) + 1);
  setup.s = kernels::AdmmWorkspace<T>::carve(setup.buffer.data(), n, m);
  if (!kernels::scale_shared_matrices(g, n, m, batch.P, q_rep.data(), batch.A, free_l.data(), free_u.data(), prm,
                                  setup.s))
    return false;
  auto shared = kernels::BatchPhaseData<T>::of(setup.s);
  // Polishing's shared factors: (P̄ + δI)⁻¹, Ā(P̄ + δI)⁻¹ and Ā(P̄ + δI)⁻¹Āᵀ once, so that each
  // problem's polish factors only its active rows' Schur complement (kernels/shared_kkt.hpp).
  SharedKktBuffers<T> kkt;
  if (prm.polish && kkt.prepare(n, m, setup.s.P, setup.s.A, prm.delta)) shared.kkt = kkt.view();

  const ProblemKernels<T>& finish = problem_kernels<T>();
  std::vector<kernels::ProblemReport<T>> reports;
  const int workers = prepare_forward(batch, threads, std::min(count, phase_chunk), pool, reports, result);
  PhaseOutcome<T> phase;
  for (int first = 0; first < count; first += phase_chunk) {
    const int chunk = std::min(phase_chunk, count - first);
    run_batch_phase(batch, prm, setup, first, chunk, warm, phase);
    // Every problem of the chunk finished on its own, spread over the workers.
    solve_each_problem(batch, first, chunk, workers, pool, reports, result,
                       [&](const kernels::ProblemView<T>& problem, kernels::AdmmWorkspace<T>& ws,
                           kernels::ProblemOutput<T>& out, int b) {
                         const int k = b - first;
                         const kernels::PhaseResult<T> start{phase.x.col(k).data(),      phase.z.col(k).data(),
                                                             phase.y.col(k).data(),      phase.converged[k] != 0,
                                                             phase.iterations[k],        phase.rho,
                                                             phase.x_prev.col(k).data(), phase.y_prev.col(k).data(),
                                                             phase.infeasible[k] != 0};
                         finish.finish_after_batch_phase(problem, prm, shared, start, ws, out);
                       });
  }
  detail::collect_reports(reports, result);
  return true;
}

template bool solve_forward_batch_phase(const QpBatchView<float>&, const kernels::AdmmParams<float>&, int,
                                        detail::WarmStart<float>, WorkspacePool&, SolveResult<float>&);
template bool solve_forward_batch_phase(const QpBatchView<double>&, const kernels::AdmmParams<double>&, int,
                                        detail::WarmStart<double>, WorkspacePool&, SolveResult<double>&);

}  // namespace bpqp::cpu
