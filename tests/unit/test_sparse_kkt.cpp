// The sparse quasi-definite KKT factorization against a dense LU of the same matrix: random
// patterns with empty rows and columns and diagonal entries missing from P, ρ spread over six
// decades, refactorization with new values on the analysed pattern, and the inertia check
// that refuses a P that is not positive semidefinite.
#include "cpu/sparse_kkt.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <random>
#include <vector>

#include "bpqp/csc_matrix.hpp"
#include "bpqp/errors.hpp"

namespace {

using bpqp::CscMatrix;
using bpqp::CscShape;
using bpqp::cpu::SparseKkt;

struct KktCase {
  int n, m;
  std::vector<double> P, A;  // dense row-major (P symmetric positive semidefinite)
  CscMatrix P_csc, A_csc;
};

// P = BᵀB for a sparse B (positive semidefinite, with zero columns when B has them), A sparse
// with some empty rows and columns.
KktCase make_case(int n, int m, double density, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(-1.0, 1.0), coin(0.0, 1.0);
  KktCase c{n, m, std::vector<double>(n * n, 0.0), std::vector<double>(m * n, 0.0), {}, {}};
  std::vector<double> B(n * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (j % 5 != 4 && coin(rng) < density) B[i * n + j] = value(rng);  // every fifth column of B empty
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k) c.P[i * n + j] += B[k * n + i] * B[k * n + j];
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      if (i % 7 != 3 && j % 6 != 2 && coin(rng) < density) c.A[i * n + j] = value(rng);
  c.P_csc = bpqp::dense_to_csc(c.P.data(), n, n, CscShape::upper_triangle);
  c.A_csc = bpqp::dense_to_csc(c.A.data(), m, n);
  return c;
}

// The dense K = [P + σI, Aᵀ; A, −diag(1/ρ)] solved by full-pivot LU.
Eigen::VectorXd dense_solve(const KktCase& c, double sigma, const std::vector<double>& rho, const Eigen::VectorXd& rhs) {
  const int size = c.n + c.m;
  Eigen::MatrixXd K = Eigen::MatrixXd::Zero(size, size);
  for (int i = 0; i < c.n; ++i)
    for (int j = 0; j < c.n; ++j) K(i, j) = c.P[i * c.n + j] + (i == j ? sigma : 0.0);
  for (int i = 0; i < c.m; ++i) {
    for (int j = 0; j < c.n; ++j) K(c.n + i, j) = K(j, c.n + i) = c.A[i * c.n + j];
    K(c.n + i, c.n + i) = -1.0 / rho[i];
  }
  return K.fullPivLu().solve(rhs);
}

// Solves with the sparse factor and returns the relative difference from the dense solve.
double relative_error(const SparseKkt& kkt, const KktCase& c, double sigma, const std::vector<double>& rho,
                      unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::VectorXd rhs(c.n + c.m);
  for (int i = 0; i < rhs.size(); ++i) rhs[i] = normal(rng);
  std::vector<double> x(rhs.data(), rhs.data() + c.n), y(rhs.data() + c.n, rhs.data() + rhs.size());
  kkt.solve(x.data(), y.data());
  const Eigen::VectorXd expected = dense_solve(c, sigma, rho, rhs);
  double err = 0.0;
  for (int j = 0; j < c.n; ++j) err = std::max(err, std::abs(x[j] - expected[j]));
  for (int i = 0; i < c.m; ++i) err = std::max(err, std::abs(y[i] - expected[c.n + i]));
  return err / std::max(1.0, expected.lpNorm<Eigen::Infinity>());
}

std::vector<double> spread_rho(int m, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> decades(-3.0, 3.0);
  std::vector<double> rho(m);
  for (double& r : rho) r = std::pow(10.0, decades(rng));
  return rho;
}

TEST(SparseKkt, SolvesAsTheDenseMatrixDoesAcrossSizesAndRho) {
  for (const auto& [n, m, density] : {std::tuple{1, 0, 1.0}, {5, 3, 0.5}, {30, 50, 0.1}, {120, 80, 0.03}}) {
    SCOPED_TRACE(::testing::Message() << n << "×" << m);
    const KktCase c = make_case(n, m, density, 10 + n);
    SparseKkt kkt(c.P_csc.pattern(), c.A_csc.pattern());
    EXPECT_EQ(kkt.n(), n);
    EXPECT_EQ(kkt.m(), m);
    const double sigma = 1e-6;
    const std::vector<double> rho = spread_rho(m, n);
    ASSERT_TRUE(kkt.factor(c.P_csc.values.data(), c.A_csc.values.data(), sigma, rho.data()));
    EXPECT_GE(kkt.factor_nonzeros(), n + m);
    EXPECT_LT(relative_error(kkt, c, sigma, rho, 1), 1e-9);
  }
}

TEST(SparseKkt, RefactorsNewValuesAndRhoOnTheAnalysedPattern) {
  KktCase c = make_case(40, 25, 0.15, 3);
  SparseKkt kkt(c.P_csc.pattern(), c.A_csc.pattern());
  const std::vector<double> rho = spread_rho(c.m, 4);
  ASSERT_TRUE(kkt.factor(c.P_csc.values.data(), c.A_csc.values.data(), 1e-6, rho.data()));
  // New values on the same pattern (P scaled, A shifted where it has entries), another ρ.
  for (double& v : c.P) v *= 3.0;
  for (double& v : c.A) v = v != 0.0 ? v + 0.25 : 0.0;
  std::vector<double> P_values = c.P_csc.values, A_values = c.A_csc.values;
  for (double& v : P_values) v *= 3.0;
  for (double& v : A_values) v += 0.25;
  const std::vector<double> rho2 = spread_rho(c.m, 5);
  ASSERT_TRUE(kkt.factor(P_values.data(), A_values.data(), 0.1, rho2.data()));
  EXPECT_LT(relative_error(kkt, c, 0.1, rho2, 2), 1e-9);
}

// P − (2 + |P_jj|)I with ρ = 0.1 leaves P + σI + AᵀρA indefinite: K has the wrong inertia,
// which some pivot shows in any ordering.
TEST(SparseKkt, RefusesAMatrixOfTheWrongInertiaAndNonPositiveRho) {
  const KktCase c = make_case(12, 6, 0.4, 7);
  SparseKkt kkt(c.P_csc.pattern(), c.A_csc.pattern());
  std::vector<double> rho(c.m, 0.1);
  std::vector<double> P_dense = c.P;
  for (int j = 0; j < c.n; ++j) P_dense[j * c.n + j] -= 2.0 + std::abs(P_dense[j * c.n + j]);
  const CscMatrix shifted = bpqp::dense_to_csc(P_dense.data(), c.n, c.n, CscShape::upper_triangle);
  SparseKkt indefinite(shifted.pattern(), c.A_csc.pattern());
  EXPECT_FALSE(indefinite.factor(shifted.values.data(), c.A_csc.values.data(), 1e-6, rho.data()));
  rho[2] = 0.0;
  EXPECT_FALSE(kkt.factor(c.P_csc.values.data(), c.A_csc.values.data(), 1e-6, rho.data()));
  rho[2] = std::nan("");
  EXPECT_FALSE(kkt.factor(c.P_csc.values.data(), c.A_csc.values.data(), 1e-6, rho.data()));
  rho[2] = 0.1;
  EXPECT_TRUE(kkt.factor(c.P_csc.values.data(), c.A_csc.values.data(), 1e-6, rho.data()));
}

// The dense blocks (K's LDLᵀ with the P block first) solve as the sparse LDLᵀ does, refactor
// on new values, and refuse what it refuses.
TEST(SparseKkt, DenseBlocksSolveAndRefuseAsTheSparseFactorDoes) {
  using bpqp::cpu::KktFactorization;
  for (const auto& [n, m, density] : {std::tuple{1, 0, 1.0}, {6, 0, 0.5}, {30, 50, 0.1}, {120, 80, 0.03}}) {
    SCOPED_TRACE(::testing::Message() << n << "×" << m);
    const KktCase c = make_case(n, m, density, 20 + n);
    SparseKkt kkt(c.P_csc.pattern(), c.A_csc.pattern(), KktFactorization::dense);
    ASSERT_TRUE(kkt.dense());
    const std::vector<double> rho = spread_rho(m, n + 1);
    ASSERT_TRUE(kkt.factor(c.P_csc.values.data(), c.A_csc.values.data(), 1e-6, rho.data()));
    EXPECT_EQ(kkt.factor_nonzeros(), n * (n + 1) / 2 + n * m + m * (m + 1) / 2);
    EXPECT_LT(relative_error(kkt, c, 1e-6, rho, 3), 1e-9);
    const std::vector<double> rho2 = spread_rho(m, n + 2);
    ASSERT_TRUE(kkt.factor(c.P_csc.values.data(), c.A_csc.values.data(), 0.1, rho2.data()));
    EXPECT_LT(relative_error(kkt, c, 0.1, rho2, 4), 1e-9);
  }
  const KktCase c = make_case(12, 6, 0.4, 7);
  std::vector<double> P_dense = c.P;
  for (int j = 0; j < c.n; ++j) P_dense[j * c.n + j] -= 2.0 + std::abs(P_dense[j * c.n + j]);
  const CscMatrix shifted = bpqp::dense_to_csc(P_dense.data(), c.n, c.n, CscShape::upper_triangle);
  std::vector<double> rho(c.m, 0.1);
  SparseKkt indefinite(shifted.pattern(), c.A_csc.pattern(), KktFactorization::dense);
  EXPECT_FALSE(indefinite.factor(shifted.values.data(), c.A_csc.values.data(), 1e-6, rho.data()));
  SparseKkt kkt(c.P_csc.pattern(), c.A_csc.pattern(), KktFactorization::dense);
  std::vector<double> P_nan = c.P_csc.values;
  P_nan[0] = std::nan("");
  EXPECT_FALSE(kkt.factor(P_nan.data(), c.A_csc.values.data(), 1e-6, rho.data()));
  rho[2] = 0.0;
  EXPECT_FALSE(kkt.factor(c.P_csc.values.data(), c.A_csc.values.data(), 1e-6, rho.data()));
}

// A subset of the rows in the parent's order (polishing's active set): it solves as the dense
// matrix does, fills no more than the parent, and a dense parent (no order to give) still
// yields a working factor. Misuse is an InvalidArgument.
TEST(SparseKkt, ARowSubsetFactoredInItsParentsOrder) {
  using bpqp::cpu::KktFactorization;
  const KktCase c = make_case(60, 90, 0.08, 21);
  const std::vector<int> rows = {0, 2, 3, 7, 8, 9, 15, 31, 32, 50, 61, 62, 88, 89};
  KktCase sub{c.n, static_cast<int>(rows.size()), c.P, {}, c.P_csc, {}};
  for (int i : rows) sub.A.insert(sub.A.end(), c.A.begin() + i * c.n, c.A.begin() + (i + 1) * c.n);
  sub.A_csc = bpqp::dense_to_csc(sub.A.data(), sub.m, sub.n);
  const std::vector<double> rho = spread_rho(c.m, 22), sub_rho = spread_rho(sub.m, 23);
  for (KktFactorization how : {KktFactorization::sparse, KktFactorization::dense}) {
    SCOPED_TRACE(how == KktFactorization::sparse ? "sparse parent" : "dense parent");
    SparseKkt parent(c.P_csc.pattern(), c.A_csc.pattern(), how);
    ASSERT_TRUE(parent.factor(c.P_csc.values.data(), c.A_csc.values.data(), 1e-6, rho.data()));
    SparseKkt child(sub.P_csc.pattern(), sub.A_csc.pattern(), parent, rows.data(), KktFactorization::sparse);
    EXPECT_EQ(child.m(), sub.m);
    ASSERT_TRUE(child.factor(sub.P_csc.values.data(), sub.A_csc.values.data(), 1e-6, sub_rho.data()));
    EXPECT_LT(relative_error(child, sub, 1e-6, sub_rho, 24), 1e-9);
    if (how == KktFactorization::sparse) EXPECT_LE(child.factor_nonzeros(), parent.factor_nonzeros());
  }
  SparseKkt parent(c.P_csc.pattern(), c.A_csc.pattern(), KktFactorization::sparse);
  std::vector<int> unordered = rows;
  std::swap(unordered[3], unordered[4]);
  EXPECT_THROW(SparseKkt(sub.P_csc.pattern(), sub.A_csc.pattern(), parent, unordered.data()), bpqp::InvalidArgument);
  std::vector<int> outside = rows;
  outside.back() = c.m;
  EXPECT_THROW(SparseKkt(sub.P_csc.pattern(), sub.A_csc.pattern(), parent, outside.data()), bpqp::InvalidArgument);
  const KktCase smaller = make_case(59, 14, 0.08, 25);
  EXPECT_THROW(SparseKkt(smaller.P_csc.pattern(), smaller.A_csc.pattern(), parent, rows.data()),
               bpqp::InvalidArgument);
}

// A fitting problem's KKT matrix: a few long data columns (each meets half of 300 rows) in a
// graph of short ones. Ordered with the long columns last (sparse_kkt.cpp, long_columns_last),
// the factor solves as the dense matrix does and has at most twice the entries of K below the
// diagonal plus the long columns' block (the order's acceptance bound; AMD's factor here is
// that small too, so this shows the bound holds, not which order was taken).
TEST(SparseKkt, LongDataColumnsSolveAndKeepTheFactorSmall) {
  const int features = 6, data = 300, n = features + data, m = data;
  std::mt19937 rng(31);
  std::uniform_real_distribution<double> value(-1.0, 1.0), coin(0.0, 1.0);
  KktCase c{n, m, std::vector<double>(n * n, 0.0), std::vector<double>(m * n, 0.0), {}, {}};
  for (int j = features; j < n; ++j) c.P[j * n + j] = 2.0;  // yᵀy on the residuals
  for (int i = 0; i < data; ++i) {
    for (int j = 0; j < features; ++j)
      if (coin(rng) < 0.5) c.A[i * n + j] = value(rng);
    c.A[i * n + features + i] = -1.0;  // A_d x − y = b
  }
  c.P_csc = bpqp::dense_to_csc(c.P.data(), n, n, CscShape::upper_triangle);
  c.A_csc = bpqp::dense_to_csc(c.A.data(), m, n);
  SparseKkt kkt(c.P_csc.pattern(), c.A_csc.pattern(), bpqp::cpu::KktFactorization::sparse);
  const std::vector<double> rho = spread_rho(m, 32);
  ASSERT_TRUE(kkt.factor(c.P_csc.values.data(), c.A_csc.values.data(), 1e-6, rho.data()));
  EXPECT_LT(relative_error(kkt, c, 1e-6, rho, 33), 1e-9);
  const long long strictly_lower = kkt.kkt_nonzeros() - (n + m);
  EXPECT_LE(kkt.factor_nonzeros() - (n + m), 2 * (strictly_lower + features * (features - 1) / 2));
}

// The automatic choice: a banded KKT stays sparse, a random one whose factor fills in goes dense.
TEST(SparseKkt, ChoosesDenseBlocksWhereTheFactorWouldFillIn) {
  const int n = 900, m = 300;
  std::vector<double> band(n * n, 0.0), rows(m * n, 0.0);
  for (int j = 0; j < n; ++j) {
    band[j * n + j] = 4.0;
    if (j + 1 < n) band[j * n + j + 1] = band[(j + 1) * n + j] = -1.0;
  }
  for (int i = 0; i < m; ++i) rows[i * n + 3 * i] = rows[i * n + 3 * i + 1] = 1.0;
  const CscMatrix P_band = bpqp::dense_to_csc(band.data(), n, n, CscShape::upper_triangle);
  const CscMatrix A_local = bpqp::dense_to_csc(rows.data(), m, n);
  EXPECT_FALSE(SparseKkt(P_band.pattern(), A_local.pattern()).dense());
  const KktCase random = make_case(n, m, 0.02, 31);
  SparseKkt filled(random.P_csc.pattern(), random.A_csc.pattern());
  EXPECT_TRUE(filled.dense());
  const std::vector<double> rho = spread_rho(m, 32);
  EXPECT_TRUE(filled.factor(random.P_csc.values.data(), random.A_csc.values.data(), 1e-6, rho.data()));
}

// The convexity check on a P whose factor fills in (factored dense): a diagonally dominant P
// with a random pattern is positive definite; one diagonal entry pulled below zero is not.
TEST(SparseKkt, PositiveSemidefiniteOnAFillingPattern) {
  const int n = 1100;
  std::mt19937 rng(41);
  std::uniform_real_distribution<double> value(-1.0, 1.0), coin(0.0, 1.0);
  std::vector<double> P(static_cast<std::size_t>(n) * n, 0.0), row_sum(n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j)
      if (coin(rng) < 0.01) {
        const double v = value(rng);
        P[i * n + j] = P[j * n + i] = v;
        row_sum[i] += std::abs(v);
        row_sum[j] += std::abs(v);
      }
  for (int i = 0; i < n; ++i) P[i * n + i] = row_sum[i] + 0.5;
  const CscMatrix convex = bpqp::dense_to_csc(P.data(), n, n, CscShape::upper_triangle);
  EXPECT_TRUE(SparseKkt(convex.pattern(), CscMatrix{0, n, std::vector<int>(n + 1, 0), {}, {}}.pattern()).dense());
  EXPECT_TRUE(bpqp::cpu::positive_semidefinite(convex.pattern(), convex.values.data(), 0.0));
  P[7 * n + 7] = -1.0;
  const CscMatrix bent = bpqp::dense_to_csc(P.data(), n, n, CscShape::upper_triangle);
  EXPECT_FALSE(bpqp::cpu::positive_semidefinite(bent.pattern(), bent.values.data(), 1e-8));
}

TEST(SparseKkt, PositiveSemidefiniteTellsConvexFromNonConvex) {
  const KktCase c = make_case(15, 0, 0.3, 9);  // BᵀB: semidefinite, singular (B has empty columns)
  EXPECT_TRUE(bpqp::cpu::positive_semidefinite(c.P_csc.pattern(), c.P_csc.values.data(), 1e-8));
  EXPECT_FALSE(bpqp::cpu::positive_semidefinite(c.P_csc.pattern(), c.P_csc.values.data(), 0.0));  // singular
  // One negative direction: P − 2·e₀e₀ᵀ·(1 + P_00).
  std::vector<double> P_dense = c.P;
  P_dense[0] -= 2.0 * (1.0 + P_dense[0]);
  const CscMatrix bent = bpqp::dense_to_csc(P_dense.data(), c.n, c.n, CscShape::upper_triangle);
  EXPECT_FALSE(bpqp::cpu::positive_semidefinite(bent.pattern(), bent.values.data(), 1e-8));
}

TEST(SparseKkt, MalformedPatternsAreInvalidArguments) {
  const KktCase c = make_case(6, 4, 0.5, 8);
  const CscMatrix full = bpqp::dense_to_csc(c.P.data(), c.n, c.n);  // both triangles
  EXPECT_THROW(SparseKkt(full.pattern(), c.A_csc.pattern()), bpqp::InvalidArgument);
  const CscMatrix narrow = bpqp::dense_to_csc(c.A.data(), c.m, c.n - 1);
  EXPECT_THROW(SparseKkt(c.P_csc.pattern(), narrow.pattern()), bpqp::InvalidArgument);
}

}  // namespace
