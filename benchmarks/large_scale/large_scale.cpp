// The large-scale rows (BPQP paper: 3000×1000 and 5000×2000): one random QP solved and
// differentiated on the sparse path, timed, and exported with bpqp's gradient for the peer
// script (osqp_adjoint.py runs OSQP and its adjoint derivative on the same problem).
//
//   bpqp_large_scale --n 3000 --m 1000 --density 0.01 --seed 1 --out case.npz
//                    [--linear-system automatic|factorization|conjugate_gradient] [--backend cpu|cuda]
//                    [--generator ours|paper]
//
// Two generators. --generator paper (the BPQP paper's, from its public notebook "Large scale QPs
// and LPs experiment.ipynb", QP_instances): P = RᵀR + 0.001·I with R ~ U(0, 1)^{n×n} (dense),
// q ~ U(0, 1)ⁿ, m/2 inequality rows Gx ≤ h with G ~ U(0, 1) and h = G·U(0, 1)ⁿ, then m/2
// equality rows Ax = b with A ~ U(0, 1) and b ~ U(0, 1) (every matrix dense; --density is not
// used). --generator ours (the default; written before the paper's code was found): x0 ~ U(−1, 1)ⁿ;
// P = S + diag(Σ_j |S_ij| + 1) with S symmetric, its entries U(−1, 1) at the given density
// (diagonally dominant: positive definite); A's entries U(−1, 1) at the given density;
// q ~ U(−10, 10); every row two-sided, l = Ax0 − U(0, 1), u = Ax0 + U(0, 1) (feasible). Density
// 1 is the dense variant, the same problem in compressed columns with every entry stored.
// The loss is L = gᵀx* with g_j = sin(0.1 j). One thread, double, eps 1e-5, polishing on.
// Prints one JSON line: sizes, nonzeros, statuses, times, peak RSS.
#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "bpqp/bpqp.hpp"
#include "driver/npz_writer.hpp"

namespace {

bpqp::CscMatrix from_columns(const std::vector<std::map<int, double>>& columns, int rows) {
  bpqp::CscMatrix c;
  c.rows = rows;
  c.cols = static_cast<int>(columns.size());
  for (const auto& column : columns) {
    for (const auto& [row, value] : column) {
      c.row_indices.push_back(row);
      c.values.push_back(value);
    }
    c.col_starts.push_back(static_cast<int>(c.row_indices.size()));
  }
  return c;
}

bpqp::SparseQp generate(int n, int m, double density, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> value(-1.0, 1.0), unit(0.0, 1.0);
  std::vector<double> x0(n);
  for (double& v : x0) v = value(rng);
  std::vector<std::map<int, double>> P_columns(n), A_columns(n);
  std::vector<double> row_sum(n, 0.0);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < j; ++i)
      if (density >= 1.0 || unit(rng) < density) {
        const double v = value(rng);
        P_columns[j][i] = v;
        row_sum[i] += std::abs(v);
        row_sum[j] += std::abs(v);
      }
  for (int j = 0; j < n; ++j) P_columns[j][j] = row_sum[j] + 1.0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i)
      if (density >= 1.0 || unit(rng) < density) A_columns[j][i] = value(rng);
  bpqp::SparseQp qp;
  qp.n = n;
  qp.m = m;
  qp.name = "large_scale";
  qp.P = from_columns(P_columns, n);
  qp.A = from_columns(A_columns, m);
  qp.q.resize(n);
  for (double& v : qp.q) v = 10.0 * value(rng);
  std::vector<double> ax(m, 0.0);
  for (int j = 0; j < n; ++j)
    for (int k = qp.A.col_starts[j]; k < qp.A.col_starts[j + 1]; ++k) ax[qp.A.row_indices[k]] += qp.A.values[k] * x0[j];
  for (int i = 0; i < m; ++i) {
    qp.l.push_back(ax[i] - unit(rng));
    qp.u.push_back(ax[i] + unit(rng));
  }
  return qp;
}

// The paper's QP_instances (above), with neq = nineq = m/2 (m even).
bpqp::SparseQp generate_paper(int n, int m, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Eigen::MatrixXd R(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) R(i, j) = unit(rng);
  Eigen::MatrixXd P = R.transpose() * R;
  P.diagonal().array() += 0.001;
  const int inequalities = m / 2, equalities = m - m / 2;
  Eigen::MatrixXd A(m, n);  // G's rows, then the equality rows
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) A(i, j) = unit(rng);
  Eigen::VectorXd q(n), point(n);
  for (int j = 0; j < n; ++j) q(j) = unit(rng);
  for (int j = 0; j < n; ++j) point(j) = unit(rng);
  const Eigen::VectorXd h = A.topRows(inequalities) * point;
  std::vector<std::map<int, double>> P_columns(n), A_columns(n);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i <= j; ++i) P_columns[j][i] = P(i, j);
    for (int i = 0; i < m; ++i) A_columns[j][i] = A(i, j);
  }
  bpqp::SparseQp qp;
  qp.n = n;
  qp.m = m;
  qp.name = "large_scale_paper";
  qp.P = from_columns(P_columns, n);
  qp.A = from_columns(A_columns, m);
  qp.q.assign(q.data(), q.data() + n);
  for (int i = 0; i < inequalities; ++i) {
    qp.l.push_back(-std::numeric_limits<double>::infinity());
    qp.u.push_back(h(i));
  }
  for (int i = 0; i < equalities; ++i) {
    const double b = unit(rng);
    qp.l.push_back(b);
    qp.u.push_back(b);
  }
  return qp;
}

