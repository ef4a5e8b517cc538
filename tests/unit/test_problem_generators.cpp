// Seeded generators: determinism, the planted KKT point, the declared row
// structure, and the uniqueness of the planted solution.
#include "problems/problem_generators.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <ostream>
#include "bpqp/errors.hpp"
#include <string>
#include <vector>

#include "support/kkt_certificate.hpp"

namespace {

using bpqp::DenseQp;
using bpqp::generators::make_planted_lp;
using bpqp::generators::make_planted_qp;
using bpqp::generators::make_random_feasible_qp;
using bpqp::generators::PlantedOptions;
using bpqp::generators::PlantedQp;
using bpqp::generators::RowKind;
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double row_times(const DenseQp& qp, int i, const std::vector<double>& x) {
  double s = 0.0;
  for (int j = 0; j < qp.n; ++j) s += qp.A[static_cast<size_t>(i) * qp.n + j] * x[j];
  return s;
}

bool same_problem(const DenseQp& a, const DenseQp& b) {
  return a.n == b.n && a.m == b.m && a.P == b.P && a.q == b.q && a.A == b.A && a.l == b.l && a.u == b.u &&
         a.objective_constant == b.objective_constant;
}

// Named configurations covering every kind of row and P.
struct Config {
  std::string name;
  PlantedOptions options;
};

std::ostream& operator<<(std::ostream& os, const Config& c) { return os << c.name; }

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

std::vector<Config> configs() {
  return {
      {"Default", PlantedOptions{}},
      {"EqualitiesAndInequalities", with(20, 15, 4, 8, 0, -1, false, 2)},
      {"VariableBounds", with(25, 10, 2, 12, 25, -1, false, 3)},
      {"LowRankP", with(30, 20, 5, 15, 10, 12, false, 4)},
      {"LowRankPNoSlack", with(30, 20, 5, 15, 0, 10, false, 5)},
      {"ZeroRankPFullyPinned", with(12, 12, 3, 9, 0, 0, false, 6)},
      {"LpWithEqualities", with(15, 20, 5, 10, 5, -1, true, 7)},
      {"NoConstraints", with(8, 0, 0, 0, 0, -1, false, 8)},
      {"Large", with(200, 150, 20, 100, 200, -1, false, 9)},
  };
}

class PlantedQpConfig : public ::testing::TestWithParam<Config> {};

TEST_P(PlantedQpConfig, HasTheRequestedShape) {
  const PlantedOptions& o = GetParam().options;
  const PlantedQp p = make_planted_qp(o);
  const int rows = o.m + o.n_variable_bounds;
  EXPECT_EQ(p.qp.n, o.n);
  EXPECT_EQ(p.qp.m, rows);
  EXPECT_EQ(p.qp.P.size(), static_cast<size_t>(o.n) * o.n);
  EXPECT_EQ(p.qp.A.size(), static_cast<size_t>(rows) * o.n);
  EXPECT_EQ(p.qp.q.size(), static_cast<size_t>(o.n));
  EXPECT_EQ(p.qp.l.size(), static_cast<size_t>(rows));
  EXPECT_EQ(p.qp.u.size(), static_cast<size_t>(rows));
  EXPECT_EQ(p.x_star.size(), static_cast<size_t>(o.n));
  EXPECT_EQ(p.y_star.size(), static_cast<size_t>(rows));
  EXPECT_EQ(p.row_kind.size(), static_cast<size_t>(rows));
  // The variable-bound rows are distinct unit rows e_jᵀ.
  std::vector<int> seen(o.n, 0);
  for (int i = o.m; i < rows; ++i) {
    int ones = 0;
    for (int j = 0; j < o.n; ++j) {
      const double a = p.qp.A[static_cast<size_t>(i) * o.n + j];
      EXPECT_TRUE(a == 0.0 || a == 1.0);
      if (a == 1.0) {
        ++ones;
        ++seen[j];
      }
    }
    EXPECT_EQ(ones, 1) << "row " << i;
  }
  for (int j = 0; j < o.n; ++j) EXPECT_LE(seen[j], 1) << "variable " << j;
}

TEST_P(PlantedQpConfig, PlantedPointSatisfiesKktToRoundoff) {
  const PlantedQp p = make_planted_qp(GetParam().options);
  const auto r = bpqp::testing::kkt_residuals(p.qp, p.x_star.data(), p.y_star.data());
  EXPECT_TRUE(bpqp::testing::kkt_satisfied(r, 0.0, 1e-12))
      << "primal " << r.primal << " dual " << r.dual << " scales " << r.primal_scale << " " << r.dual_scale;
  EXPECT_LE(r.complementarity, 1e-12 * (1.0 + r.primal_scale));
}

TEST_P(PlantedQpConfig, RowKindsMatchBoundsAndDualSigns) {
  const PlantedOptions& o = GetParam().options;
  const PlantedQp p = make_planted_qp(o);
  const double inf = std::numeric_limits<double>::infinity();
  int equalities = 0, lower = 0, upper = 0;
  for (int i = 0; i < p.qp.m; ++i) {
    const double a = row_times(p.qp, i, p.x_star);
    const double l = p.qp.l[i], u = p.qp.u[i], y = p.y_star[i];
    const double slack = 1e-12 * (1.0 + std::abs(a));  // rounding of A_i x*
    SCOPED_TRACE("row " + std::to_string(i));
    switch (p.row_kind[i]) {
      case RowKind::equality:
        ++equalities;
        EXPECT_LT(i, o.m) << "equalities are general rows";
        EXPECT_EQ(l, u);
        EXPECT_NEAR(u, a, slack);
        EXPECT_GE(std::abs(y), o.dual_min);
        break;
      case RowKind::active_upper:
        ++upper;
        EXPECT_NEAR(u, a, slack);
        EXPECT_TRUE(l == -inf || l <= a - o.margin + slack);
        EXPECT_GE(y, o.dual_min);
        break;
      case RowKind::active_lower:
        ++lower;
        EXPECT_NEAR(l, a, slack);
        EXPECT_TRUE(u == inf || u >= a + o.margin - slack);
        EXPECT_LE(y, -o.dual_min);
        break;
      case RowKind::inactive:
        EXPECT_EQ(y, 0.0);
        EXPECT_TRUE(l == -inf || l <= a - o.margin + slack);
        EXPECT_TRUE(u == inf || u >= a + o.margin - slack);
        break;
      default:
        ADD_FAILURE() << "unknown row kind " << p.row_kind[i];
    }
  }
  EXPECT_EQ(equalities, o.n_equality);
  EXPECT_EQ(lower + upper, o.n_active);
  if (o.n_active >= 2) {
    EXPECT_GT(lower, 0);
    EXPECT_GT(upper, 0);
  }
}

// x* is unique iff P is positive definite on null(A_T); y* iff A_T has full row
// rank (A_T: the tight rows). Checked here with Eigen's SVD, independently of
// the generator's own Householder check.
TEST_P(PlantedQpConfig, PlantedSolutionIsUnique) {
  const PlantedOptions& o = GetParam().options;
  const PlantedQp p = make_planted_qp(o);
  const int n = p.qp.n;
  const RowMajor A = Eigen::Map<const RowMajor>(p.qp.A.data(), p.qp.m, n);
  const Eigen::MatrixXd P = Eigen::Map<const RowMajor>(p.qp.P.data(), n, n);
  std::vector<int> tight;
  for (int i = 0; i < p.qp.m; ++i)
    if (p.row_kind[i] != RowKind::inactive) tight.push_back(i);
  const int k = static_cast<int>(tight.size());
  Eigen::MatrixXd AT(k, n);
  for (int r = 0; r < k; ++r) AT.row(r) = A.row(tight[r]);

  Eigen::MatrixXd Z = Eigen::MatrixXd::Identity(n, n);  // basis of null(A_T)
  if (k > 0) {
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(AT, Eigen::ComputeFullV);
    const auto sv = svd.singularValues();
    EXPECT_GT(sv(k - 1), 1e-6 * sv(0)) << "tight rows are (nearly) dependent";
    Z = svd.matrixV().rightCols(n - k);
  }
  if (k < n) {
    const Eigen::MatrixXd reduced = Z.transpose() * P * Z;
    const double smallest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(reduced).eigenvalues()(0);
    EXPECT_GT(smallest, 1e-10 * P.norm()) << "P is not positive definite on null(A_T)";
  }
}

TEST_P(PlantedQpConfig, SameSeedGivesIdenticalProblem) {
  const PlantedQp a = make_planted_qp(GetParam().options);
  const PlantedQp b = make_planted_qp(GetParam().options);
  EXPECT_TRUE(same_problem(a.qp, b.qp));
  EXPECT_EQ(a.x_star, b.x_star);
  EXPECT_EQ(a.y_star, b.y_star);
  EXPECT_EQ(a.row_kind, b.row_kind);
  EXPECT_EQ(a.qp.name, b.qp.name);
}

TEST_P(PlantedQpConfig, DifferentSeedsGiveDifferentProblems) {
  PlantedOptions o = GetParam().options;
  const PlantedQp a = make_planted_qp(o);
  o.seed += 1000;
  const PlantedQp b = make_planted_qp(o);
  EXPECT_NE(a.x_star, b.x_star);
  EXPECT_NE(a.qp.q, b.qp.q);
  EXPECT_FALSE(same_problem(a.qp, b.qp));
}

INSTANTIATE_TEST_SUITE_P(Configs, PlantedQpConfig, ::testing::ValuesIn(configs()),
                         [](const auto& info) { return info.param.name; });

TEST(PlantedQp, FullRankPIsPositiveDefiniteAndLowRankPHasTheRequestedRank) {
  for (int rank : {-1, 0, 4, 9}) {
    const PlantedQp p = make_planted_qp(with(9, 9, 2, 7, 0, rank, false, 11));
    const Eigen::MatrixXd P = Eigen::Map<const RowMajor>(p.qp.P.data(), 9, 9);
    EXPECT_EQ(P, P.transpose()) << "P must be exactly symmetric";
    const auto eig = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(P).eigenvalues();
    if (rank < 0) {
      EXPECT_GE(eig(0), 1e-2 * (1 - 1e-9)) << "full rank P carries the 1e-2 I shift";
    } else {
      Eigen::FullPivLU<Eigen::MatrixXd> lu(P);
      lu.setThreshold(1e-10);
      EXPECT_EQ(lu.rank(), rank);
      EXPECT_GE(eig(0), -1e-12) << "P must be positive semidefinite";
    }
  }
}

TEST(PlantedQp, FiniteBoundsOnlyWhenInfiniteBoundsAreOff) {
  PlantedOptions o = with(20, 40, 3, 10, 20, -1, false, 12);
  o.infinite_bounds = false;
  const PlantedQp finite = make_planted_qp(o);
  for (int i = 0; i < finite.qp.m; ++i) {
    EXPECT_TRUE(std::isfinite(finite.qp.l[i]));
    EXPECT_TRUE(std::isfinite(finite.qp.u[i]));
  }
  o.infinite_bounds = true;
  const PlantedQp mixed = make_planted_qp(o);
  int infinite = 0;
  for (int i = 0; i < mixed.qp.m; ++i) infinite += std::isinf(mixed.qp.l[i]) + std::isinf(mixed.qp.u[i]);
  EXPECT_GT(infinite, 0) << "60 rows with a 1/4 chance per non-active bound";
}

TEST(PlantedQp, MarginAndDualMinAreHonoured) {
  PlantedOptions o = with(15, 25, 2, 8, 15, -1, false, 13);
  o.margin = 3.0;
  o.dual_min = 2.0;
  const PlantedQp p = make_planted_qp(o);
  for (int i = 0; i < p.qp.m; ++i) {
    const double a = row_times(p.qp, i, p.x_star);
    const int kind = p.row_kind[i];
    if (kind != RowKind::inactive) {
      EXPECT_GE(std::abs(p.y_star[i]), 2.0);
    }
    if (kind != RowKind::active_lower && kind != RowKind::equality && std::isfinite(p.qp.l[i])) {
      EXPECT_LE(p.qp.l[i], a - 3.0 + 1e-12);
    }
    if (kind != RowKind::active_upper && kind != RowKind::equality && std::isfinite(p.qp.u[i])) {
      EXPECT_GE(p.qp.u[i], a + 3.0 - 1e-12);
    }
  }
}

TEST(PlantedQp, RejectsCountsThatCannotGiveAUniqueSolution) {
  EXPECT_THROW(make_planted_qp(with(5, 10, 2, 4, 0, -1, false, 1)), bpqp::InvalidArgument)
      << "n_equality + n_active > n";
  EXPECT_THROW(make_planted_qp(with(10, 10, 0, 5, 0, 4, false, 1)), bpqp::InvalidArgument)
      << "rank(P) + tight rows < n";
  EXPECT_THROW(make_planted_qp(with(10, 12, 0, 9, 0, -1, true, 1)), bpqp::InvalidArgument)
      << "an LP needs n tight rows";
  EXPECT_THROW(make_planted_qp(with(10, 3, 4, 0, 0, -1, false, 1)), bpqp::InvalidArgument) << "n_equality > m";
  EXPECT_THROW(make_planted_qp(with(10, 3, 0, 4, 0, -1, false, 1)), bpqp::InvalidArgument)
      << "more active rows than rows";
  EXPECT_THROW(make_planted_qp(with(10, 3, 0, 0, 11, -1, false, 1)), bpqp::InvalidArgument)
      << "n_variable_bounds > n";
  EXPECT_THROW(make_planted_qp(with(10, 3, 0, 0, 0, 11, false, 1)), bpqp::InvalidArgument) << "p_rank > n";
  PlantedOptions o;
  o.margin = 0.0;
  EXPECT_THROW(make_planted_qp(o), bpqp::InvalidArgument) << "margin must be positive";
  o = PlantedOptions{};
  o.dual_min = 0.0;
  EXPECT_THROW(make_planted_qp(o), bpqp::InvalidArgument) << "dual_min must be positive";
  EXPECT_THROW(make_planted_lp(5, -1, 1), bpqp::InvalidArgument);
}

TEST(PlantedLp, IsANonDegenerateVertexWithZeroP) {
  const PlantedQp p = make_planted_lp(20, 15, 3);
  EXPECT_EQ(p.qp.n, 20);
  EXPECT_EQ(p.qp.m, 35);
  for (double v : p.qp.P) EXPECT_EQ(v, 0.0);
  int active = 0;
  for (int i = 0; i < p.qp.m; ++i) {
    EXPECT_NE(p.row_kind[i], RowKind::equality);
    if (p.row_kind[i] != RowKind::inactive) {
      ++active;
      EXPECT_GE(std::abs(p.y_star[i]), 0.5);
    }
  }
  EXPECT_EQ(active, 20);
  const auto r = bpqp::testing::kkt_residuals(p.qp, p.x_star.data(), p.y_star.data());
  EXPECT_TRUE(bpqp::testing::kkt_satisfied(r, 0.0, 1e-12));
}

TEST(PlantedLp, SameSeedGivesIdenticalProblemAndOtherSeedsDiffer) {
  EXPECT_TRUE(same_problem(make_planted_lp(10, 5, 4).qp, make_planted_lp(10, 5, 4).qp));
  EXPECT_FALSE(same_problem(make_planted_lp(10, 5, 4).qp, make_planted_lp(10, 5, 5).qp));
}

TEST(RandomFeasibleQp, FollowsThePaperConstruction) {
  const DenseQp qp = make_random_feasible_qp(30, 12, 7);
  EXPECT_EQ(qp.n, 30);
  EXPECT_EQ(qp.m, 12);
  EXPECT_EQ(qp.P.size(), 900u);
  EXPECT_EQ(qp.A.size(), 360u);
  for (int i = 0; i < qp.m; ++i) {
    EXPECT_EQ(qp.l[i], -std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isfinite(qp.u[i]));
  }
  const Eigen::MatrixXd P = Eigen::Map<const RowMajor>(qp.P.data(), 30, 30);
  EXPECT_EQ(P, P.transpose());
  EXPECT_GE(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(P).eigenvalues()(0), 1e-2 * (1 - 1e-9));
}

TEST(RandomFeasibleQp, SameSeedGivesIdenticalProblemAndOtherSeedsDiffer) {
  EXPECT_TRUE(same_problem(make_random_feasible_qp(10, 5, 1), make_random_feasible_qp(10, 5, 1)));
  EXPECT_FALSE(same_problem(make_random_feasible_qp(10, 5, 1), make_random_feasible_qp(10, 5, 2)));
}

TEST(RandomFeasibleQp, RejectsInvalidSizes) {
  EXPECT_THROW(make_random_feasible_qp(0, 5, 1), bpqp::InvalidArgument);
  EXPECT_THROW(make_random_feasible_qp(5, -1, 1), bpqp::InvalidArgument);
}

}  // namespace
