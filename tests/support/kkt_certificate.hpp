// KKT certificates for a candidate solution (x, y) of a DenseQp (DESIGN.md §3):
// residuals measured and scaled as OSQP measures them, so that tests can hold a
// solver to its own eps_abs / eps_rel.
//
//   auto r = bpqp::testing::kkt_residuals(qp, x.data(), y.data());
//   EXPECT_TRUE(bpqp::testing::kkt_satisfied(r, 1e-6, 1e-6, 10.0));
#pragma once

#include <iosfwd>

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
// it (ADMM's iterates satisfy it by construction). Its scales come from the answer itself,
// so a feasible point with a made-up y can pass it: hold a solver's answers to
// certify_optimality below instead (this one serves the reference solver's stopping rule).
bool kkt_satisfied(const KktResiduals& r, double eps_abs, double eps_rel, double factor = 1.0);

// ½xᵀPx + qᵀx + objective_constant.
double objective(const DenseQp& qp, const double* x);

// ---------------------------------------------------------------------------------------------
// Optimality certificate (KKT of a convex QP: sufficient as well as necessary). Unlike
// kkt_satisfied above, whose tolerance grows with ‖Px‖ and ‖Aᵀy‖ of the answer under test,
// every residual here is measured against scales taken from the problem's data and from a bound
// on ‖x*‖∞ that the caller knows independently of that answer (a planted x*, the reference
// solver's x), so that a feasible, non-optimal x with a made-up y cannot pass.
//
//   const auto scales = certificate_scales(qp, /*x_bound=*/inf_norm(planted.x_star));
//   const auto c = certify_optimality(qp, r.x_of(b), r.y_of(b), scales);
//   EXPECT_LE(c.worst(), 10 * eps) << c;

// Units: primal like the rows Ax (the bounds), dual like the cost gradient q.
struct CertificateScales {
  double primal;  // 1 + max(max finite |l_i|, |u_i|, ‖A‖∞·x_bound)     (‖A‖∞: largest row sum)
  double dual;    // 1 + max(‖q‖∞, ‖P‖∞·x_bound)
  double gap;     // dual·(1 + n·x_bound): the size of qᵀx, xᵀPx for any ‖x‖∞ ≤ x_bound
};

CertificateScales certificate_scales(const DenseQp& qp, double x_bound);

// Each entry is relative to its scale, so one tolerance (a multiple of eps) serves all.
struct OptimalityCertificate {
  double primal = 0;           // ‖Ax − Π_[l,u](Ax)‖∞ / scales.primal
  double dual = 0;             // ‖Px + q + Aᵀy‖∞ / scales.dual
  // Multiplier signs and complementarity in one measure: row i with y_i > 0 contributes
  // min(y_i / scales.dual, max(u_i − A_i x, 0) / scales.primal) (y_i / scales.dual when u_i is
  // infinite), and y_i < 0 the same against l_i. A multiplier pushing on a bound that is not
  // tight, or of the wrong sign, or on a row with no such bound, makes it large.
  double complementarity = 0;
  int worst_row = -1;          // the row that set complementarity (-1: none)
  // |xᵀPx + qᵀx + uᵀy₊ + lᵀy₋| / scales.gap: primal minus dual objective (y₊ = max(y, 0),
  // y₋ = min(y, 0)), less the Σ|y_i|·(row i's violation) that the primal residual explains;
  // a row whose y pushes on an infinite bound enters at A_i x instead (its multiplier is
  // charged by complementarity).
  // A cone block (include/bpqp/cones.hpp): primal is the distance of s = A_k x − l_k from K,
  // complementarity the larger of y_k's distance from −K (/ scales.dual) and |y_kᵀs| /
  // (max(scales.dual, ‖y_k‖∞)·scales.primal) (for dim 1, about a box row's measure), and the
  // gap's support term y_kᵀl_k.
  double gap = 0;
  double worst() const;        // the largest of the four (NaN if any is NaN)
};

template <class T>
OptimalityCertificate certify_optimality(const DenseQp& qp, const T* x, const T* y, const CertificateScales& scales);

std::ostream& operator<<(std::ostream& os, const OptimalityCertificate& c);

// ‖v‖∞ of the first `count` entries (NaN propagates).
template <class T>
double inf_norm(const T* v, int count);

extern template OptimalityCertificate certify_optimality<float>(const DenseQp&, const float*, const float*,
                                                                const CertificateScales&);
extern template OptimalityCertificate certify_optimality<double>(const DenseQp&, const double*, const double*,
                                                                 const CertificateScales&);
extern template double inf_norm<float>(const float*, int);
extern template double inf_norm<double>(const double*, int);

extern template KktResiduals kkt_residuals<float>(const DenseQp&, const float*, const float*);
extern template KktResiduals kkt_residuals<double>(const DenseQp&, const double*, const double*);

}  // namespace bpqp::testing
