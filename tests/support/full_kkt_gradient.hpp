// An independent "exact" backward for the tests (DESIGN.md §3): dense implicit
// differentiation of the FULL KKT system, every row included, with the
// complementarity rows D(λ)(Gx − h) = 0 of OptNet (Amos & Kolter 2017, eq. 6–8),
// solved by Eigen's full-pivoting LU. It shares nothing with kernels/backward.hpp:
// no active-set extraction, no reduced system, no regularization.
//
//   auto ref = bpqp::testing::full_kkt_gradient(qp, x, y, dl_dx);
//   ASSERT_TRUE(ref.nonsingular);   // ref.dq, ref.dP, … as bpqp::Gradients lays them out
#pragma once

#include <vector>

#include <bpqp/dense_qp.hpp>

namespace bpqp::testing {

struct FullKktGradient {
  bool nonsingular = false;  // the full differential KKT matrix is invertible (strict complementarity, LICQ, SOSC)
  std::vector<double> dP, dq, dA, dl, du;  // n·n, n, m·n, m, m
};

// The QP is rewritten as OptNet's  G x ≤ h (λ ≥ 0),  E x = b (ν):  a finite u_i gives
// the row a_i ≤ u_i with λ = max(y_i, 0), a finite l_i the row −a_i ≤ −l_i with
// λ = max(−y_i, 0), an equality row (l_i = u_i) the row a_i = l_i with ν = y_i. Then
//   M = [P Gᵀ Eᵀ; D(λ)G D(Gx − h) 0; E 0 0],  Mᵀ a = [∂L/∂x; ∂L/∂λ; ∂L/∂ν],
// where ∂L/∂λ and ∂L/∂ν follow from y = λ_u − λ_l + ν and dl_dy (may be null), and
//   ∂L/∂q = −a_x,  ∂L/∂P = −½(a_x xᵀ + x a_xᵀ),  ∂L/∂G_r = −λ_r(a_x + a_λr x),  ∂L/∂h_r = λ_r a_λr,
//   ∂L/∂E_e = −ν_e a_x − a_νe x,  ∂L/∂b_e = a_νe,
// mapped back to A, l, u. An equality row's ∂L/∂b goes to u when ν > 0, to l when
// ν < 0, half to each when ν = 0 (bpqp's documented convention).
// A cone block (qp.cones) enters whole, with no classification: in its cone's coordinates,
// slack s = Âx − l̂ ∈ Q and μ = −ŷ ∈ Q, its rows are the Jordan-product complementarity
// s ∘ μ = 0, differentiated to L(μ)Â dx + L(s) dμ = −L(μ)(dÂ x − dl̂) (L the arrow matrix), and
//   ∂L/∂Â = μ a_xᵀ − (L(μ)a_μ) xᵀ,  ∂L/∂l̂ = L(μ)a_μ,  ∂L/∂u = 0 on its rows.
FullKktGradient full_kkt_gradient(const DenseQp& qp, const std::vector<double>& x, const std::vector<double>& y,
                                  const std::vector<double>& dl_dx, const std::vector<double>* dl_dy = nullptr);

}  // namespace bpqp::testing
