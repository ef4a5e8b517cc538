#include "support/kkt_certificate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>
#include <vector>

namespace bpqp::testing {
namespace {

double row_dot(const std::vector<double>& M, int row, int n, const std::vector<double>& v) {
  double s = 0.0;
  for (int j = 0; j < n; ++j) s += M[static_cast<size_t>(row) * n + j] * v[j];
  return s;
}

// max that propagates NaN (std::max drops a NaN second argument), so that a
// NaN anywhere in x or y can never pass as a small residual.
double worst(double a, double b) { return (std::isnan(b) || b > a) ? b : a; }

double inf_norm(const std::vector<double>& v) {
  double r = 0.0;
  for (double e : v) r = worst(r, std::abs(e));
  return r;
}

// Violation of the sign rule for one row; an infinite bound cannot be tight.
double sign_rule_violation(double ax, double yi, double li, double ui) {
  double violation = 0.0;
  if (yi > 0.0) violation = std::isinf(ui) ? yi : yi * std::abs(ui - ax);
  if (yi < 0.0) violation = std::isinf(li) ? -yi : -yi * std::abs(ax - li);
  return violation;
}

}  // namespace

template <class T>
KktResiduals kkt_residuals(const DenseQp& qp, const T* x_in, const T* y_in) {
  const int n = qp.n;
  const int m = qp.m;
  const std::vector<double> x(x_in, x_in + n);
  const std::vector<double> y(y_in, y_in + m);

  std::vector<double> ax(m), projected(m), px(n), aty(n, 0.0);
  KktResiduals r{0.0, 0.0, 0.0, 0.0, 0.0};
  for (int i = 0; i < m; ++i) {
    ax[i] = row_dot(qp.A, i, n, x);
    projected[i] = std::min(std::max(ax[i], qp.l[i]), qp.u[i]);
    r.primal = worst(r.primal, std::abs(ax[i] - projected[i]));
    r.complementarity = worst(r.complementarity, sign_rule_violation(ax[i], y[i], qp.l[i], qp.u[i]));
    for (int j = 0; j < n; ++j) aty[j] += qp.A[static_cast<size_t>(i) * n + j] * y[i];
  }
  for (int j = 0; j < n; ++j) {
    px[j] = row_dot(qp.P, j, n, x);
    r.dual = worst(r.dual, std::abs(px[j] + qp.q[j] + aty[j]));
  }
  r.primal_scale = worst(inf_norm(ax), inf_norm(projected));
  r.dual_scale = worst(worst(inf_norm(px), inf_norm(aty)), inf_norm(qp.q));
  return r;
}

template KktResiduals kkt_residuals<float>(const DenseQp&, const float*, const float*);
template KktResiduals kkt_residuals<double>(const DenseQp&, const double*, const double*);

bool kkt_satisfied(const KktResiduals& r, double eps_abs, double eps_rel, double factor) {
  return r.primal <= factor * (eps_abs + eps_rel * r.primal_scale) &&
         r.dual <= factor * (eps_abs + eps_rel * r.dual_scale);
}

double objective(const DenseQp& qp, const double* x) {
  const int n = qp.n;
  double value = qp.objective_constant;
  for (int i = 0; i < n; ++i) {
    double pxi = 0.0;
    for (int j = 0; j < n; ++j) pxi += qp.P[static_cast<size_t>(i) * n + j] * x[j];
    value += x[i] * (0.5 * pxi + qp.q[i]);
  }
  return value;
}

namespace {

// The solver's convention (README): a bound of magnitude ≥ 1e20 is infinite.
bool finite_bound(double b) { return std::abs(b) < 1e20; }

double max_row_sum(const std::vector<double>& M, int rows, int cols) {
  double best = 0.0;
  for (int i = 0; i < rows; ++i) {
    double s = 0.0;
    for (int j = 0; j < cols; ++j) s += std::abs(M[static_cast<size_t>(i) * cols + j]);
    best = worst(best, s);
  }
  return best;
}

// Which rows belong to a cone block.
std::vector<bool> cone_rows(const DenseQp& qp) {
  std::vector<bool> in(qp.m, false);
  for (const ConeBlock& c : qp.cones)
    for (int r = 0; r < c.dim; ++r) in[c.first_row + r] = true;
  return in;
}

// v (a block's d entries, in the user's coordinates) in its cone's coordinates, where the
// cone is Q = {‖v̄‖ ≤ v₀}: the rotated cone's first pair mapped by ((a+b)/√2, (a−b)/√2).
std::vector<double> in_cone_coordinates(const ConeBlock& c, std::vector<double> v) {
  if (c.kind == ConeKind::rotated_second_order) {
    const double a = v[0], b = v[1];
    v[0] = (a + b) / std::sqrt(2.0);
    v[1] = (a - b) / std::sqrt(2.0);
  }
  return v;
}

double tail_norm(const std::vector<double>& v) {
  double s = 0.0;
  for (std::size_t r = 1; r < v.size(); ++r) s += v[r] * v[r];
  return std::sqrt(s);
}

// max(0, ‖v̄‖ − v₀): how far v is from Q (0 inside; a block of dim 1 is R₊).
double cone_violation(const std::vector<double>& v) { return std::max(tail_norm(v) - v[0], 0.0); }

}  // namespace

CertificateScales certificate_scales(const DenseQp& qp, double x_bound) {
  double bounds = 0.0;
  for (int i = 0; i < qp.m; ++i) {
    if (finite_bound(qp.l[i])) bounds = worst(bounds, std::abs(qp.l[i]));
    if (finite_bound(qp.u[i])) bounds = worst(bounds, std::abs(qp.u[i]));
  }
  CertificateScales s;
  s.primal = 1.0 + worst(bounds, max_row_sum(qp.A, qp.m, qp.n) * x_bound);
  s.dual = 1.0 + worst(inf_norm(qp.q), max_row_sum(qp.P, qp.n, qp.n) * x_bound);
  s.gap = s.dual * (1.0 + qp.n * x_bound);
  return s;
}

template <class T>
OptimalityCertificate certify_optimality(const DenseQp& qp, const T* x_in, const T* y_in,
                                         const CertificateScales& scales) {
  const int n = qp.n, m = qp.m;
  const std::vector<double> x(x_in, x_in + n);
  const std::vector<double> y(y_in, y_in + m);
  OptimalityCertificate c;
  std::vector<double> stationarity(qp.q);  // Px + q + Aᵀy
  double xpx = 0.0, qx = 0.0, support = 0.0, explained = 0.0;
  for (int j = 0; j < n; ++j) {
    const double pxj = row_dot(qp.P, j, n, x);
    stationarity[j] += pxj;
    xpx += x[j] * pxj;
    qx += qp.q[j] * x[j];
  }
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<bool> in_cone = cone_rows(qp);
  for (int i = 0; i < m; ++i) {
    const double ax = row_dot(qp.A, i, n, x);
    if (in_cone[i]) {  // measured per block, below; its share of Aᵀy here
      for (int j = 0; j < n; ++j) stationarity[j] += qp.A[static_cast<size_t>(i) * n + j] * y[i];
      continue;
    }
    const double l = finite_bound(qp.l[i]) ? qp.l[i] : -inf;
    const double u = finite_bound(qp.u[i]) ? qp.u[i] : inf;
    const double violation = std::abs(ax - std::min(std::max(ax, l), u));
    c.primal = worst(c.primal, violation / scales.primal);
    if (!std::isnan(y[i])) explained += std::abs(y[i]) * violation;
    for (int j = 0; j < n; ++j) stationarity[j] += qp.A[static_cast<size_t>(i) * n + j] * y[i];
    double row = 0.0;
    if (y[i] > 0.0 || y[i] < 0.0) {
      const double bound = y[i] > 0.0 ? u : l;
      const double slack = std::isinf(bound) ? inf : std::max(std::abs(bound - ax), 0.0);
      row = std::min(std::abs(y[i]) / scales.dual, slack / scales.primal);
      // A multiplier on an infinite bound makes the dual objective −∞ however small it is; it
      // is charged once, as |y_i| / scales.dual, by the complementarity above, and its row
      // enters the gap at A_i x (no contribution), so that rounding-level y_i do not fail it.
      support += (std::isinf(bound) ? ax : bound) * y[i];
    } else if (std::isnan(y[i])) {
      row = y[i];
      support = y[i];
    }
    if (std::isnan(row) || row > c.complementarity) {
      c.complementarity = row;
      c.worst_row = i;
    }
  }
  // A cone block: s = A_k x − l_k ∈ K (primal), y_k ∈ −K (the multiplier's sign rule) and
  // s ⟂ y_k (complementarity, −yᵀs ≥ 0 for members, relative to both scales); its support
  // term is y_kᵀl_k, and ‖y_k‖·dist(s, K) is what the primal residual explains.
  for (const ConeBlock& cone : qp.cones) {
    std::vector<double> slack(cone.dim), mult(cone.dim);
    double y_norm = 0.0;
    for (int r = 0; r < cone.dim; ++r) {
      const int i = cone.first_row + r;
      slack[r] = row_dot(qp.A, i, n, x) - qp.l[i];
      mult[r] = y[i];
      y_norm = worst(y_norm, std::abs(y[i]));
      support += qp.l[i] * y[i];
    }
    slack = in_cone_coordinates(cone, slack);
    std::vector<double> minus_y = in_cone_coordinates(cone, mult);
    for (double& v : minus_y) v = -v;
    const double violation = cone_violation(slack);
    c.primal = worst(c.primal, violation / scales.primal);
    explained += y_norm * std::sqrt(static_cast<double>(cone.dim)) * violation;
    double product = 0.0;
    for (int r = 0; r < cone.dim; ++r) product += slack[r] * minus_y[r];
    // The product is measured against max(scales.dual, ‖y_k‖∞) rather than scales.dual alone, as
    // a box row's min(|y_i| / scales.dual, slack / scales.primal) is: a large multiplier (one of
    // many optimal ones at a degenerate point) on a slack at the primal tolerance is charged
    // that slack, not slack times its own size.
    const double y_scale = worst(scales.dual, y_norm);
    const double row = worst(cone_violation(minus_y) / scales.dual, std::abs(product) / (y_scale * scales.primal));
    if (std::isnan(row) || row > c.complementarity) {
      c.complementarity = row;
      c.worst_row = cone.first_row;
    }
  }
  c.dual = inf_norm(stationarity) / scales.dual;
  // gap = xᵀ(Px + q + Aᵀy) − Σ y_i (A_i x − b_i): the stationarity residual's share is within
  // scales.gap's reach; the rows' violations add up to Σ|y_i|·violation_i, which the primal
  // test has already judged (nearly dependent rows with ±800 multipliers make it 1e-4 of the
  // scale at a residual of 1e-5). What neither explains is a complementarity defect.
  c.gap = std::max(std::abs(xpx + qx + support) - explained, 0.0) / scales.gap;
  return c;
}

double OptimalityCertificate::worst() const {
  return bpqp::testing::worst(bpqp::testing::worst(primal, dual), bpqp::testing::worst(complementarity, gap));
}

std::ostream& operator<<(std::ostream& os, const OptimalityCertificate& c) {
  return os << "certificate: primal " << c.primal << ", dual " << c.dual << ", complementarity "
            << c.complementarity << " (row " << c.worst_row << "), gap " << c.gap;
}

template <class T>
double inf_norm(const T* v, int count) {
  double r = 0.0;
  for (int k = 0; k < count; ++k) r = worst(r, std::abs(double(v[k])));
  return r;
}

template OptimalityCertificate certify_optimality<float>(const DenseQp&, const float*, const float*,
                                                         const CertificateScales&);
template OptimalityCertificate certify_optimality<double>(const DenseQp&, const double*, const double*,
                                                          const CertificateScales&);
template double inf_norm<float>(const float*, int);
template double inf_norm<double>(const double*, int);

}  // namespace bpqp::testing
