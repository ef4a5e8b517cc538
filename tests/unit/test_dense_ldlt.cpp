// kernels/dense_ldlt.hpp against Eigen, with the one-thread group.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <random>

#include "kernels/dense_ldlt.hpp"
#include "kernels/serial_group.hpp"

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