std::vector<double> as_doubles(const std::vector<int>& v) { return std::vector<double>(v.begin(), v.end()); }

}  // namespace

int main(int argc, char** argv) {
  int n = 3000, m = 1000;
  double density = 0.01;
  unsigned seed = 1;
  std::string out, linear_system = "automatic", backend = "cpu", generator = "ours";
  for (int a = 1; a + 1 < argc; a += 2) {
    const std::string key = argv[a], value = argv[a + 1];
    if (key == "--n") n = std::atoi(value.c_str());
    else if (key == "--m") m = std::atoi(value.c_str());
    else if (key == "--density") density = std::atof(value.c_str());
    else if (key == "--seed") seed = static_cast<unsigned>(std::atoi(value.c_str()));
    else if (key == "--out") out = value;
    else if (key == "--linear-system") linear_system = value;
    else if (key == "--backend") backend = value;
    else if (key == "--generator") generator = value;
    else {
      std::fprintf(stderr,
                   "unknown option %s (--n, --m, --density, --seed, --out, --linear-system, --backend, "
                   "--generator)\n",
                   key.c_str());
      return 2;
    }
  }
  if (n <= 0 || m < 0 || !(density > 0.0 && density <= 1.0) ||
      (linear_system != "automatic" && linear_system != "factorization" && linear_system != "conjugate_gradient") ||
      (backend != "cpu" && backend != "cuda") || (generator != "ours" && generator != "paper")) {
    std::fprintf(stderr,
                 "expected n > 0, m >= 0, 0 < density <= 1, --linear-system automatic|factorization|"
                 "conjugate_gradient, --backend cpu|cuda, --generator ours|paper\n");
    return 2;
  }
  const bpqp::SparseQp qp = generator == "paper" ? generate_paper(n, m, seed) : generate(n, m, density, seed);
  bpqp::Settings settings;  // the defaults: eps 1e-5, polishing on (where the linear system factors)
  settings.sparse_linear_system = linear_system == "factorization"        ? bpqp::SparseLinearSystem::factorization
                                  : linear_system == "conjugate_gradient" ? bpqp::SparseLinearSystem::conjugate_gradient
                                                                          : bpqp::SparseLinearSystem::automatic;
  const bpqp::Executor executor = backend == "cuda" ? bpqp::Executor::cuda() : bpqp::Executor::cpu(1);
  bpqp::SolveResult<double> fwd;
  try {
    fwd = bpqp::solve_sparse(qp, settings, executor);
  } catch (const bpqp::Error& e) {  // the factorization on cuda, no GPU: said, not aborted
    std::fprintf(stderr, "bpqp_large_scale: %s\n", e.what());
    return 2;
  }
  std::vector<double> g(n);
  for (int j = 0; j < n; ++j) g[j] = std::sin(0.1 * j);
  const bpqp::Gradients<double> grad = bpqp::backward_sparse(bpqp::batch_view(qp), fwd, g.data());
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "{\"n\": %d, \"m\": %d, \"density\": %g, \"seed\": %u, \"nnz_P_upper\": %d, \"nnz_A\": %d, \"status\": \"%s\", "
      "\"iterations\": %d, \"polish\": \"%s\", \"backward_status\": \"%s\", \"active_rows\": %d, "
      "\"forward_s\": %.4f, \"backward_s\": %.4f, \"peak_rss_mb\": %.1f, \"linear_system\": \"%s\", "
      "\"backend\": \"%s\", \"generator\": \"%s\", \"objective\": %.12g}\n",
      n, m, density, seed, qp.P.nonzeros(), qp.A.nonzeros(), bpqp::to_string(fwd.status[0]), fwd.iterations[0],
      bpqp::to_string(fwd.polish[0]), bpqp::to_string(grad.status[0]), grad.active_rows[0], fwd.seconds, grad.seconds,
      usage.ru_maxrss / 1024.0, linear_system.c_str(), backend.c_str(), generator.c_str(), fwd.objective[0]);
  if (!out.empty()) {
    bpqp::bench::NpzWriter npz;
    const auto add = [&](const char* name, const std::vector<double>& v) {
      npz.add(name, {static_cast<std::int64_t>(v.size())}, v.data());
    };
    add("P_col_starts", as_doubles(qp.P.col_starts));
    add("P_row_indices", as_doubles(qp.P.row_indices));
    add("P_values", qp.P.values);
    add("A_col_starts", as_doubles(qp.A.col_starts));
    add("A_row_indices", as_doubles(qp.A.row_indices));
    add("A_values", qp.A.values);
    add("q", qp.q);
    add("l", qp.l);
    add("u", qp.u);
    add("g", g);
    add("x", fwd.x);
    add("dq", grad.dq);
    add("dl", grad.dl);
    add("du", grad.du);
    npz.write(out);
  }
  return fwd.status[0] == bpqp::SolveStatus::solved ? 0 : 1;
}
