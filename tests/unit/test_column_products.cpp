// kernels/column_products.hpp against Eigen's product, over shapes that reach every
// branch (full row blocks, each smaller power-of-two block, single rows, fewer than four
// columns), on a team of threads that splits the columns, and through the table of every
// instruction-set variant this CPU runs.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <random>

#include "bpqp/cpu_isa.hpp"
#include "cpu/problem_kernels.hpp"
#include "kernels/column_products.hpp"
#include "kernels/serial_group.hpp"
#include "support/thread_team_group.hpp"

namespace bpqp::kernels {
namespace {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

template <class T>
Matrix<T> random_matrix(int rows, int cols, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  return Matrix<T>::NullaryExpr(rows, cols, [&] { return T(u(rng)); });
}

template <int Rows, class T, class Group>
void check_shapes(const Group& g, double tolerance) {
  std::mt19937 rng(7);
  for (int rows : {1, 3, 4, Rows / 4 + 1, Rows / 2 + Rows / 4 + 3, Rows, 2 * Rows + Rows / 2, 100})
    for (int inner : {1, 5, 20})
      for (int cols : {1, 3, 4, 7, 9}) {
        const Matrix<T> M = random_matrix<T>(rows, inner, rng), X = random_matrix<T>(inner, cols, rng);
        Matrix<T> Y = Matrix<T>::Constant(rows, cols, T(99));
        multiply_columns<Rows>(g, rows, inner, cols, M.data(), rows, X.data(), inner, Y.data(), rows);
        const Matrix<T> expected = M * X;
        EXPECT_LE((Y - expected).template lpNorm<Eigen::Infinity>(), tolerance * inner)
            << rows << "×" << inner << " times " << inner << "×" << cols << ", row block " << Rows;
      }
}

TEST(ColumnProducts, MatchEigenOnEveryBlockShape) {
  check_shapes<16, double>(SerialGroup{}, 1e-15);
  check_shapes<8, double>(SerialGroup{}, 1e-15);
  check_shapes<4, double>(SerialGroup{}, 1e-15);
  check_shapes<32, float>(SerialGroup{}, 1e-6);
  check_shapes<16, float>(SerialGroup{}, 1e-6);
}

TEST(ColumnProducts, ATeamSplitsTheColumnsAndWritesEachOnce) {
  for (int threads : {2, 3}) {
    std::mt19937 rng(threads);
    const int rows = 37, inner = 11, cols = 23;
    const Matrix<double> M = random_matrix<double>(rows, inner, rng), X = random_matrix<double>(inner, cols, rng);
    Matrix<double> Y = Matrix<double>::Constant(rows, cols, 99.0);
    testing::run_team(threads, [&](const testing::TeamGroup& g) {
      multiply_columns<8>(g, rows, inner, cols, M.data(), rows, X.data(), inner, Y.data(), rows);
    });
    EXPECT_LE((Y - M * X).lpNorm<Eigen::Infinity>(), 1e-14 * inner) << threads << " threads";
  }
}

// Leading dimensions larger than the rows: the operands are blocks of larger matrices.
TEST(ColumnProducts, HonourTheLeadingDimensions) {
  std::mt19937 rng(3);
  const Matrix<double> big_M = random_matrix<double>(30, 12, rng), big_X = random_matrix<double>(15, 9, rng);
  Matrix<double> big_Y = Matrix<double>::Constant(25, 9, 99.0);
  const int rows = 21, inner = 10, cols = 6;
  multiply_columns<8>(SerialGroup{}, rows, inner, cols, big_M.data(), 30, big_X.data(), 15, big_Y.data(), 25);
  const Matrix<double> expected = big_M.topLeftCorner(rows, inner) * big_X.topLeftCorner(inner, cols);
  EXPECT_LE((big_Y.topLeftCorner(rows, cols) - expected).lpNorm<Eigen::Infinity>(), 1e-14 * inner);
  EXPECT_EQ(big_Y(rows, 0), 99.0) << "rows past the block are not written";
  EXPECT_EQ(big_Y(0, cols), 99.0) << "columns past the block are not written";
}

// The batch phase calls the product through the variant table: each variant this machine
// runs must multiply as Eigen does (to the rounding its multiply-adds change).
TEST(ColumnProducts, EveryVariantThisMachineRunsMultipliesThroughItsTable) {
  std::mt19937 rng(11);
  const int rows = 100, inner = 20, cols = 7;
  const Matrix<double> M = random_matrix<double>(rows, inner, rng), X = random_matrix<double>(inner, cols, rng);
  const Matrix<float> Mf = M.cast<float>(), Xf = X.cast<float>();
  int variants = 0;
  for (CpuIsa isa : {CpuIsa::generic, CpuIsa::avx2, CpuIsa::avx512}) {
    if (!cpu_isa_supported(isa)) continue;
    set_cpu_isa(isa);
    ++variants;
    Matrix<double> Y(rows, cols);
    cpu::problem_kernels<double>().multiply(rows, inner, cols, M.data(), rows, X.data(), inner, Y.data(), rows);
    EXPECT_LE((Y - M * X).lpNorm<Eigen::Infinity>(), 1e-15 * inner) << to_string(isa);
    Matrix<float> Yf(rows, cols);
    cpu::problem_kernels<float>().multiply(rows, inner, cols, Mf.data(), rows, Xf.data(), inner, Yf.data(), rows);
    EXPECT_LE((Yf - Mf * Xf).lpNorm<Eigen::Infinity>(), 1e-6f * inner) << to_string(isa);
  }
  set_cpu_isa(best_cpu_isa());
  EXPECT_GE(variants, 1);
}

}  // namespace
}  // namespace bpqp::kernels
