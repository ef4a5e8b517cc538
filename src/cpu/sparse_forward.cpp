// The sparse path's driver (include/bpqp/sparse_solver.hpp): a SparseSolver builds the shared
// structure once for its patterns (P in full from its upper triangle, Aᵀ's pattern; the KKT
// ordering at the first factorization) and each solve() runs, per problem, its values and the
// input checks, then kernels::sparse_admm_solve on the factorization's workspace or the
// conjugate gradient's — or, on the CUDA executor, stages the problems that passed for the GPU
// (src/core/sparse_backends.hpp), which solves them together. solve_sparse is one solve of a
// new SparseSolver.
#include "bpqp/sparse_solver.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "bpqp/errors.hpp"
#include "core/admm_params.hpp"
#include "core/backends.hpp"
#include "core/sparse_backends.hpp"
#include "core/warm_start.hpp"
#include "cpu/sparse_admm.hpp"
#include "cpu/sparse_kkt.hpp"
#include "cpu/sparse_structure.hpp"
#include "kernels/serial_group.hpp"
#include "kernels/sparse_pcg.hpp"
#include "kernels/validate_problem.hpp"

namespace bpqp {
namespace {

using kernels::CscRef;
using cpu::SharedStructure;
using cpu::make_structure;

// One problem's arrays, reused from problem to problem.
struct Arrays {
  std::vector<double> P_user, A_user, At_user;  // the user's values on P_full, A, Aᵀ
  std::vector<double> P, A, At, P_upper_values;  // scaled
  std::vector<double> q, l, u, D, E, D_inv, E_inv, scalars, rho, x, z, y, x_prev, y_prev, x_tilde, z_tilde;
  std::vector<double> work_n, work_n2, work_n3, work_m, work_m2;
  std::vector<double> kkt_sol, kkt_rhs, kkt_res, kkt_corr, kkt_scatter, interior, newton_rho;
  std::vector<double> newton_rhs, newton_sol, newton_res, newton_corr;
  std::vector<int> active, active_rows, rejected_guess;

