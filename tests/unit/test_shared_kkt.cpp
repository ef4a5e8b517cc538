// kernels/shared_kkt.hpp: the Schur-complement solve of [P̄ + δI, Ā_𝒜ᵀ; Ā_𝒜, −δI] equals the
// dense solve of that matrix, for active sets of every size, P singular included. (A shared
// P that is not convex never gets factors: BatchPhaseForward's ANonConvexSharedP… test.)
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <random>
#include <vector>

#include "kernels/serial_group.hpp"
#include "kernels/shared_kkt.hpp"

namespace bpqp::kernels {
namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void expect_solves_like_the_dense_matrix(int rank, unsigned seed) {
  const int n = 9, m = 7;
  const double delta = 1e-6;
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  const RowMajor M = RowMajor::NullaryExpr(rank, n, [&] { return normal(rng); });
  const RowMajor P = M.transpose() * M;  // rank `rank`: singular below n
  const RowMajor A = RowMajor::NullaryExpr(m, n, [&] { return normal(rng); });
  // The batch's factors, as the backend forms them.
  const RowMajor H_inv = (P + delta * RowMajor::Identity(n, n)).llt().solve(RowMajor::Identity(n, n));
  const RowMajor W = A * H_inv, G = W * A.transpose();
  const SharedKkt<double> f{H_inv.data(), W.data(), G.data()};
  for (const std::vector<int>& rows : {std::vector<int>{}, std::vector<int>{3}, std::vector<int>{6, 0, 2},
                                       std::vector<int>{0, 1, 2, 3, 4, 5, 6}}) {
    const int k = static_cast<int>(rows.size()), N = n + k;
    std::vector<double> S(static_cast<std::size_t>(N) * N), pivots(N), t(n);  // room to spare
    ASSERT_TRUE(factor_shared_kkt(SerialGroup{}, f, m, k, rows.data(), delta, S.data(), pivots.data()));
    Eigen::MatrixXd K = Eigen::MatrixXd::Zero(N, N);
    K.topLeftCorner(n, n) = P + delta * Eigen::MatrixXd::Identity(n, n);
    for (int a = 0; a < k; ++a) {
      K.block(n + a, 0, 1, n) = A.row(rows[a]);
      K.block(0, n + a, n, 1) = A.row(rows[a]).transpose();
      K(n + a, n + a) = -delta;
    }
    const Eigen::VectorXd rhs = Eigen::VectorXd::LinSpaced(N, -1.0, 2.0);
    Eigen::VectorXd v = rhs;
    solve_shared_kkt(SerialGroup{}, f, n, k, rows.data(), A.data(), S.data(), v.data(), t.data());
    const Eigen::VectorXd expected = K.fullPivLu().solve(rhs);
    // Relative to the solution's size: with P singular, K_δ⁻¹ is of order 1/δ.
    EXPECT_LT((v - expected).lpNorm<Eigen::Infinity>(), 1e-7 * expected.lpNorm<Eigen::Infinity>())
        << "rank " << rank << ", " << k << " rows";
    EXPECT_LT((K * v - rhs).lpNorm<Eigen::Infinity>(), 1e-6 * rhs.lpNorm<Eigen::Infinity>());
  }
}

TEST(SharedKkt, SolvesLikeTheDenseMatrix) {
  expect_solves_like_the_dense_matrix(9, 1);
  expect_solves_like_the_dense_matrix(5, 2);
}

}  // namespace
}  // namespace bpqp::kernels
