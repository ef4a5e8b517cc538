// The optimality certificate of tests/support/kkt_certificate.hpp: it must accept exact answers
// and reject every kind of wrong one that the residual test alone lets through.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "problems/problem_generators.hpp"
#include "support/kkt_certificate.hpp"

namespace {

using bpqp::DenseQp;
using bpqp::testing::certificate_scales;
using bpqp::testing::certify_optimality;

constexpr double kInf = std::numeric_limits<double>::infinity();

// minimize ½x² subject to 1 ≤ x ≤ 3: x* = 1, y* = −1 (the lower bound pushes).
DenseQp one_variable() {
  DenseQp qp;
  qp.n = 1;
  qp.m = 1;
  qp.P = {1};
  qp.q = {0};
  qp.A = {1};
  qp.l = {1};
  qp.u = {3};
  return qp;
}

// minimize ½x² + q·x subject to A_i x ≥ l_i (no upper bounds).
DenseQp one_variable_lower_bounds(double q, const std::vector<double>& A, const std::vector<double>& l) {
  DenseQp qp;
  qp.n = 1;
  qp.m = static_cast<int>(A.size());
  qp.P = {1};
  qp.q = {q};
  qp.A = A;
  qp.l = l;
  qp.u.assign(A.size(), kInf);
  return qp;
}

double worst_of(const DenseQp& qp, const std::vector<double>& x, const std::vector<double>& y) {
  return certify_optimality(qp, x.data(), y.data(), certificate_scales(qp, 3.0)).worst();
}

TEST(OptimalityCertificate, AcceptsPlantedSolutions) {
  bpqp::generators::PlantedOptions o;
  o.n = 12;
  o.m = 9;
  o.n_equality = 2;
  o.n_active = 4;
  o.n_variable_bounds = 5;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    o.seed = seed;
    const auto p = bpqp::generators::make_planted_qp(o);
    double x_bound = 0;
    for (double v : p.x_star) x_bound = std::max(x_bound, std::abs(v));
    const auto c = certify_optimality(p.qp, p.x_star.data(), p.y_star.data(), certificate_scales(p.qp, x_bound));
    EXPECT_LE(c.worst(), 1e-14) << c;
  }
}

TEST(OptimalityCertificate, RejectsAFeasiblePointWhoseMadeUpMultiplierBalancesTheGradient) {
  const DenseQp qp = one_variable();
  // x = 2 is feasible and y = −2 makes Px + q + Aᵀy = 0: the residual test passes it ...
  const std::vector<double> x = {2}, y = {-2};
  const auto r = bpqp::testing::kkt_residuals(qp, x.data(), y.data());
  EXPECT_EQ(r.primal, 0.0);
  EXPECT_EQ(r.dual, 0.0);
  // ... but the multiplier pushes on a bound that is 1 away: not optimal.
  const auto c = certify_optimality(qp, x.data(), y.data(), certificate_scales(qp, 3.0));
  EXPECT_GT(c.complementarity, 0.1) << c;
  EXPECT_EQ(c.worst_row, 0);
  EXPECT_GT(c.gap, 0.1) << c;  // xᵀPx + qᵀx + lᵀy₋ = 4 − 2: the objectives differ
  EXPECT_LE(worst_of(qp, {1}, {-1}), 1e-16);  // the true answer
}

TEST(OptimalityCertificate, RejectsAMultiplierOfTheWrongSignOrOnAnInfiniteBound) {
  DenseQp qp = one_variable();
  // At x = 1 the lower bound is tight: y must be ≤ 0 there. y = +1 claims the upper bound 3.
  qp.q = {-2};  // makes y = +1 balance the gradient: 1 − 2 + 1 = 0
  EXPECT_GT(worst_of(qp, {1}, {1}), 0.1);
  // No upper bound at all: any y > 0 is wrong, however tight the row.
  qp.u = {kInf};
  EXPECT_GT(worst_of(qp, {1}, {1}), 0.1);
}

// A multiplier on an infinite bound is charged at its size: ½x² + x subject to x ≥ 1 and x ≥ 2
// has x* = 2, y* = (0, −3); y₀ = 1e-17 (pushing on row 0's absent upper bound, as a rounding
// residue of ADMM does) passes, y₀ = 0.5 fails even with y₁ rebalanced to keep stationarity.
TEST(OptimalityCertificate, ChargesAMultiplierOnAnInfiniteBoundAtItsSize) {
  const DenseQp qp = one_variable_lower_bounds(1, {1, 1}, {1, 2});
  EXPECT_LT(worst_of(qp, {2}, {0, -3}), 1e-15);
  EXPECT_LT(worst_of(qp, {2}, {1e-17, -3}), 1e-15);
  const auto c = certify_optimality(qp, std::vector<double>{2}.data(), std::vector<double>{0.5, -3.5}.data(),
                                    certificate_scales(qp, 3.0));
  EXPECT_GT(c.complementarity, 0.1) << c;
  EXPECT_EQ(c.worst_row, 0) << c;
}

// A degenerate point has unbounded optimal multipliers: x ≥ 1 and −x ≥ −1 pin x* = 1 and
// y = (−1 − t, −t) is optimal for every t ≥ 0. At t = 5000 with x 1e-10 off (a slack at the
// primal tolerance) the box rows are charged that slack, and so must the same rows written as
// one-dimensional cones be (|yᵀs| relative to y's own size, not to the data's dual scale);
// a moderate multiplier on a slack of 1 still fails as a cone.
TEST(OptimalityCertificate, ChargesALargeConeMultiplierOnATinySlackAsABoxRowIsCharged) {
  DenseQp qp = one_variable_lower_bounds(0, {1, -1}, {1, -1});
  const std::vector<double> x = {1 + 1e-10}, y = {-5001, -5000};
  const double as_box_rows = worst_of(qp, x, y);
  EXPECT_LT(as_box_rows, 1e-10);
  qp.cones = {{0, 1, bpqp::ConeKind::second_order}, {1, 1, bpqp::ConeKind::second_order}};
  EXPECT_LT(worst_of(qp, x, y), 1e-10);
  // x = 2 on the cone x − 1 ≥ 0 with y = −2 balancing the gradient: pushes on a slack of 1.
  qp = one_variable_lower_bounds(0, {1}, {1});
  qp.cones = {{0, 1, bpqp::ConeKind::second_order}};
  const auto c = certify_optimality(qp, std::vector<double>{2}.data(), std::vector<double>{-2}.data(),
                                    certificate_scales(qp, 3.0));
  EXPECT_GT(c.complementarity, 0.1) << c;
}

TEST(OptimalityCertificate, NaNNeverPasses) {
  const DenseQp qp = one_variable();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(worst_of(qp, {nan}, {-1}) <= 1.0);
  EXPECT_FALSE(worst_of(qp, {1}, {nan}) <= 1.0);
}

TEST(OptimalityCertificate, TreatsBoundsOfMagnitude1e20AsInfinite) {
  DenseQp qp = one_variable();
  qp.u = {1e20};  // the solver's convention: no upper bound
  EXPECT_GT(worst_of(qp, {1}, {1}), 0.1);
  EXPECT_LE(worst_of(qp, {1}, {-1}), 1e-16);
}

}  // namespace