  Arrays(int n, int m, const SharedStructure& s, int A_nonzeros, int P_upper_nonzeros) {
    const std::size_t p_full = s.P_full.row_indices.size();
    for (auto* v : {&P_user, &P}) v->assign(p_full, 0.0);
    for (auto* v : {&A_user, &At_user, &A, &At}) v->assign(A_nonzeros, 0.0);
    P_upper_values.assign(P_upper_nonzeros, 0.0);
    for (auto* v : {&q, &D, &D_inv, &x, &x_prev, &x_tilde, &work_n, &work_n2, &work_n3}) v->assign(n, 0.0);
    for (auto* v : {&l, &u, &E, &E_inv, &rho, &z, &y, &y_prev, &z_tilde, &work_m, &work_m2}) v->assign(m, 0.0);
    scalars.assign(4, 0.0);
    for (auto* v : {&kkt_sol, &kkt_rhs, &kkt_res, &kkt_corr, &newton_rhs, &newton_sol, &newton_res, &newton_corr})
      v->assign(static_cast<std::size_t>(n) + m, 0.0);
    kkt_scatter.assign(m, 0.0);
    newton_rho.assign(m, 0.0);
    interior.assign(static_cast<std::size_t>(kernels::InteriorPointArrays<double>::entries(n, m)), 0.0);
    active.assign(m, 0);
    active_rows.assign(m, 0);
    rejected_guess.assign(m, 0);
  }
};

// The workspace over the arrays and the batch's shared structure (wired once for the batch).
kernels::SparseAdmmWorkspace workspace_over(Arrays& a, const SharedStructure& s, const CscPattern& P_upper,
                                            const CscPattern& A, cpu::SparseKkt& kkt) {
  const int n = P_upper.cols, m = A.rows;
  kernels::SparseAdmmWorkspace w;
  w.P = CscRef<double>{n, n, s.P_full.col_starts.data(), s.P_full.row_indices.data(), a.P.data()};
  w.A = CscRef<double>{m, n, A.col_starts, A.row_indices, a.A.data()};
  w.At = CscRef<double>{n, m, s.At.col_starts.data(), s.At.row_indices.data(), a.At.data()};
  w.At_position = s.At_position.data();
  w.P_upper = s.upper_to_full.data();
  w.P_upper_count = P_upper.nonzeros();
  w.P_upper_values = a.P_upper_values.data();
  w.P_upper_pattern = P_upper;
  w.kkt = &kkt;
  w.q = a.q.data();
  w.l = a.l.data();
  w.u = a.u.data();
  w.D = a.D.data();
  w.E = a.E.data();
  w.D_inv = a.D_inv.data();
  w.E_inv = a.E_inv.data();
  w.scalars = a.scalars.data();
  w.rho = a.rho.data();
  w.x = a.x.data();
  w.z = a.z.data();
  w.y = a.y.data();
  w.x_prev = a.x_prev.data();
  w.y_prev = a.y_prev.data();
  w.x_tilde = a.x_tilde.data();
  w.z_tilde = a.z_tilde.data();
  w.work_n = a.work_n.data();
  w.work_n2 = a.work_n2.data();
  w.work_n3 = a.work_n3.data();
  w.work_m = a.work_m.data();
  w.work_m2 = a.work_m2.data();
  w.active = a.active.data();
  w.active_rows = a.active_rows.data();
  w.rejected_guess = a.rejected_guess.data();
  w.kkt_sol = a.kkt_sol.data();
  w.kkt_rhs = a.kkt_rhs.data();
  w.kkt_res = a.kkt_res.data();
  w.kkt_corr = a.kkt_corr.data();
  w.kkt_scatter = a.kkt_scatter.data();
  w.interior = a.interior.data();
  w.newton_rho = a.newton_rho.data();
  w.newton_rhs = a.newton_rhs.data();
  w.newton_sol = a.newton_sol.data();
  w.newton_res = a.newton_res.data();
  w.newton_corr = a.newton_corr.data();
  return w;
}

// A pattern copied into the solver, so that the caller's arrays need not outlive it.
cpu::OwnedPattern own(const CscPattern& p) {
  cpu::OwnedPattern o;
  o.rows = p.rows;
  o.cols = p.cols;
  o.col_starts.assign(p.col_starts, p.col_starts + p.cols + 1);
  o.row_indices.assign(p.row_indices, p.row_indices + p.nonzeros());
  return o;
}

CscPattern view_of(const cpu::OwnedPattern& o) {
  return CscPattern{o.rows, o.cols, o.col_starts.data(), o.row_indices.data()};
}

// InvalidArgument unless `given` is the solver's pattern `own`, entry for entry.
void require_same_pattern(const CscPattern& given, const cpu::OwnedPattern& own, const char* name) {
  const std::string where = std::string("SparseSolver::solve: the batch's ") + name;
  if (given.rows != own.rows || given.cols != own.cols)
    throw InvalidArgument(where + " is " + std::to_string(given.rows) + "×" + std::to_string(given.cols) +
                          ", the solver's " + std::to_string(own.rows) + "×" + std::to_string(own.cols));
  if (!std::equal(own.col_starts.begin(), own.col_starts.end(), given.col_starts) ||
      !std::equal(own.row_indices.begin(), own.row_indices.end(), given.row_indices))
    throw InvalidArgument(where + " differs from the pattern the solver was built for (a new pattern needs a new "
                                  "SparseSolver)");
}

// InvalidArgument naming `caller` for a batch with cone blocks.
void refuse_cone_blocks(const SparseQpBatchView<double>& batch, const char* caller) {
  if (batch.cone_count > 0)
    throw InvalidArgument(std::string(caller) + ": SparseQpBatchView::cone_count = " +
                          std::to_string(batch.cone_count) +
                          ": cone blocks are not on the sparse path yet (densify() the batch for the dense path)");
}

}  // namespace

struct SparseSolver::Impl {
  Settings settings;
  cpu::OwnedPattern P_upper, A;
  SharedStructure structure;
  Executor executor;
  std::unique_ptr<cpu::SparseKkt> kkt;  // the factorization's, analysed at its first use
  Arrays arrays;
  std::vector<double> pcg_block;        // the conjugate gradient's workspace (CPU)
  // The previous solve's solution, for warm starts of a batch of the same size.
  int warm_batch = -1;
  std::vector<double> warm_x, warm_y;

