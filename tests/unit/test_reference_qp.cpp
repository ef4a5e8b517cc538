// The reference interior-point solver against planted solutions and KKT
// certificates, and the certificate itself on hand-computed cases.
#include "support/reference_qp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "problems/problem_generators.hpp"

#include "support/kkt_certificate.hpp"

namespace {

using bpqp::DenseQp;
using bpqp::generators::PlantedOptions;
using bpqp::generators::PlantedQp;
using bpqp::testing::kkt_residuals;
using bpqp::testing::kkt_satisfied;
using bpqp::testing::reference_solve;
using bpqp::testing::ReferenceSolution;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ‖a − b‖∞ / max(1, ‖b‖∞).
double relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  double diff = 0.0, scale = 1.0;
  for (size_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return diff / scale;
}

struct PlantedCase {
  std::string name;
  PlantedOptions options;
  bool lp_vertex = false;  // build with make_planted_lp(options.n, options.m - options.n, seed)
};

std::ostream& operator<<(std::ostream& os, const PlantedCase& c) { return os << c.name; }

PlantedOptions with(int n, int m, int n_equality, int n_active, int n_variable_bounds, int p_rank, bool lp,
                    std::uint64_t seed) {
  PlantedOptions o;
  o.n = n;
  o.m = m;
  o.n_equality = n_equality;
  o.n_active = n_active;
  o.n_variable_bounds = n_variable_bounds;
  o.p_rank = p_rank;
  o.lp = lp;
  o.seed = seed;
  return o;
}

PlantedQp build(const PlantedCase& c) {
  if (c.lp_vertex) return bpqp::generators::make_planted_lp(c.options.n, c.options.m - c.options.n, c.options.seed);
  return bpqp::generators::make_planted_qp(c.options);
}

std::vector<PlantedCase> planted_cases() {
  std::vector<PlantedCase> cases = {
      {"Default", PlantedOptions{}},
      {"Equalities", with(20, 12, 6, 0, 0, -1, false, 21)},
      {"EqualitiesAndInequalities", with(30, 25, 5, 12, 0, -1, false, 22)},
      {"VariableBounds", with(30, 10, 0, 15, 30, -1, false, 23)},
      {"AllFiniteBounds", with(25, 30, 3, 10, 25, -1, false, 24)},
      {"LowRankP", with(40, 30, 5, 20, 10, 20, false, 25)},
      {"LowRankPNoSlack", with(30, 20, 5, 15, 0, 10, false, 26)},
      {"LpThroughOptions", with(20, 25, 4, 16, 10, -1, true, 27)},
      {"LpVertex", with(40, 70, 0, 40, 0, -1, true, 28), true},
      {"NoConstraints", with(12, 0, 0, 0, 0, -1, false, 29)},
      {"LargeQp", with(200, 150, 20, 100, 200, -1, false, 30)},
      {"LargeLowRankQp", with(200, 200, 20, 140, 0, 60, false, 31)},
      {"LargeLpVertex", with(200, 300, 0, 200, 0, -1, true, 32), true},
  };
  cases[4].options.infinite_bounds = false;
  return cases;
}

class ReferenceOnPlanted : public ::testing::TestWithParam<PlantedCase> {};

TEST_P(ReferenceOnPlanted, RecoversPlantedSolution) {
  const PlantedQp p = build(GetParam());
  const ReferenceSolution s = reference_solve(p.qp);
  ASSERT_TRUE(s.converged) << "after " << s.iterations << " iterations";
  EXPECT_LE(relative_error(s.x, p.x_star), 1e-7);
  EXPECT_LE(relative_error(s.y, p.y_star), 1e-7);
  const double f_star = bpqp::testing::objective(p.qp, p.x_star.data());
  EXPECT_NEAR(s.objective, f_star, 1e-9 * (1.0 + std::abs(f_star)));
}

INSTANTIATE_TEST_SUITE_P(Planted, ReferenceOnPlanted, ::testing::ValuesIn(planted_cases()),
                         [](const auto& info) { return info.param.name; });

// Without the active-set finish: the interior point's own answer, accurate to
// tol × cond. 1e-7 holds on the well-conditioned cases (full-rank P, vertices);
// the square low-rank cases are left to the finish.
class InteriorPointAlone : public ::testing::TestWithParam<PlantedCase> {};

std::vector<PlantedCase> well_conditioned_cases() {
  std::vector<PlantedCase> cases;
  for (const PlantedCase& c : planted_cases())
    if (c.options.p_rank < 0) cases.push_back(c);
  return cases;
}

TEST_P(InteriorPointAlone, IsAccurateOnWellConditionedPlantedProblems) {
  const PlantedQp p = build(GetParam());
  const ReferenceSolution s = reference_solve(p.qp, 1e-10, /*active_set_finish=*/false);
  ASSERT_TRUE(s.converged);
  EXPECT_FALSE(s.polished);
  EXPECT_LE(relative_error(s.x, p.x_star), 1e-7);
  EXPECT_LE(relative_error(s.y, p.y_star), 1e-7);
}

INSTANTIATE_TEST_SUITE_P(Planted, InteriorPointAlone, ::testing::ValuesIn(well_conditioned_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(ReferenceQp, RecoversPlantedSolutionsAcrossSeeds) {
  for (std::uint64_t seed = 100; seed < 120; ++seed) {
    const PlantedQp p = bpqp::generators::make_planted_qp(with(25, 20, 4, 12, 25, seed % 2 ? 15 : -1, false, seed));
    const ReferenceSolution s = reference_solve(p.qp);
    ASSERT_TRUE(s.converged) << "seed " << seed;
    EXPECT_LE(relative_error(s.x, p.x_star), 1e-7) << "seed " << seed;
    EXPECT_LE(relative_error(s.y, p.y_star), 1e-7) << "seed " << seed;
  }
}

// The papers' benchmark sizes; the solution is not known, so the certificate decides.
TEST(ReferenceQp, SolvesRandomFeasibleQpsToKktAccuracy) {
  const std::vector<std::pair<int, int>> sizes = {{10, 5}, {50, 10}, {100, 20}, {200, 60}};
  for (const auto& [n, m] : sizes) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      const DenseQp qp = bpqp::generators::make_random_feasible_qp(n, m, seed);
      const ReferenceSolution s = reference_solve(qp);
      ASSERT_TRUE(s.converged) << n << "x" << m << " seed " << seed;
      const auto r = kkt_residuals(qp, s.x.data(), s.y.data());
      EXPECT_TRUE(kkt_satisfied(r, 1e-10, 1e-10))
          << n << "x" << m << " seed " << seed << ": primal " << r.primal << " dual " << r.dual;
      EXPECT_LE(r.complementarity, 1e-9 * (1.0 + r.dual_scale));
    }
  }
}

TEST(ReferenceQp, IgnoresFreeRows) {
  PlantedQp p = bpqp::generators::make_planted_qp(with(10, 6, 1, 4, 0, -1, false, 41));
  DenseQp& qp = p.qp;
  for (int j = 0; j < qp.n; ++j) qp.A.push_back(1.0 + j);  // a free row: no bound at all
  qp.l.push_back(-kInf);
  qp.u.push_back(kInf);
  qp.m += 1;
  const ReferenceSolution s = reference_solve(qp);
  ASSERT_TRUE(s.converged);
  EXPECT_EQ(s.y.back(), 0.0);
  EXPECT_LE(relative_error(s.x, p.x_star), 1e-7);
  EXPECT_LE(relative_error(std::vector<double>(s.y.begin(), s.y.end() - 1), p.y_star), 1e-7);
}

TEST(ReferenceQp, SolvesUnconstrainedProblem) {
  // P = [[2, 1], [1, 2]], q = [-1, -1]  =>  x = P⁻¹(1, 1) = (1/3, 1/3).
  DenseQp qp;
  qp.n = 2;
  qp.m = 0;
  qp.P = {2.0, 1.0, 1.0, 2.0};
  qp.q = {-1.0, -1.0};
  const ReferenceSolution s = reference_solve(qp);
  ASSERT_TRUE(s.converged);
  EXPECT_NEAR(s.x[0], 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.x[1], 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.objective, -1.0 / 3.0, 1e-12);
}

TEST(ReferenceQp, SignConventionOnOneDimensionalBounds) {
  // minimize ½x² − 3x, x <= 1: upper bound active, x + q + y = 0 => y = 2 > 0.
  DenseQp qp;
  qp.n = 1;
  qp.m = 1;
  qp.P = {1.0};
  qp.q = {-3.0};
  qp.A = {1.0};
  qp.l = {-kInf};
  qp.u = {1.0};
  ReferenceSolution s = reference_solve(qp);
  ASSERT_TRUE(s.converged);
  EXPECT_NEAR(s.x[0], 1.0, 1e-10);
  EXPECT_NEAR(s.y[0], 2.0, 1e-10);
  // The same with the row written as -x >= -1: a lower bound, y = -2 < 0.
  qp.A = {-1.0};
  qp.l = {-1.0};
  qp.u = {kInf};
  s = reference_solve(qp);
  ASSERT_TRUE(s.converged);
  EXPECT_NEAR(s.x[0], 1.0, 1e-10);
  EXPECT_NEAR(s.y[0], -2.0, 1e-10);
}

TEST(ReferenceQp, WeaklyActiveBoundStillConverges) {
  // minimize ½‖x − c‖² with c = (1, 2) on the bound x_0 <= 1: the bound is
  // active with zero multiplier (no strict complementarity).
  DenseQp qp;
  qp.n = 2;
  qp.m = 1;
  qp.P = {1.0, 0.0, 0.0, 1.0};
  qp.q = {-1.0, -2.0};
  qp.A = {1.0, 0.0};
  qp.l = {-kInf};
  qp.u = {1.0};
  const ReferenceSolution s = reference_solve(qp);
  ASSERT_TRUE(s.converged);
  EXPECT_NEAR(s.x[0], 1.0, 1e-8);
  EXPECT_NEAR(s.x[1], 2.0, 1e-8);
  EXPECT_NEAR(s.y[0], 0.0, 1e-8);
}

TEST(ReferenceQp, InfeasibleProblemDoesNotConverge) {
  // x >= 1 and x <= 0.
  DenseQp qp;
  qp.n = 1;
  qp.m = 2;
  qp.P = {1.0};
  qp.q = {0.0};
  qp.A = {1.0, 1.0};
  qp.l = {1.0, -kInf};
  qp.u = {kInf, 0.0};
  EXPECT_FALSE(reference_solve(qp).converged);
}

TEST(ReferenceQp, UnboundedLpDoesNotConverge) {
  // minimize −x0 subject to x0 >= 0 (and x1 in [0, 1]).
  DenseQp qp;
  qp.n = 2;
  qp.m = 2;
  qp.P = {0.0, 0.0, 0.0, 0.0};
  qp.q = {-1.0, 0.0};
  qp.A = {1.0, 0.0, 0.0, 1.0};
  qp.l = {0.0, 0.0};
  qp.u = {kInf, 1.0};
  EXPECT_FALSE(reference_solve(qp).converged);
}

// ---------------------------------------------------------------------------
// The certificate on a problem small enough to compute by hand:
//   P = diag(2, 0), q = (1, -1), A = [[1, 1], [1, 0]], l = (0, -inf), u = (1, 0.5).

DenseQp tiny_problem() {
  DenseQp qp;
  qp.n = 2;
  qp.m = 2;
  qp.P = {2.0, 0.0, 0.0, 0.0};
  qp.q = {1.0, -1.0};
  qp.A = {1.0, 1.0, 1.0, 0.0};
  qp.l = {0.0, -kInf};
  qp.u = {1.0, 0.5};
  qp.objective_constant = 0.25;
  return qp;
}

TEST(KktCertificate, MatchesHandComputedResiduals) {
  const DenseQp qp = tiny_problem();
  const double x[2] = {0.75, 0.5};  // Ax = (1.25, 0.75): 0.25 above both upper bounds
  const double y[2] = {0.5, -0.25};
  const auto r = kkt_residuals(qp, x, y);
  EXPECT_DOUBLE_EQ(r.primal, 0.25);
  // Px + q + Aᵀy = (1.5 + 1 + 0.25, 0 - 1 + 0.5) = (2.75, -0.5).
  EXPECT_DOUBLE_EQ(r.dual, 2.75);
  // Row 0: y > 0, |u − Ax| = 0.25 -> 0.125. Row 1: y < 0 with l = -inf -> |y| = 0.25.
  EXPECT_DOUBLE_EQ(r.complementarity, 0.25);
  EXPECT_DOUBLE_EQ(r.primal_scale, 1.25);                      // max(‖Ax‖, ‖Π(Ax)‖) = max(1.25, 1)
  EXPECT_DOUBLE_EQ(r.dual_scale, 1.5);                         // max(‖Px‖ = 1.5, ‖Aᵀy‖ = 0.5, ‖q‖ = 1)
  EXPECT_DOUBLE_EQ(bpqp::testing::objective(qp, x), 0.5625 + 0.75 - 0.5 + 0.25);
}

TEST(KktCertificate, AcceptsAnExactKktPointAndUsesOsqpTolerances) {
  // x = (-0.5, 1.5): Ax = (1, -0.5), row 0 at its upper bound with y_0 = 1,
  // row 1 inside with y_1 = 0; q = -Px - Aᵀy = (0, -1) makes it exact.
  DenseQp qp = tiny_problem();
  qp.q = {0.0, -1.0};
  const double x[2] = {-0.5, 1.5};
  const double y[2] = {1.0, 0.0};
  const auto r = kkt_residuals(qp, x, y);
  EXPECT_EQ(r.primal, 0.0);
  EXPECT_EQ(r.dual, 0.0);
  EXPECT_EQ(r.complementarity, 0.0);
  EXPECT_TRUE(kkt_satisfied(r, 0.0, 0.0));
  bpqp::testing::KktResiduals off = r;
  off.primal = 1e-3;  // primal_scale = 1: eps_abs + eps_rel = 2e-3 passes, 2e-4 fails
  EXPECT_TRUE(kkt_satisfied(off, 1e-3, 1e-3));
  EXPECT_FALSE(kkt_satisfied(off, 1e-4, 1e-4));
  EXPECT_TRUE(kkt_satisfied(off, 1e-4, 1e-4, /*factor=*/10.0));
}

TEST(KktCertificate, FloatAndDoubleAgree) {
  const PlantedQp p = bpqp::generators::make_planted_qp(with(12, 8, 2, 5, 4, -1, false, 51));
  std::vector<float> xf(p.x_star.begin(), p.x_star.end()), yf(p.y_star.begin(), p.y_star.end());
  const auto rd = kkt_residuals(p.qp, p.x_star.data(), p.y_star.data());
  const auto rf = kkt_residuals(p.qp, xf.data(), yf.data());
  EXPECT_TRUE(kkt_satisfied(rd, 0.0, 1e-12));
  EXPECT_TRUE(kkt_satisfied(rf, 1e-6, 1e-6));   // float rounding of x*, y*
  EXPECT_FALSE(kkt_satisfied(rf, 0.0, 1e-12));  // ... which the certificate does see
  EXPECT_NEAR(rf.dual_scale, rd.dual_scale, 1e-5 * rd.dual_scale);
}

TEST(KktCertificate, NanNeverPasses) {
  const DenseQp qp = tiny_problem();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double x[2] = {nan, 0.0};
  const double y[2] = {0.0, 0.0};
  const auto r = kkt_residuals(qp, x, y);
  EXPECT_FALSE(kkt_satisfied(r, 1e10, 1e10));
}

}  // namespace
