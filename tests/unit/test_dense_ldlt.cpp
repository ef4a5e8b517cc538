// kernels/dense_ldlt.hpp against Eigen, with the one-thread group and a team of threads.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <random>

#include "kernels/dense_ldlt.hpp"
#include "kernels/serial_group.hpp"
#include "support/thread_team_group.hpp"

namespace bpqp::kernels {
namespace {

// A random quasi-definite matrix [H, Bᵀ; B, −G] with H, G positive definite.
Eigen::MatrixXd quasi_definite(int n, int m, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd M = Eigen::MatrixXd::NullaryExpr(n, n, [&] { return normal(rng); });
  Eigen::MatrixXd B = Eigen::MatrixXd::NullaryExpr(m, n, [&] { return normal(rng); });
  Eigen::MatrixXd K = Eigen::MatrixXd::Zero(n + m, n + m);
  K.topLeftCorner(n, n) = M.transpose() * M + 0.1 * Eigen::MatrixXd::Identity(n, n);
  K.bottomLeftCorner(m, n) = B;
  K.topRightCorner(n, m) = B.transpose();
  K.bottomRightCorner(m, m) = -1e-3 * Eigen::MatrixXd::Identity(m, m);
  return K;
}

TEST(DenseLdlt, SolvesQuasiDefiniteSystemsLikeEigen) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const int n = 7, m = 4, N = n + m;
    const Eigen::MatrixXd K = quasi_definite(n, m, seed);
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> F = K;
    std::vector<double> scratch(N);
    ASSERT_TRUE(ldlt_factor(SerialGroup{}, F.data(), N, N, n, scratch.data()));
    Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(N, -1.0, 2.0);
    Eigen::VectorXd x = b;
    ldlt_solve(SerialGroup{}, F.data(), N, N, x.data());
    const Eigen::VectorXd expected = K.fullPivLu().solve(b);
    EXPECT_LT((x - expected).norm(), 1e-10 * (1 + expected.norm()));
  }
}

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// ‖L D Lᵀ − K‖∞ / ‖K‖∞ from a factor, and whether its strict upper triangle mirrors L
// exactly (what ldlt_solve reads).
struct FactorCheck {
  double relative_error;
  bool mirrored;
};
FactorCheck check_factor(const Eigen::MatrixXd& K, const RowMajor& F) {
  const int N = static_cast<int>(K.rows());
  Eigen::MatrixXd L = Eigen::MatrixXd::Identity(N, N);
  bool mirrored = true;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < i; ++j) {
      L(i, j) = F(i, j);
      mirrored = mirrored && F(j, i) == F(i, j);
    }
  const Eigen::MatrixXd R = L * F.diagonal().asDiagonal() * L.transpose() - K;
  return {R.cwiseAbs().rowwise().sum().maxCoeff() / K.cwiseAbs().rowwise().sum().maxCoeff(), mirrored};
}

// Orders from 191 (one panel) to 257 (blocked, with panels, column blocks and a last row
// block of every width), quasi-definite, and a structurally sparse one (a band plus an
// arrow), whose zero panel entries the trailing update skips.
TEST(DenseLdlt, FactorsLargeAndStructurallySparseMatricesExactly) {
  const int sizes[][2] = {{101, 90}, {150, 60}, {150, 61}, {200, 57}, {230, 3}};
  for (const auto& size : sizes) {
    const int n = size[0], m = size[1], N = n + m;
    const Eigen::MatrixXd K = quasi_definite(n, m, 7u + static_cast<unsigned>(N));
    RowMajor F = K;
    std::vector<double> scratch(N);
    ASSERT_TRUE(ldlt_factor(SerialGroup{}, F.data(), N, N, n, scratch.data())) << "N = " << N;
    const FactorCheck c = check_factor(K, F);
    EXPECT_LT(c.relative_error, 1e-13) << "N = " << N;
    EXPECT_TRUE(c.mirrored) << "N = " << N;
    Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(N, -1.0, 2.0);
    const Eigen::VectorXd b = x;
    ldlt_solve(SerialGroup{}, F.data(), N, N, x.data());
    EXPECT_LT((K * x - b).norm(), 1e-9 * (1 + K.norm() * x.norm())) << "N = " << N;
  }
  const int N = 240;
  Eigen::MatrixXd K = Eigen::MatrixXd::Zero(N, N);
  for (int i = 0; i < N; ++i) {
    K(i, i) = 4.0 + (i % 7);
    if (i + 3 < N) K(i, i + 3) = K(i + 3, i) = -1.0;
    if (i < N - 1 && i % 5 == 0) K(i, N - 1) = K(N - 1, i) = 0.5;  // the arrow: a dense last row
  }
  K(N - 1, N - 1) = 4.0 * N;
  RowMajor F = K;
  std::vector<double> scratch(N);
  ASSERT_TRUE(ldlt_factor(SerialGroup{}, F.data(), N, N, N, scratch.data()));
  const FactorCheck c = check_factor(K, F);
  EXPECT_LT(c.relative_error, 1e-14);
  EXPECT_TRUE(c.mirrored);
}

TEST(DenseLdlt, ReportsAWrongSignPastTheFirstPanel) {
  // Quasi-definite with 200 positive pivots, claimed positive definite: pivot 200 (in the
  // trailing matrix of the blocked form) is negative.
  const int n = 200, m = 20, N = n + m;
  RowMajor F = quasi_definite(n, m, 3u);
  std::vector<double> scratch(N);
  EXPECT_FALSE(ldlt_factor(SerialGroup{}, F.data(), N, N, N, scratch.data()));
  EXPECT_LT(scratch[n], 0.0);
}

TEST(ThreadTeamDenseLdlt, BlockedFactorizationMatchesTheOneThreadGroup) {
  const int n = 170, m = 61, N = n + m;
  const RowMajor K = quasi_definite(n, m, 5u);
  RowMajor serial = K;
  std::vector<double> scratch(N);
  ASSERT_TRUE(ldlt_factor(SerialGroup{}, serial.data(), N, N, n, scratch.data()));
  for (int threads : {2, 3, 4}) {
    RowMajor team = K;
    std::vector<double> team_scratch(N);
    bool ok = false;
    testing::run_team(threads, [&](const testing::TeamGroup& g) {
      const bool r = ldlt_factor(g, team.data(), N, N, n, team_scratch.data());
      if (g.rank() == 0) ok = r;
    });
    ASSERT_TRUE(ok) << threads << " threads";
    // Every entry is computed by one thread in the same order whatever the team: equal bits.
    EXPECT_TRUE(team == serial) << threads << " threads";
  }
}

TEST(DenseLdlt, ReportsAPivotOfTheWrongSign) {
  // An indefinite matrix claimed to be positive definite.
  double K[4] = {1.0, 0.0, 2.0, 1.0};  // lower triangle of [1 2; 2 1]: second pivot 1 − 4 < 0
  double scratch[2];
  EXPECT_FALSE(ldlt_factor(SerialGroup{}, K, 2, 2, 2, scratch));
}

TEST(DenseLdlt, ReportsANonFinitePivot) {
  double K[4] = {std::numeric_limits<double>::quiet_NaN(), 0.0, 0.0, 1.0};
  double scratch[2];
  EXPECT_FALSE(ldlt_factor(SerialGroup{}, K, 2, 2, 2, scratch));
}

}  // namespace
}  // namespace bpqp::kernels
