// Benchmark problem families: the documented sizes, determinism, well-formed
// data, and that each instance is feasible and bounded — the CPU solver reaches
// a KKT certificate and agrees with the independent interior-point reference.
#include "problems/benchmark_problems.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "support/kkt_certificate.hpp"
#include "support/promised_accuracy.hpp"
#include "support/reference_qp.hpp"
#include "support/solver_test_support.hpp"

namespace {

using bpqp::DenseQp;
using bpqp::generators::all_families;
using bpqp::generators::family_name;
using bpqp::generators::make_benchmark_problem;
using bpqp::generators::parse_family;
using bpqp::generators::ProblemFamily;
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Case {
  ProblemFamily family;
  int n;
  int m;
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
  return os << family_name(c.family) << "_n" << c.n << "_m" << c.m;
}

// Two small sizes per family (the OSQP families ignore m).
std::vector<Case> cases() {
  return {
      {ProblemFamily::random_qp, 10, 5},   {ProblemFamily::random_qp, 30, 10},
      {ProblemFamily::equality_qp, 10, 5}, {ProblemFamily::equality_qp, 30, 10},
      {ProblemFamily::random_lp, 10, 5},   {ProblemFamily::random_lp, 30, 10},
      {ProblemFamily::mixed_lp, 10, 5},    {ProblemFamily::mixed_lp, 30, 11},
      {ProblemFamily::portfolio, 8, 0},    {ProblemFamily::portfolio, 25, 0},
      {ProblemFamily::control, 2, 0},      {ProblemFamily::control, 4, 0},
      {ProblemFamily::lasso, 3, 0},        {ProblemFamily::lasso, 10, 0},
      {ProblemFamily::huber, 3, 0},        {ProblemFamily::huber, 8, 0},
      {ProblemFamily::svm, 3, 0},          {ProblemFamily::svm, 10, 0},
      {ProblemFamily::random_socp, 10, 5}, {ProblemFamily::random_socp, 30, 10},
  };
}

// (variables, rows) as benchmark_problems.hpp documents them.
std::pair<int, int> documented_size(const Case& c) {
  const int n = c.n, m = c.m;
  switch (c.family) {
    case ProblemFamily::random_qp:
    case ProblemFamily::equality_qp:
      return {n, m};
    case ProblemFamily::random_lp:
    case ProblemFamily::mixed_lp:
      return {n, m + n};
    case ProblemFamily::portfolio: {
      const int k = (n + 9) / 10;
      return {n + k, 1 + k + n};
    }
    case ProblemFamily::control: {
      const int nu = std::max(1, n / 2);
      return {11 * n + 10 * nu, 22 * n + 10 * nu};
    }
    case ProblemFamily::lasso:
      return {4 * n, 4 * n};
    case ProblemFamily::huber:
      return {7 * n, 6 * n};
    case ProblemFamily::svm:
      return {3 * n, 4 * n};
    case ProblemFamily::random_socp:
      return {n + 1, n + 1 + m};
  }
  return {-1, -1};
}

template <class V>
bool same_bits(const V& a, const V& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0;
}

bool same_problem_bits(const DenseQp& a, const DenseQp& b) {
  return a.n == b.n && a.m == b.m && same_bits(a.P, b.P) && same_bits(a.q, b.q) && same_bits(a.A, b.A) &&
         same_bits(a.l, b.l) && same_bits(a.u, b.u) && a.name == b.name;
}

class BenchmarkFamily : public ::testing::TestWithParam<Case> {
 protected:
  DenseQp make(std::uint64_t seed) const {
    return make_benchmark_problem(GetParam().family, GetParam().n, GetParam().m, seed);
  }
};

TEST_P(BenchmarkFamily, HasTheDocumentedDimensions) {
  const DenseQp qp = make(1);
  const auto [n, m] = documented_size(GetParam());
  EXPECT_EQ(qp.n, n);
  EXPECT_EQ(qp.m, m);
  EXPECT_EQ(qp.P.size(), static_cast<size_t>(n) * n);
  EXPECT_EQ(qp.q.size(), static_cast<size_t>(n));
  EXPECT_EQ(qp.A.size(), static_cast<size_t>(m) * n);
  EXPECT_EQ(qp.l.size(), static_cast<size_t>(m));
  EXPECT_EQ(qp.u.size(), static_cast<size_t>(m));
  EXPECT_EQ(qp.name.rfind(family_name(GetParam().family), 0), 0u) << qp.name;
}

TEST_P(BenchmarkFamily, SameSeedGivesIdenticalBitsAndOtherSeedsDiffer) {
  const DenseQp a = make(7);
  EXPECT_TRUE(same_problem_bits(a, make(7)));
  const DenseQp b = make(8);
  EXPECT_FALSE(same_bits(a.P, b.P) && same_bits(a.q, b.q) && same_bits(a.A, b.A) && same_bits(a.l, b.l) &&
               same_bits(a.u, b.u));
  EXPECT_NE(a.name, b.name);
}

TEST_P(BenchmarkFamily, PIsSymmetricPositiveSemidefiniteAndBoundsAreOrdered) {
  const DenseQp qp = make(3);
  const RowMajor P = Eigen::Map<const RowMajor>(qp.P.data(), qp.n, qp.n);
  EXPECT_EQ(P, P.transpose()) << "P must be exactly symmetric";
  EXPECT_TRUE(P.allFinite());
  if (P.norm() > 0) {
    const double smallest = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(Eigen::MatrixXd(P)).eigenvalues()(0);
    EXPECT_GE(smallest, -1e-12 * P.norm());
  }
  for (double v : qp.q) EXPECT_TRUE(std::isfinite(v));
  for (double v : qp.A) EXPECT_TRUE(std::isfinite(v));
  for (int i = 0; i < qp.m; ++i) {
    EXPECT_FALSE(std::isnan(qp.l[i]) || std::isnan(qp.u[i])) << "row " << i;
    EXPECT_LE(qp.l[i], qp.u[i]) << "row " << i;
    EXPECT_LT(qp.l[i], std::numeric_limits<double>::infinity()) << "row " << i;
    EXPECT_GT(qp.u[i], -std::numeric_limits<double>::infinity()) << "row " << i;
  }
}

// Feasible and bounded: ADMM (with polishing) certifies a KKT point to its own
// eps, and the interior-point reference, sharing no code with it, reaches the
// same optimal value. Where the solution is unique they also agree on x.
TEST_P(BenchmarkFamily, SolverCertifiesTheOptimumAndMatchesTheReference) {
  const std::vector<DenseQp> problems = {make(11), make(12)};
  bpqp::Solver<double> solver(bpqp::Executor::cpu());
  const auto batch = bpqp::QpBatch<double>::from_problems(problems);
  const auto r = solver.solve(batch.view());
  for (int b = 0; b < r.batch; ++b) {
    SCOPED_TRACE(problems[b].name);
    if (!problems[b].cones.empty()) {  // the reference interior point knows no cones: the certificate with them
      ASSERT_EQ(r.status[b], bpqp::SolveStatus::solved);
      EXPECT_EQ(r.polish[b], bpqp::PolishStatus::succeeded);
      const auto scales = bpqp::testing::certificate_scales(problems[b], bpqp::testing::inf_norm(r.x_of(b), r.n));
      const auto c = bpqp::testing::certify_optimality(problems[b], r.x_of(b), r.y_of(b), scales);
      EXPECT_LE(c.worst(), 1e-12) << c;
      continue;
    }
    const auto ref = bpqp::testing::reference_solve(problems[b]);
    ASSERT_TRUE(ref.converged && ref.polished);
    bpqp::testing::expect_answer_as_promised(problems[b], r, b, ref.x, ref.y);
  }
}

INSTANTIATE_TEST_SUITE_P(Families, BenchmarkFamily, ::testing::ValuesIn(cases()), [](const auto& info) {
  return std::string(family_name(info.param.family)) + "_n" + std::to_string(info.param.n);
});

TEST(BenchmarkProblems, RandomQpIsThePaperRandomQp) {
  const DenseQp a = make_benchmark_problem(ProblemFamily::random_qp, 20, 8, 5);
  EXPECT_TRUE(same_problem_bits(a, bpqp::generators::make_random_feasible_qp(20, 8, 5)));
}

TEST(BenchmarkProblems, EqualityQpRowsAreAllEqualities) {
  const DenseQp qp = make_benchmark_problem(ProblemFamily::equality_qp, 12, 7, 2);
  EXPECT_EQ(qp.l, qp.u);
  const RowMajor A = Eigen::Map<const RowMajor>(qp.A.data(), qp.m, qp.n);
  EXPECT_EQ(Eigen::FullPivLU<Eigen::MatrixXd>(A).rank(), 7) << "full row rank";
}

TEST(BenchmarkProblems, RandomLpHasZeroPEqualitiesThenTheUnitBox) {
  const int n = 12, m = 4;
  const DenseQp qp = make_benchmark_problem(ProblemFamily::random_lp, n, m, 2);
  for (double v : qp.P) EXPECT_EQ(v, 0.0);
  for (int i = 0; i < m; ++i) EXPECT_EQ(qp.l[i], qp.u[i]);
  for (int j = 0; j < n; ++j) {
    EXPECT_EQ(qp.l[m + j], 0.0);
    EXPECT_EQ(qp.u[m + j], 1.0);
    for (int c = 0; c < n; ++c) EXPECT_EQ(qp.A[static_cast<size_t>(m + j) * n + c], c == j ? 1.0 : 0.0);
  }
}

TEST(BenchmarkProblems, MixedLpHasEqualitiesInequalitiesAndBoxedOrOneSidedVariables) {
  const int n = 40, m = 9;
  const DenseQp qp = make_benchmark_problem(ProblemFamily::mixed_lp, n, m, 3);
  for (double v : qp.P) EXPECT_EQ(v, 0.0);
  const RowMajor A = Eigen::Map<const RowMajor>(qp.A.data(), qp.m, qp.n);
  double smallest_row = kInf, largest_row = 0.0;
  for (int i = 0; i < m; ++i) {
    EXPECT_EQ(qp.l[i] == qp.u[i], i < 5) << "row " << i << ": the first ⌈m/2⌉ rows are the equalities";
    if (i >= 5) EXPECT_EQ(qp.l[i], -kInf);
    smallest_row = std::min(smallest_row, A.row(i).norm());
    largest_row = std::max(largest_row, A.row(i).norm());
  }
  EXPECT_GT(largest_row / smallest_row, 10.0) << "rows scaled over decades";
  int one_sided = 0;
  for (int j = 0; j < n; ++j) {
    EXPECT_EQ(qp.l[m + j], 0.0);
    for (int c = 0; c < n; ++c) EXPECT_EQ(A(m + j, c), c == j ? 1.0 : 0.0);
    if (std::isinf(qp.u[m + j])) {
      ++one_sided;
      EXPECT_GT(qp.q[j], 0.0) << "a one-sided variable's cost keeps the LP bounded";
    } else {
      EXPECT_GE(qp.u[m + j], 0.5);
      EXPECT_LT(qp.u[m + j], 2.0);
    }
  }
  EXPECT_GT(one_sided, 0);
  EXPECT_LT(one_sided, n);
}

TEST(BenchmarkProblems, OsqpFamiliesIgnoreM) {
  for (ProblemFamily f : {ProblemFamily::portfolio, ProblemFamily::control, ProblemFamily::lasso,
                          ProblemFamily::huber, ProblemFamily::svm}) {
    SCOPED_TRACE(family_name(f));
    EXPECT_TRUE(same_problem_bits(make_benchmark_problem(f, 4, 0, 9), make_benchmark_problem(f, 4, 50, 9)));
  }
}

TEST(BenchmarkProblems, RejectsInvalidSizesNamingTheArgument) {
  auto message_of = [](ProblemFamily f, int n, int m) -> std::string {
    try {
      make_benchmark_problem(f, n, m, 1);
    } catch (const bpqp::InvalidArgument& e) {
      return e.what();
    }
    return "(no exception)";
  };
  for (ProblemFamily f : all_families()) {
    SCOPED_TRACE(family_name(f));
    EXPECT_NE(message_of(f, 0, 0).find("n must be >= 1"), std::string::npos);
    EXPECT_NE(message_of(f, 5, -1).find("m must be >= 0"), std::string::npos);
  }
  EXPECT_NE(message_of(ProblemFamily::equality_qp, 5, 5).find("m must be < n"), std::string::npos);
  EXPECT_NE(message_of(ProblemFamily::random_lp, 5, 6).find("m must be < n"), std::string::npos);
  EXPECT_NE(message_of(ProblemFamily::mixed_lp, 5, 5).find("m must be < n"), std::string::npos);
  EXPECT_NE(message_of(ProblemFamily::random_socp, 5, 0).find("m must be >= 1"), std::string::npos);
}

TEST(BenchmarkProblems, RandomSocpIsTheNormBallWithLinearRowsOnItsAuxiliary) {
  const int n = 6, m = 3;
  const DenseQp qp = make_benchmark_problem(ProblemFamily::random_socp, n, m, 4);
  ASSERT_EQ(qp.cones.size(), 1u);
  EXPECT_EQ(qp.cones[0].first_row, 0);
  EXPECT_EQ(qp.cones[0].dim, n + 1);
  for (double v : qp.P) EXPECT_EQ(v, 0.0);
  EXPECT_EQ(qp.q[n], 0.0) << "no cost on t";
  EXPECT_EQ(qp.A[n], 1.0) << "the block's first row is t";
  for (int i = 0; i < m; ++i) {
    const int row = n + 1 + i;
    double norm = 0;
    for (int j = 0; j < n; ++j) norm += qp.A[static_cast<size_t>(row) * (n + 1) + j] * qp.A[static_cast<size_t>(row) * (n + 1) + j];
    EXPECT_LE(std::sqrt(norm), 0.9 + 1e-12) << "a_" << i << " keeps z bounded";
    EXPECT_EQ(qp.A[static_cast<size_t>(row) * (n + 1) + n], 1.0);
    EXPECT_GE(qp.u[row], 1.0);
    EXPECT_EQ(qp.l[row], -kInf);
  }
}

TEST(BenchmarkProblems, ParseFamilyRoundTripsEveryNameAndRejectsUnknownOnes) {
  const std::vector<ProblemFamily> families = all_families();
  ASSERT_EQ(families.size(), 10u);
  std::vector<std::string> names;
  for (ProblemFamily f : families) {
    names.push_back(family_name(f));
    EXPECT_EQ(parse_family(family_name(f)), f);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"random_qp", "equality_qp", "random_lp", "mixed_lp", "portfolio",
                                             "control", "lasso", "huber", "svm", "random_socp"}));
  try {
    parse_family("Lasso");
    FAIL() << "parse_family accepted an unknown name";
  } catch (const bpqp::InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'Lasso'"), std::string::npos) << what;
    for (const std::string& name : names) EXPECT_NE(what.find(name), std::string::npos) << what;
  }
}

}  // namespace