  Impl(const CscPattern& P_pattern, const CscPattern& A_pattern, const Settings& s, const Executor& e)
      : settings(s),
        P_upper(own(P_pattern)),
        A(own(A_pattern)),
        structure(make_structure(view_of(P_upper), view_of(A))),
        executor(e),
        arrays(P_pattern.cols, A_pattern.rows, structure, A_pattern.nonzeros(), P_pattern.nonzeros()) {}
};

namespace {

// The patterns validated as a SparseQpBatchView's are, before anything is built on them.
const CscPattern& validated(const CscPattern& P_pattern, const CscPattern& A_pattern) {
  if (P_pattern.cols < 1)
    throw InvalidArgument("SparseSolver: P_pattern has " + std::to_string(P_pattern.cols) + " columns: expected n >= 1");
  validate_csc(P_pattern, "SparseSolver: P_pattern", P_pattern.cols, P_pattern.cols, CscShape::upper_triangle);
  validate_csc(A_pattern, "SparseSolver: A_pattern", A_pattern.rows, P_pattern.cols);
  return P_pattern;
}

// The problems that passed their input checks, staged for the GPU (src/core/sparse_backends.hpp).
struct GpuStaging {
  std::vector<int> problem;  // each staged problem's index in the batch
  std::vector<double> P, A, At, q, l, u, x0, y0;
  std::vector<unsigned char> warm;

  void add(int b, const kernels::SparseProblemView& p, int P_nonzeros, int A_nonzeros, const double* x_start,
           const double* y_start) {
    problem.push_back(b);
    P.insert(P.end(), p.P.values, p.P.values + P_nonzeros);
    A.insert(A.end(), p.A.values, p.A.values + A_nonzeros);
    At.insert(At.end(), p.At.values, p.At.values + A_nonzeros);
    q.insert(q.end(), p.q, p.q + p.n);
    l.insert(l.end(), p.l, p.l + p.m);
    u.insert(u.end(), p.u, p.u + p.m);
    warm.push_back(x_start ? 1 : 0);
    if (x_start) {
      x0.insert(x0.end(), x_start, x_start + p.n);
      y0.insert(y0.end(), y_start, y_start + p.m);
    } else {
      x0.resize(x0.size() + p.n, 0.0);
      y0.resize(y0.size() + p.m, 0.0);
    }
  }

