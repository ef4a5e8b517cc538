#include "support/full_kkt_gradient.hpp"

#include <cmath>

#include <Eigen/Dense>

namespace bpqp::testing {

FullKktGradient full_kkt_gradient(const DenseQp& qp, const std::vector<double>& x, const std::vector<double>& y,
                                  const std::vector<double>& dl_dx, const std::vector<double>* dl_dy) {
  const int n = qp.n, m = qp.m;
  auto a = [&](int i, int j) { return qp.A[static_cast<std::size_t>(i) * n + j]; };
  auto finite = [](double v) { return std::isfinite(v) && std::abs(v) < 1e20; };

  // Rows of G (with their origin and sign) and of E.
  struct Row {
    int origin;
    double sign;    // G row = sign·a_i, h = sign·bound
    double bound;
    double lambda;
  };
  std::vector<Row> ineq;
  std::vector<int> eq;
  for (int i = 0; i < m; ++i) {
    if (qp.l[i] == qp.u[i] && finite(qp.l[i])) {
      eq.push_back(i);
      continue;
    }
    if (finite(qp.u[i])) ineq.push_back({i, 1.0, qp.u[i], std::max(y[i], 0.0)});
    if (finite(qp.l[i])) ineq.push_back({i, -1.0, qp.l[i], std::max(-y[i], 0.0)});
  }
  const int ni = static_cast<int>(ineq.size()), ne = static_cast<int>(eq.size());
  const int N = n + ni + ne;

  Eigen::MatrixXd M = Eigen::MatrixXd::Zero(N, N);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) M(r, c) = qp.P[static_cast<std::size_t>(r) * n + c];
  for (int k = 0; k < ni; ++k) {
    const Row& row = ineq[k];
    double gx = 0;
    for (int j = 0; j < n; ++j) {
      const double gj = row.sign * a(row.origin, j);
      M(j, n + k) = gj;                   // Gᵀ
      M(n + k, j) = row.lambda * gj;      // D(λ) G
      gx += gj * x[j];
    }
    M(n + k, n + k) = gx - row.sign * row.bound;  // D(Gx − h)
  }
  for (int e = 0; e < ne; ++e)
    for (int j = 0; j < n; ++j) {
      M(j, n + ni + e) = a(eq[e], j);
      M(n + ni + e, j) = a(eq[e], j);
    }

  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(N);
  for (int j = 0; j < n; ++j) rhs(j) = dl_dx[j];
  if (dl_dy) {
    for (int k = 0; k < ni; ++k) rhs(n + k) = ineq[k].sign * (*dl_dy)[ineq[k].origin];  // y = λ_u − λ_l
    for (int e = 0; e < ne; ++e) rhs(n + ni + e) = (*dl_dy)[eq[e]];
  }

  FullKktGradient out;
  Eigen::FullPivLU<Eigen::MatrixXd> lu(M.transpose());
  out.nonsingular = lu.isInvertible();
  if (!out.nonsingular) return out;
  const Eigen::VectorXd sol = lu.solve(rhs);
  const Eigen::VectorXd ax = sol.head(n);

  out.dq.resize(n);
  out.dP.resize(static_cast<std::size_t>(n) * n);
  out.dA.assign(static_cast<std::size_t>(m) * n, 0.0);
  out.dl.assign(m, 0.0);
  out.du.assign(m, 0.0);
  for (int j = 0; j < n; ++j) out.dq[j] = -ax(j);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) out.dP[static_cast<std::size_t>(r) * n + c] = -0.5 * (ax(r) * x[c] + x[r] * ax(c));
  for (int k = 0; k < ni; ++k) {
    const Row& row = ineq[k];
    const double al = sol(n + k);
    for (int j = 0; j < n; ++j)  // ∂L/∂A_i = sign · ∂L/∂G_r
      out.dA[static_cast<std::size_t>(row.origin) * n + j] += row.sign * (-row.lambda * (ax(j) + al * x[j]));
    const double dh = row.lambda * al;  // ∂L/∂bound = sign · ∂L/∂h_r
    (row.sign > 0 ? out.du : out.dl)[row.origin] += row.sign * dh;
  }
  for (int e = 0; e < ne; ++e) {
    const int i = eq[e];
    const double an = sol(n + ni + e);
    for (int j = 0; j < n; ++j) out.dA[static_cast<std::size_t>(i) * n + j] += -y[i] * ax(j) - an * x[j];
    if (y[i] > 0) out.du[i] = an;
    else if (y[i] < 0) out.dl[i] = an;
    else out.dl[i] = out.du[i] = 0.5 * an;
  }
  return out;
}

}  // namespace bpqp::testing
