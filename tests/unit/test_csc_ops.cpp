// The CSC kernels against dense arithmetic on random patterns with empty rows and columns,
// on the serial group and on a team of three threads (each rank writes only its columns).
#include "kernels/csc_ops.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "bpqp/csc_matrix.hpp"
#include "kernels/serial_group.hpp"
#include "support/thread_team_group.hpp"

namespace {

using bpqp::kernels::CscRef;

struct Sparse {
  int rows, cols;
  std::vector<double> dense;  // row-major
  bpqp::CscMatrix csc;
  CscRef<double> ref() { return {rows, cols, csc.col_starts.data(), csc.row_indices.data(), csc.values.data()}; }
};

Sparse make_sparse(int rows, int cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(-2.0, 2.0), coin(0.0, 1.0);
  Sparse s{rows, cols, std::vector<double>(static_cast<size_t>(rows) * cols, 0.0), {}};
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      if (i % 4 != 1 && j % 5 != 3 && coin(rng) < 0.3) s.dense[i * cols + j] = value(rng);
  s.csc = bpqp::dense_to_csc(s.dense.data(), rows, cols);
  return s;
}

std::vector<double> random_vector(int size, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> v(size);
  for (double& x : v) x = normal(rng);
  return v;
}

// Runs body(group) on the serial group (team = 1) or on a team of `team` threads.
template <class Body>
void on_group(int team, Body body) {
  if (team == 1) body(bpqp::kernels::SerialGroup{});
  else bpqp::testing::run_team(team, [&](bpqp::testing::TeamGroup g) { body(g); });
}

TEST(CscOps, TransposedProductsAndColumnNormsMatchDenseArithmetic) {
  Sparse M = make_sparse(17, 11, 1);
  const std::vector<double> x = random_vector(M.rows, 2);
  std::vector<double> expected(M.cols, 0.0), expected_abs(M.cols, 0.0), expected_max(M.cols, 0.5);
  for (int j = 0; j < M.cols; ++j)
    for (int i = 0; i < M.rows; ++i) {
      const double a = M.dense[i * M.cols + j];
      expected[j] += a * x[i];
      expected_abs[j] += std::abs(a * x[i]);
      expected_max[j] = std::max(expected_max[j], std::abs(a));
    }
  for (int team : {1, 3}) {
    // Shared by the team: each rank writes its own columns' slots.
    std::vector<double> out(M.cols, 99.0), out_abs(M.cols, 99.0), out_max(M.cols, 0.5);
    on_group(team, [&](auto g) {
      bpqp::kernels::csc_transposed_multiply(g, M.ref(), x.data(), out.data());
      bpqp::kernels::csc_transposed_abs_multiply(g, M.ref(), x.data(), out_abs.data());
      bpqp::kernels::csc_fold_column_max_abs(g, M.ref(), out_max.data());
    });
    for (int j = 0; j < M.cols; ++j) {
      EXPECT_NEAR(out[j], expected[j], 1e-13) << "column " << j << ", team " << team;
      EXPECT_NEAR(out_abs[j], expected_abs[j], 1e-13) << "column " << j << ", team " << team;
      EXPECT_EQ(out_max[j], expected_max[j]) << "column " << j << ", team " << team;
    }
  }
}

TEST(CscOps, TransposeGivesTheProductMxAndScalingIsDiagonal) {
  Sparse M = make_sparse(9, 14, 3);
  std::vector<int> t_starts(M.rows + 1), t_rows(M.csc.nonzeros()), position(M.csc.nonzeros());
  bpqp::kernels::csc_transpose_pattern(M.rows, M.cols, M.csc.col_starts.data(), M.csc.row_indices.data(),
                                       t_starts.data(), t_rows.data(), position.data());
  bpqp::validate_csc(bpqp::CscPattern{M.cols, M.rows, t_starts.data(), t_rows.data()}, "Mᵀ", M.cols, M.rows);
  const std::vector<double> left = random_vector(M.rows, 4), right = random_vector(M.cols, 5);
  const std::vector<double> x = random_vector(M.cols, 6);
  for (int team : {1, 3}) {  // fresh copies per group: the scaling works in place
    Sparse S = M;
    std::vector<double> t_values(S.csc.nonzeros(), 0.0), out(S.rows, 0.0);
    auto body = [&](auto g) {
      bpqp::kernels::csc_scale(g, S.ref(), left.data(), right.data());
      bpqp::kernels::csc_copy_to_transpose(g, S.csc.values.data(), S.csc.nonzeros(), position.data(), t_values.data());
      const CscRef<double> T{S.cols, S.rows, t_starts.data(), t_rows.data(), t_values.data()};
      bpqp::kernels::csc_transposed_multiply(g, T, x.data(), out.data());  // (Sᵀ)ᵀx = Sx
    };
    on_group(team, body);
    for (int i = 0; i < S.rows; ++i) {
      double expected = 0.0;
      for (int j = 0; j < S.cols; ++j) expected += left[i] * M.dense[i * S.cols + j] * right[j] * x[j];
      EXPECT_NEAR(out[i], expected, 1e-12) << "row " << i << ", team " << team;
    }
  }
}

}  // namespace