  // Solves them on the executor's device and writes their answers and reports into the batch's.
  void solve(const SharedStructure& st, const CscPattern& A_pattern, const kernels::AdmmParams<double>& prm,
             const Executor& executor, SolveResult<double>& result,
             std::vector<kernels::ProblemReport<double>>& reports) const {
    const int count = static_cast<int>(problem.size());
    if (count == 0) return;
    const int n = result.n, m = result.m;
    cuda::SparsePcgBatch batch;
    batch.n = n;
    batch.m = m;
    batch.count = count;
    batch.P_starts = st.P_full.col_starts.data();
    batch.P_rows = st.P_full.row_indices.data();
    batch.A_starts = A_pattern.col_starts;
    batch.A_rows = A_pattern.row_indices;
    batch.At_starts = st.At.col_starts.data();
    batch.At_rows = st.At.row_indices.data();
    batch.At_position = st.At_position.data();
    batch.P_values = P.data();
    batch.A_values = A.data();
    batch.At_values = At.data();
    batch.q = q.data();
    batch.l = l.data();
    batch.u = u.data();
    batch.x0 = x0.data();
    batch.y0 = y0.data();
    batch.warm = warm.data();
    std::vector<double> x(static_cast<std::size_t>(count) * n), y(static_cast<std::size_t>(count) * m);
    std::vector<kernels::ProblemReport<double>> staged_reports(count);
    cuda::solve_sparse_pcg(batch, prm, executor, x.data(), y.data(), staged_reports.data());
    for (int k = 0; k < count; ++k) {
      const std::size_t b = static_cast<std::size_t>(problem[k]);
      std::copy(x.begin() + k * static_cast<std::ptrdiff_t>(n), x.begin() + (k + 1) * static_cast<std::ptrdiff_t>(n),
                result.x.begin() + b * n);
      std::copy(y.begin() + k * static_cast<std::ptrdiff_t>(m), y.begin() + (k + 1) * static_cast<std::ptrdiff_t>(m),
                result.y.begin() + b * m);
      reports[b] = staged_reports[k];
    }
  }
};

// Whether a solve on this executor with these settings runs the conjugate gradient;
// InvalidArgument for the factorization on the CUDA executor.
bool uses_conjugate_gradient(const Settings& settings, const Executor& executor) {
  const bool cuda = executor.kind() == Executor::Kind::cuda;
  switch (settings.sparse_linear_system) {
    case SparseLinearSystem::factorization:
      if (cuda)
        throw InvalidArgument(
            "Settings::sparse_linear_system = factorization: the sparse path on Executor::cuda solves by the "
            "conjugate gradient only (conjugate_gradient or automatic)");
      return false;
    case SparseLinearSystem::conjugate_gradient:
      return true;
    case SparseLinearSystem::automatic:
      break;
  }
  return cuda;
}

}  // namespace

SparseSolver::SparseSolver(const CscPattern& P_pattern, const CscPattern& A_pattern, Settings settings,
                           Executor executor) {
  validate(settings);
  uses_conjugate_gradient(settings, executor);
  impl_ = std::make_unique<Impl>(validated(P_pattern, A_pattern), A_pattern, settings, executor);
}

SparseSolver::~SparseSolver() = default;
SparseSolver::SparseSolver(SparseSolver&&) noexcept = default;
SparseSolver& SparseSolver::operator=(SparseSolver&&) noexcept = default;

const Settings& SparseSolver::settings() const { return impl_->settings; }

void SparseSolver::set_settings(const Settings& settings) {
  validate(settings);
  uses_conjugate_gradient(settings, impl_->executor);
  impl_->settings = settings;
}

void SparseSolver::reset_warm_start() {
  impl_->warm_batch = -1;
  impl_->warm_x.clear();
  impl_->warm_y.clear();
}

SolveResult<double> SparseSolver::solve(const SparseQpBatchView<double>& batch) {
  validate(batch);
  Impl& s = *impl_;
  require_same_pattern(batch.P_pattern, s.P_upper, "P_pattern");
  require_same_pattern(batch.A_pattern, s.A, "A_pattern");
  refuse_cone_blocks(batch, "SparseSolver::solve");
  const auto start = std::chrono::steady_clock::now();
  const int n = batch.n, m = batch.m;
  kernels::AdmmParams<double> prm = detail::to_admm_params<double>(s.settings);
  const bool conjugate_gradient = uses_conjugate_gradient(s.settings, s.executor);
  const bool on_gpu = s.executor.kind() == Executor::Kind::cuda;
  if (conjugate_gradient) {  // nothing is factored: no polishing, no interior point
    prm.polish = false;
    prm.interior_point_max_iter = 0;
  }
  if (on_gpu && !cuda_available())
    throw CudaUnavailable(std::string("the sparse path on Executor::cuda: ") + cuda_unavailable_reason());
  const bool warm = s.settings.warm_start && s.warm_batch == batch.batch;

  const CscPattern P_upper = view_of(s.P_upper), A_pattern = view_of(s.A);
  const int p_upper_nonzeros = P_upper.nonzeros(), a_nonzeros = A_pattern.nonzeros();
  Arrays& a = s.arrays;

  SolveResult<double> result;
  result.batch = batch.batch;
  result.n = n;
  result.m = m;
  result.x.assign(static_cast<std::size_t>(batch.batch) * n, 0.0);
  result.y.assign(static_cast<std::size_t>(batch.batch) * m, 0.0);
  std::vector<kernels::ProblemReport<double>> reports(batch.batch);
  const kernels::SerialGroup g;

  kernels::SparseAdmmWorkspace w;
  if (!conjugate_gradient) {
    if (!s.kkt) s.kkt = std::make_unique<cpu::SparseKkt>(P_upper, A_pattern);
    w = workspace_over(a, s.structure, P_upper, A_pattern, *s.kkt);
  }
  const SharedStructure& st = s.structure;
  const int p_full_nonzeros = static_cast<int>(st.P_full.row_indices.size());
  kernels::PcgAdmmWorkspace pw;
  if (conjugate_gradient && !on_gpu) {
    s.pcg_block.assign(static_cast<std::size_t>(kernels::pcg_workspace_doubles(n, m, p_full_nonzeros, a_nonzeros)),
                       0.0);
    pw = kernels::pcg_workspace_over(s.pcg_block.data(), n, m, st.P_full.col_starts.data(),
                                     st.P_full.row_indices.data(), A_pattern.col_starts, A_pattern.row_indices,
                                     st.At.col_starts.data(), st.At.row_indices.data(), st.At_position.data());
  }
  GpuStaging staged;
  kernels::SparseProblemView p;
  p.n = n;
  p.m = m;
  p.P = CscRef<const double>{n, n, s.structure.P_full.col_starts.data(), s.structure.P_full.row_indices.data(),
                             a.P_user.data()};
  p.A = CscRef<const double>{m, n, A_pattern.col_starts, A_pattern.row_indices, a.A_user.data()};
  p.At = CscRef<const double>{n, m, s.structure.At.col_starts.data(), s.structure.At.row_indices.data(),
                              a.At_user.data()};

  // Shared values (stride 0) are placed and checked once: P's convexity is a factorization.
  const bool P_shared = batch.P_stride == 0, A_shared = batch.A_stride == 0;
  bool P_finite = true, A_finite = true;
  int P_convex = -1;  // P's convexity verdict once known (−1: not yet checked)
  for (int b = 0; b < batch.batch; ++b) {
    kernels::ProblemReport<double>& report = reports[b];
    report.rho = prm.rho;
    double* x_out = result.x.data() + static_cast<std::size_t>(b) * n;
    double* y_out = result.y.data() + static_cast<std::size_t>(b) * m;
    // A previous solution as the start where it is finite (a non-finite one is ignored, as on
    // the dense path: sparse_admm_solve checks); zeros otherwise.
    const double* x0 = warm ? s.warm_x.data() + static_cast<std::size_t>(b) * n : nullptr;
    const double* y0 = warm ? s.warm_y.data() + static_cast<std::size_t>(b) * m : nullptr;
    const kernels::ProblemOutput<double> out{x_out, y_out, &report, x0, y0};

    // The user's values on the shared patterns.
    const double* P_values = batch.P_values_of(b);
    const double* A_values = batch.A_values_of(b);
    if (b == 0 || !P_shared) {
      s.structure.place_P(P_values, a.P_user.data());
      P_finite = kernels::all_finite(g, P_values, p_upper_nonzeros);
      P_convex = -1;
    }
    if (b == 0 || !A_shared) {
      s.structure.place_A(A_values, a.A_user.data(), a.At_user.data());
      A_finite = kernels::all_finite(g, A_values, a_nonzeros);
    }
    p.q = batch.q_of(b);
    p.l = batch.l_of(b);
    p.u = batch.u_of(b);

    // Input checks, in the dense path's order (kernels/validate_problem.hpp).
    kernels::ProblemView<double> vectors;
    vectors.n = n;
    vectors.m = m;
    vectors.q = p.q;
    vectors.l = p.l;
    vectors.u = p.u;
    report.input_issue = P_finite && A_finite ? kernels::validate_own_vectors(g, vectors) : InputIssue::non_finite_data;
    if (report.input_issue == InputIssue::none && prm.check_convexity) {
      if (P_convex < 0) {
        const double p_max = kernels::inf_norm(g, P_values, p_upper_nonzeros);
        P_convex = p_max == 0.0 || cpu::positive_semidefinite(P_upper, P_values, prm.psd_tolerance * p_max);
      }
      if (!P_convex) report.input_issue = InputIssue::p_not_psd;
    }
    if (report.input_issue != InputIssue::none) {
      kernels::report_failure(g, n, m, SolveStatus::invalid_input, report, out);
      continue;
    }

    if (on_gpu)
      staged.add(b, p, p_full_nonzeros, a_nonzeros, x0, y0);
    else if (conjugate_gradient)
      kernels::sparse_admm_solve(g, p, prm, pw, report, out);
    else
      kernels::sparse_admm_solve(g, p, prm, w, report, out);
  }
  if (on_gpu) staged.solve(st, A_pattern, prm, s.executor, result, reports);
  detail::collect_reports(reports, result);
  if (s.settings.warm_start) {
    s.warm_batch = batch.batch;
    detail::keep_for_warm_start(result, s.warm_x, s.warm_y);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

SolveResult<double> solve_sparse(const SparseQpBatchView<double>& batch, const Settings& settings,
                                 const Executor& executor) {
  validate(batch);
  validate(settings);
  refuse_cone_blocks(batch, "solve_sparse");  // before the pattern is analysed
  Settings cold = settings;
  cold.warm_start = false;  // one call: nothing to start from, and nothing to keep
  return SparseSolver(batch.P_pattern, batch.A_pattern, cold, executor).solve(batch);
}

SolveResult<double> solve_sparse(const SparseQp& qp, const Settings& settings, const Executor& executor) {
  validate(qp);
  return solve_sparse(batch_view(qp), settings, executor);
}

}  // namespace bpqp
