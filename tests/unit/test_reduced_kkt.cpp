// kernels/reduced_kkt.hpp against matrices written out with Eigen: what the shared
// module assembles, its exact residual, and what its refinement promises.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <random>
#include <vector>

#include "kernels/reduced_kkt.hpp"
#include "kernels/serial_group.hpp"

namespace bpqp::kernels {
namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The factored matrix's inverse, as refinement applies it.
auto solve_with(const std::vector<double>& factor, int N) {
  return [&factor, N](double* v) { ldlt_solve(SerialGroup{}, factor.data(), N, N, v); };
}

struct System {
  int n = 6, m = 5;
  RowMajor P, A;
  std::vector<int> rows{4, 1, 3};  // not in row order: R is a list, not a mask
  std::vector<double> scale{0.5, 2.0, 0.25};
  std::vector<double> fold{1.0, 0.0, 3.0, 0.5, 2.0};

  explicit System(unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    RowMajor M = RowMajor::NullaryExpr(n, n, [&] { return normal(rng); });
    P = M.transpose() * M;
    A = RowMajor::NullaryExpr(m, n, [&] { return normal(rng); });
  }

  ReducedKkt<double> view(double c, double sigma, double gamma, bool scaled) const {
    ReducedKkt<double> K;
    K.n = n;
    K.m = m;
    K.P = P.data();
    K.A = A.data();
    K.rows = static_cast<int>(rows.size());
    K.row_index = rows.data();
    K.row_scale = scaled ? scale.data() : nullptr;
    K.p_scale = c;
    K.p_shift = sigma;
    K.row_shift = gamma;
    return K;
  }

