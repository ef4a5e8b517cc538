#include "support/kkt_certificate.hpp"

#include <algorithm>
#include <cmath>
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

}  // namespace bpqp::testing
