// KKT certificates for a candidate solution (x, y) of a DenseQp (DESIGN.md §3):
// residuals measured and scaled as OSQP measures them, so that tests can hold a
// solver to its own eps_abs / eps_rel.
//
//   auto r = bpqp::testing::kkt_residuals(qp, x.data(), y.data());
//   EXPECT_TRUE(bpqp::testing::kkt_satisfied(r, 1e-6, 1e-6, 10.0));
#pragma once

#include <bpqp/dense_qp.hpp>

namespace bpqp::testing {

struct KktResiduals {
  double primal;           // ‖Ax − Π_[l,u](Ax)‖∞
  double dual;             // ‖Px + q + Aᵀy‖∞
  double complementarity;  // max_i of the sign-rule violation (see kkt_residuals)
  double primal_scale;     // max(‖Ax‖∞, ‖Π_[l,u](Ax)‖∞)
  double dual_scale;       // max(‖Px‖∞, ‖Aᵀy‖∞, ‖q‖∞)
};

// Residuals of (x, y), computed in double whatever T is (float or double).
// Complementarity: y_i > 0 is allowed only where A_i x = u_i and y_i < 0 only
// where A_i x = l_i, so row i contributes max(y_i,0)·|u_i − A_i x| and
// |min(y_i,0)|·|A_i x − l_i|. Where that bound is infinite there is nothing to
// be tight against and the row contributes |y_i| itself.
template <class T>
KktResiduals kkt_residuals(const DenseQp& qp, const T* x, const T* y);

// OSQP's stopping test (OSQP paper §3.4), optionally loosened by `factor`:
// primal <= factor·(eps_abs + eps_rel·primal_scale) and
// dual   <= factor·(eps_abs + eps_rel·dual_scale). Complementarity is not part of
// it (ADMM's iterates satisfy it by construction); check it separately.
bool kkt_satisfied(const KktResiduals& r, double eps_abs, double eps_rel, double factor = 1.0);

// ½xᵀPx + qᵀx + objective_constant.
double objective(const DenseQp& qp, const double* x);

extern template KktResiduals kkt_residuals<float>(const DenseQp&, const float*, const float*);
extern template KktResiduals kkt_residuals<double>(const DenseQp&, const double*, const double*);

}  // namespace bpqp::testing