  // The exact K of the header, written out: [cP + σI, Âᵀ; Â, −γS²].
  Eigen::MatrixXd exact(const ReducedKkt<double>& K) const {
    const int k = K.rows, N = n + k;
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(N, N);
    out.topLeftCorner(n, n) = K.p_scale * P + K.p_shift * Eigen::MatrixXd::Identity(n, n);
    for (int a = 0; a < k; ++a) {
      const double s = K.row_scale ? K.row_scale[a] : 1.0;
      out.block(n + a, 0, 1, n) = s * A.row(K.row_index[a]);
      out.block(0, n + a, n, 1) = s * A.row(K.row_index[a]).transpose();
      out(n + a, n + a) = -K.row_shift * s * s;
    }
    return out;
  }
};

TEST(ReducedKkt, AssemblesTheFactoredMatrixTheHeaderDescribes) {
  const System s(1);
  for (bool scaled : {false, true}) {
    for (bool folded : {false, true}) {
      const ReducedKkt<double> K = s.view(0.25, 0.3, 0.7, scaled);
      const int N = K.size();
      const double reg_x = 1e-3, reg_y = 2e-3;
      std::vector<double> factor(static_cast<std::size_t>(N) * N, -99.0);
      assemble_reduced_kkt(SerialGroup{}, K, folded ? s.fold.data() : nullptr, reg_x, reg_y, factor.data());
      Eigen::MatrixXd expected = s.exact(K);
      expected.topLeftCorner(s.n, s.n).diagonal().array() += reg_x;
      expected.bottomRightCorner(K.rows, K.rows).diagonal().array() -= reg_y;
      if (folded) {
        Eigen::Map<const Eigen::VectorXd> w(s.fold.data(), s.m);
        expected.topLeftCorner(s.n, s.n) += s.A.transpose() * w.asDiagonal() * s.A;
      }
      for (int i = 0; i < N; ++i)
        for (int j = 0; j <= i; ++j)
          EXPECT_NEAR(factor[static_cast<std::size_t>(i) * N + j], expected(i, j), 1e-12)
              << "entry (" << i << ", " << j << "), scaled " << scaled << ", folded " << folded;
    }
  }
}

TEST(ReducedKkt, TheResidualIsAgainstTheExactMatrix) {
  const System s(2);
  const ReducedKkt<double> K = s.view(2.0, 0.1, 0.4, true);
  const int N = K.size();
  const Eigen::VectorXd sol = Eigen::VectorXd::LinSpaced(N, -1.0, 1.5);
  const Eigen::VectorXd rhs = Eigen::VectorXd::LinSpaced(N, 3.0, -2.0);
  Eigen::VectorXd res(N);
  reduced_kkt_residual(SerialGroup{}, K, rhs.data(), sol.data(), res.data());
  const Eigen::VectorXd expected = rhs - s.exact(K) * sol;
  EXPECT_LT((res - expected).lpNorm<Eigen::Infinity>(), 1e-12);
}

// Refinement against the exact K from the factorization of K + diag(δI, −δI) removes δ,
// for either target: the refined solution is the exact one to rounding, where the
// unrefined one is δ-far.
TEST(ReducedKkt, RefinementRemovesTheRegularization) {
  const System s(3);
  const ReducedKkt<double> K = s.view(1.0, 0.0, 0.0, false);
  const int N = K.size();
  const double delta = 1e-6;
  std::vector<double> factor(static_cast<std::size_t>(N) * N), pivots(N);
  assemble_reduced_kkt(SerialGroup{}, K, static_cast<const double*>(nullptr), delta, delta, factor.data());
  ASSERT_TRUE(ldlt_factor(SerialGroup{}, factor.data(), N, N, s.n, pivots.data()));
  const Eigen::VectorXd rhs = Eigen::VectorXd::LinSpaced(N, -2.0, 1.0);
  const Eigen::VectorXd exact = s.exact(K).fullPivLu().solve(rhs);
  for (RefineFor target : {RefineFor::solution, RefineFor::residual}) {
    SCOPED_TRACE(target == RefineFor::solution ? "for the solution" : "for the residual");
    Eigen::VectorXd sol = rhs, res(N), corr(N);
    ldlt_solve(SerialGroup{}, factor.data(), N, N, sol.data());
    const double unrefined_error = (sol - exact).lpNorm<Eigen::Infinity>();
    const Refinement<double> r = refine_reduced_kkt(SerialGroup{}, K, solve_with(factor, N), 20, target, rhs.data(),
                                                    sol.data(), res.data(), corr.data());
    const double refined_error = (sol - exact).lpNorm<Eigen::Infinity>();
    EXPECT_GT(unrefined_error, 1e-9);
    EXPECT_LT(refined_error, 1e-12 * (1 + exact.lpNorm<Eigen::Infinity>()));
    EXPECT_GE(r.steps, 1);
    EXPECT_LT(r.steps, 20) << "a well-conditioned K stops on its own";
    EXPECT_LT(r.residual, 1e-3 * r.initial);
    EXPECT_DOUBLE_EQ(r.rhs_norm, rhs.lpNorm<Eigen::Infinity>());
  }
}

// A K singular in a direction the right-hand side reaches (P = 0 and no rows: the exact
// system has no solution) cannot be refined. For the solution, the corrections do not shrink
// and refinement stops after the second; for the residual, the first step does not reduce
// it and is undone. Neither spends every step it was allowed.
TEST(ReducedKkt, RefinementStopsWhenItCannotProgress) {
  const int n = 3;
  const std::vector<double> P(n * n, 0.0);
  const std::vector<double> A(n, 0.0);
  ReducedKkt<double> K;
  K.n = n;
  K.m = 1;
  K.P = P.data();
  K.A = A.data();
  std::vector<double> factor(n * n), pivots(n), res(n), corr(n);
  const std::vector<double> rhs{1.0, -1.0, 2.0};
  assemble_reduced_kkt(SerialGroup{}, K, static_cast<const double*>(nullptr), 1e-4, 0.0, factor.data());
  ASSERT_TRUE(ldlt_factor(SerialGroup{}, factor.data(), n, n, n, pivots.data()));
  for (RefineFor target : {RefineFor::solution, RefineFor::residual}) {
    std::vector<double> sol = rhs;
    ldlt_solve(SerialGroup{}, factor.data(), n, n, sol.data());
    const std::vector<double> unrefined = sol;
    const Refinement<double> r = refine_reduced_kkt(SerialGroup{}, K, solve_with(factor, n), 50, target, rhs.data(),
                                                    sol.data(), res.data(), corr.data());
    EXPECT_DOUBLE_EQ(r.residual, r.initial) << "P = 0: the residual is rhs whatever sol is";
    if (target == RefineFor::solution) {
      EXPECT_EQ(r.steps, 2);
    } else {
      EXPECT_EQ(r.steps, 1);
      EXPECT_EQ(sol, unrefined) << "the step that did not help is undone";
    }
  }
}

TEST(ReducedKkt, AnEqualityRowHasEqualFiniteBounds) {
  EXPECT_TRUE(is_equality_row(1.5, 1.5));
  EXPECT_FALSE(is_equality_row(1.0, 1.5));
  EXPECT_FALSE(is_equality_row(1e20, 1e20)) << "an infinite bound is no equality";
  EXPECT_FALSE(is_equality_row(-__builtin_huge_val(), -__builtin_huge_val()));
  EXPECT_TRUE(is_equality_row(0.0f, 0.0f));
}

}  // namespace
}  // namespace bpqp::kernels
