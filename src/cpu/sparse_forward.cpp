// The sparse path's driver (include/bpqp/sparse_solver.hpp): a SparseSolver builds the shared
// structure once for its patterns (P in full from its upper triangle, Aᵀ's pattern, the KKT
// ordering) and each solve() runs, per problem, its values, the input checks, scaling and
// admm_run on the sparse workspace; solve_sparse is one solve of a new SparseSolver.
#include "bpqp/sparse_solver.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "bpqp/errors.hpp"
#include "core/admm_params.hpp"
#include "core/backends.hpp"
#include "core/warm_start.hpp"
#include "cpu/sparse_admm.hpp"
#include "cpu/sparse_kkt.hpp"
#include "cpu/sparse_structure.hpp"
#include "kernels/serial_group.hpp"
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
  std::vector<int> active, active_rows;

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

// x0, y0 (the user's units) as ADMM's scaled start, as the dense kernels map a warm start
// (kernels/admm_solve.hpp): x̄ = D⁻¹x, ȳ = c·E⁻¹y, z̄ = Π(Āx̄).
void warm_start_iterate(const kernels::SerialGroup& g, int n, int m, const double* x0, const double* y0,
                        kernels::SparseAdmmWorkspace& w) {
  const double c = w.scalars[0];
  for (int j = 0; j < n; ++j) w.x[j] = x0[j] * w.D_inv[j];
  for (int i = 0; i < m; ++i) w.y[i] = y0[i] * w.E_inv[i] * c;
  kernels::scaled_A_product(g, n, m, w, w.x, w.z);
  kernels::project_onto_constraints(g, m, w.cones, w.l, w.u, w.z);
}

}  // namespace

struct SparseSolver::Impl {
  Settings settings;
  cpu::OwnedPattern P_upper, A;
  SharedStructure structure;
  cpu::SparseKkt kkt;
  Arrays arrays;
  // The previous solve's solution, for warm starts of a batch of the same size.
  int warm_batch = -1;
  std::vector<double> warm_x, warm_y;

  Impl(const CscPattern& P_pattern, const CscPattern& A_pattern, const Settings& s)
      : settings(s),
        P_upper(own(P_pattern)),
        A(own(A_pattern)),
        structure(make_structure(view_of(P_upper), view_of(A))),
        kkt(view_of(P_upper), view_of(A)),
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

}  // namespace

SparseSolver::SparseSolver(const CscPattern& P_pattern, const CscPattern& A_pattern, Settings settings) {
  validate(settings);
  impl_ = std::make_unique<Impl>(validated(P_pattern, A_pattern), A_pattern, settings);
}

SparseSolver::~SparseSolver() = default;
SparseSolver::SparseSolver(SparseSolver&&) noexcept = default;
SparseSolver& SparseSolver::operator=(SparseSolver&&) noexcept = default;

const Settings& SparseSolver::settings() const { return impl_->settings; }

void SparseSolver::set_settings(const Settings& settings) {
  validate(settings);
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

  kernels::SparseAdmmWorkspace w = workspace_over(a, s.structure, P_upper, A_pattern, s.kkt);
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
    const kernels::ProblemOutput<double> out{x_out, y_out, &report, nullptr, nullptr};

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

    kernels::ruiz_equilibrate(g, p, prm.scaling_iterations, w);
    kernels::set_rho_vector(g, m, prm.rho, prm, w);
    if (!kernels::factor_reduced_system(g, n, m, prm.sigma, w)) {
      kernels::report_failure(g, n, m, SolveStatus::numerical_error, report, out);
      continue;
    }
    // A previous solution as the start where it is finite (a non-finite one is ignored, as on
    // the dense path); zeros otherwise.
    const double* x0 = warm ? s.warm_x.data() + static_cast<std::size_t>(b) * n : nullptr;
    const double* y0 = warm ? s.warm_y.data() + static_cast<std::size_t>(b) * m : nullptr;
    if (kernels::warm_start_usable(g, n, m, x0, y0)) {
      warm_start_iterate(g, n, m, x0, y0, w);
    } else {
      kernels::fill(g, w.x, n, 0.0);
      kernels::fill(g, w.z, m, 0.0);
      kernels::fill(g, w.y, m, 0.0);
    }
    kernels::admm_run(g, p, prm, w, kernels::RunStart<double>{prm.rho, true, false, 0}, report, out);
  }
  detail::collect_reports(reports, result);
  if (s.settings.warm_start) {
    s.warm_batch = batch.batch;
    detail::keep_for_warm_start(result, s.warm_x, s.warm_y);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

SolveResult<double> solve_sparse(const SparseQpBatchView<double>& batch, const Settings& settings) {
  validate(batch);
  validate(settings);
  refuse_cone_blocks(batch, "solve_sparse");  // before the pattern is analysed
  Settings cold = settings;
  cold.warm_start = false;  // one call: nothing to start from, and nothing to keep
  return SparseSolver(batch.P_pattern, batch.A_pattern, cold).solve(batch);
}

SolveResult<double> solve_sparse(const SparseQp& qp, const Settings& settings) {
  validate(qp);
  return solve_sparse(batch_view(qp), settings);
}

}  // namespace bpqp
