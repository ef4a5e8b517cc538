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
  std::vector<bool> in_cone(m, false);
  for (const ConeBlock& c : qp.cones)
    for (int r = 0; r < c.dim; ++r) in_cone[c.first_row + r] = true;
  for (int i = 0; i < m; ++i) {
    if (in_cone[i]) continue;
    if (qp.l[i] == qp.u[i] && finite(qp.l[i])) {
      eq.push_back(i);
      continue;
    }
    if (finite(qp.u[i])) ineq.push_back({i, 1.0, qp.u[i], std::max(y[i], 0.0)});
    if (finite(qp.l[i])) ineq.push_back({i, -1.0, qp.l[i], std::max(-y[i], 0.0)});
  }
  const int ni = static_cast<int>(ineq.size()), ne = static_cast<int>(eq.size());
  // Cone blocks, in their cones' coordinates (the rotated cone's pair mapped by T, T = Tᵀ = T⁻¹):
  // rows Â = T A_k, slack s = Âx − T l_k, multiplier μ = −T y_k ∈ Q. Their unknowns dμ follow
  // the box and equality rows'.
  struct Block {
    int first, dim;
    bool rotated;
    Eigen::MatrixXd A;   // dim × n
    Eigen::VectorXd s, mu;
  };
  auto rotate = [](Eigen::VectorXd& v) {
    const double a = v(0), b = v(1);
    v(0) = (a + b) / std::sqrt(2.0);
    v(1) = (a - b) / std::sqrt(2.0);
  };
  std::vector<Block> blocks;
  int nc = 0;
  for (const ConeBlock& c : qp.cones) {
    Block b{c.first_row, c.dim, c.kind == ConeKind::rotated_second_order, Eigen::MatrixXd(c.dim, n),
            Eigen::VectorXd(c.dim), Eigen::VectorXd(c.dim)};
    for (int r = 0; r < c.dim; ++r) {
      double ax = 0;
      for (int j = 0; j < n; ++j) {
        b.A(r, j) = a(c.first_row + r, j);
        ax += b.A(r, j) * x[j];
      }
      b.s(r) = ax - qp.l[c.first_row + r];
      b.mu(r) = -y[c.first_row + r];
    }
    if (b.rotated) {
      for (int j = 0; j < n; ++j) {
        Eigen::VectorXd col = b.A.col(j).head(2);
        rotate(col);
        b.A.col(j).head(2) = col;
      }
      Eigen::VectorXd head = b.s.head(2);
      rotate(head);
      b.s.head(2) = head;
      head = b.mu.head(2);
      rotate(head);
      b.mu.head(2) = head;
    }
    nc += c.dim;
    blocks.push_back(std::move(b));
  }
  // The arrow matrix L(v) = [v₀ v̄ᵀ; v̄ v₀I]: v ∘ w = L(v) w is the Jordan product of Q.
  auto arrow = [](const Eigen::VectorXd& v) {
    const int d = static_cast<int>(v.size());
    Eigen::MatrixXd L = v(0) * Eigen::MatrixXd::Identity(d, d);
    L.row(0).tail(d - 1) = v.tail(d - 1).transpose();
    L.col(0).tail(d - 1) = v.tail(d - 1);
    return L;
  };
  const int N = n + ni + ne + nc;

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

  // A block's rows: stationarity gets −Âᵀdμ; complementarity s ∘ μ = 0 differentiates to
  // L(μ)Â dx + L(s) dμ = −L(μ)(dÂ x − dl̂) (the conic form of OptNet's D(λ)(Gx − h) rows).
  int at = n + ni + ne;
  for (const Block& b : blocks) {
    const Eigen::MatrixXd Lmu = arrow(b.mu);
    M.block(0, at, n, b.dim) = -b.A.transpose();
    M.block(at, 0, b.dim, n) = Lmu * b.A;
    M.block(at, at, b.dim, b.dim) = arrow(b.s);
    at += b.dim;
  }

  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(N);
  for (int j = 0; j < n; ++j) rhs(j) = dl_dx[j];
  if (dl_dy) {
    for (int k = 0; k < ni; ++k) rhs(n + k) = ineq[k].sign * (*dl_dy)[ineq[k].origin];  // y = λ_u − λ_l
    for (int e = 0; e < ne; ++e) rhs(n + ni + e) = (*dl_dy)[eq[e]];
    at = n + ni + ne;
    for (const Block& b : blocks) {  // y = −T μ: ∂L/∂μ = −T·∂L/∂y
      Eigen::VectorXd h(b.dim);
      for (int r = 0; r < b.dim; ++r) h(r) = (*dl_dy)[b.first + r];
      if (b.rotated) rotate(h);
      rhs.segment(at, b.dim) = -h;
      at += b.dim;
    }
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
  // dL = −aᵀ(data terms): ∂L/∂Â = μ a_xᵀ − (L(μ)a_μ) xᵀ, ∂L/∂l̂ = L(μ)a_μ, mapped back by T.
  at = n + ni + ne;
  for (const Block& b : blocks) {
    Eigen::VectorXd w = arrow(b.mu) * sol.segment(at, b.dim);
    Eigen::VectorXd mu = b.mu;
    if (b.rotated) {
      rotate(w);
      rotate(mu);
    }
    for (int r = 0; r < b.dim; ++r) {
      const int i = b.first + r;
      for (int j = 0; j < n; ++j) out.dA[static_cast<std::size_t>(i) * n + j] = mu(r) * ax(j) - w(r) * x[j];
      out.dl[i] = w(r);
    }
    at += b.dim;
  }
  return out;
}

}  // namespace bpqp::testing
