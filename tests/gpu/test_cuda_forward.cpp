// CUDA executor against the CPU executor on the same batches (label gpu).
// Without a device every test skips, saying why.
#include <gtest/gtest.h>

#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "gpu/gpu_test_support.hpp"
#include "support/kkt_certificate.hpp"
#include "support/promised_accuracy.hpp"

namespace bpqp {
namespace {


template <class T>
class CudaForward : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CudaForward, Precisions);

TYPED_TEST(CudaForward, MatchesTheCpuBackendOnRandomBatches) {
  BPQP_REQUIRE_GPU();
  for (int batch_size : {1, 257}) {
    std::vector<DenseQp> problems;
    for (int b = 0; b < batch_size; ++b) problems.push_back(generators::make_random_feasible_qp(30, 10, 40 + b));
    const auto batch = QpBatch<TypeParam>::from_problems(problems);
    const auto cpu = Solver<TypeParam>(Executor::cpu()).solve(batch.view());
    const auto gpu = Solver<TypeParam>(Executor::cuda(0)).solve(batch.view());
    const double tol = 100 * effective_eps_abs<TypeParam>(Settings{});
    for (int b = 0; b < batch_size; ++b) {
      ASSERT_EQ(gpu.status[b], cpu.status[b]) << "problem " << b;
      for (int j = 0; j < batch.n(); ++j) EXPECT_NEAR(gpu.x_of(b)[j], cpu.x_of(b)[j], tol * (1 + std::abs(cpu.x_of(b)[j])));
    }
  }
}

// Reductions over a partial last warp, and blocks smaller than a warp, must give
// the same answers as full warps (the order of additions differs: not bitwise).
TYPED_TEST(CudaForward, BlockSizesThatAreAndAreNotMultiplesOf32AgreeWithTheCpu) {
  BPQP_REQUIRE_GPU();
  std::vector<DenseQp> problems;
  for (int b = 0; b < 40; ++b) problems.push_back(generators::make_random_feasible_qp(37, 11, 900 + b));
  const auto batch = QpBatch<TypeParam>::from_problems(problems);
  const auto cpu = Solver<TypeParam>(Executor::cpu()).solve(batch.view());
  const double tol = 100 * effective_eps_abs<TypeParam>(Settings{});
  for (int block : {1, 7, 31, 32, 33, 64, 100, 128, 255, 256}) {
    SCOPED_TRACE("block size " + std::to_string(block));
    const auto gpu = Solver<TypeParam>(Executor::cuda(0).with_block_size(block)).solve(batch.view());
    for (int b = 0; b < batch.batch(); ++b) {
      ASSERT_EQ(gpu.status[b], cpu.status[b]) << "problem " << b;
      for (int j = 0; j < batch.n(); ++j)
        EXPECT_NEAR(gpu.x_of(b)[j], cpu.x_of(b)[j], tol * (1 + std::abs(cpu.x_of(b)[j])));
    }
  }
}

// Warp tiles (several problems per block): every tile width, a block count that
// leaves the last block partly empty, the workspace in shared and in global memory.
// A tile of width w gives the same answers as a block of w threads (same reduction
// tree shape is not guaranteed, so compared within tolerance, not bitwise).
TYPED_TEST(CudaForward, WarpTilesAgreeWithTheCpuForEveryWidthAndAPartialLastBlock) {
  BPQP_REQUIRE_GPU();
  std::vector<DenseQp> problems;
  for (int b = 0; b < 45; ++b) problems.push_back(generators::make_random_feasible_qp(12, 6, 300 + b));
  DenseQp infeasible = generators::make_random_feasible_qp(12, 6, 299);  // rows 0 and 1: a·x ≤ 0 and a·x ≥ 1
  std::copy(infeasible.A.begin(), infeasible.A.begin() + 12, infeasible.A.begin() + 12);
  infeasible.l[0] = -1e30;
  infeasible.u[0] = 0;
  infeasible.l[1] = 1;
  infeasible.u[1] = 1e30;
  problems.push_back(infeasible);  // a tile that stops early beside others
  const auto batch = QpBatch<TypeParam>::from_problems(problems);
  const auto cpu = Solver<TypeParam>(Executor::cpu()).solve(batch.view());
  const double tol = 100 * effective_eps_abs<TypeParam>(Settings{});
  for (int width : {1, 2, 8, 16, 32}) {
    for (int per_block : {2, 7}) {
      for (bool shared : {true, false}) {
        SCOPED_TRACE("tile width " + std::to_string(width) + ", " + std::to_string(per_block) + " per block, " +
                     (shared ? "shared" : "global") + " workspace");
        const Executor e = Executor::cuda(0).with_block_size(width).with_problems_per_block(per_block)
                               .with_shared_memory_workspace(shared);
        const auto gpu = Solver<TypeParam>(e).solve(batch.view());
        for (int b = 0; b < batch.batch(); ++b) {
          ASSERT_EQ(gpu.status[b], cpu.status[b]) << "problem " << b;
          if (cpu.status[b] != SolveStatus::solved) continue;
          for (int j = 0; j < batch.n(); ++j)
            EXPECT_NEAR(gpu.x_of(b)[j], cpu.x_of(b)[j], tol * (1 + std::abs(cpu.x_of(b)[j])));
        }
      }
    }
  }
}

// 10⁵ problems against the CPU. The two backends run the same kernels but not the same
// bits (nvcc contracts to FMA and reduces in another order), so a problem near a
// threshold may end differently on each: what must hold is that every answer the GPU
// calls solved passes the KKT certificate, and that disagreements are rare (≤ 0.1%).
TYPED_TEST(CudaForward, ABatchOfAHundredThousandMatchesTheCpu) {
  BPQP_REQUIRE_GPU();
  const int count = 100000, rare = count / 1000;
  std::vector<DenseQp> problems;
  for (int b = 0; b < count; ++b) problems.push_back(generators::make_random_feasible_qp(10, 5, 7 + b));
  const auto batch = QpBatch<TypeParam>::from_problems(problems);
  const auto cpu = Solver<TypeParam>(Executor::cpu()).solve(batch.view());
  const auto gpu = Solver<TypeParam>(Executor::cuda(0)).solve(batch.view());
  const double tol = 100 * effective_eps_abs<TypeParam>(Settings{}), eps = testing::solver_eps<TypeParam>();
  int status_mismatches = 0, answer_mismatches = 0, uncertified = 0;
  for (int b = 0; b < count; ++b) {
    if (gpu.status[b] == SolveStatus::solved &&
        !testing::kkt_satisfied(testing::kkt_residuals(problems[b], gpu.x_of(b), gpu.y_of(b)), eps, eps, 10.0))
      ++uncertified;
    if (gpu.status[b] != cpu.status[b]) {
      ++status_mismatches;
      continue;
    }
    bool same = true;
    for (int j = 0; j < batch.n() && same; ++j)
      same = std::abs(gpu.x_of(b)[j] - cpu.x_of(b)[j]) <= tol * (1 + std::abs(cpu.x_of(b)[j]));
    answer_mismatches += !same;
  }
  EXPECT_EQ(uncertified, 0) << "of " << gpu.count(SolveStatus::solved) << " solved on the GPU";
  EXPECT_LE(status_mismatches, rare) << "of " << count;
  EXPECT_LE(answer_mismatches, rare) << "of " << count;
  EXPECT_GE(gpu.count(SolveStatus::solved), count - rare);
}

TYPED_TEST(CudaForward, SharedPAndAAndWarmStartsMatchTheCpu) {
  BPQP_REQUIRE_GPU();
  const DenseQp base = generators::make_random_feasible_qp(25, 9, 3);
  const int count = 33;
  QpBatch<TypeParam> batch(count, base.n, base.m, {/*P=*/true, /*q=*/false, /*A=*/true, /*l=*/true, /*u=*/false});
  std::copy(base.P.begin(), base.P.end(), batch.P(0));
  std::copy(base.A.begin(), base.A.end(), batch.A(0));
  std::copy(base.l.begin(), base.l.end(), batch.l(0));
  for (int b = 0; b < count; ++b) {
    for (int j = 0; j < base.n; ++j) batch.q(b)[j] = static_cast<TypeParam>(base.q[j] * (1 + 0.01 * b));
    for (int i = 0; i < base.m; ++i) batch.u(b)[i] = static_cast<TypeParam>(base.u[i] + 0.1 * b);
  }
  Solver<TypeParam> cpu_solver(Executor::cpu()), gpu_solver(Executor::cuda(0));
  const double tol = 100 * effective_eps_abs<TypeParam>(Settings{});
  for (int round = 0; round < 2; ++round) {  // the second solve starts warm on both
    SCOPED_TRACE("round " + std::to_string(round));
    const auto cpu = cpu_solver.solve(batch.view());
    const auto gpu = gpu_solver.solve(batch.view());
    for (int b = 0; b < count; ++b) {
      ASSERT_EQ(gpu.status[b], cpu.status[b]) << "problem " << b;
      for (int j = 0; j < base.n; ++j) EXPECT_NEAR(gpu.x_of(b)[j], cpu.x_of(b)[j], tol * (1 + std::abs(cpu.x_of(b)[j])));
    }
  }
}

// The same code on a workspace in shared memory and in global memory. The two are
// separately compiled instantiations of the block kernel (the placement is a template
// argument, so that shared-memory loads are emitted as such), and nvcc may contract or
// inline them differently: the same statuses and polished answers equal to rounding
// (the polished promise, twice: each side within it of the exact answer), not the same
// bits. 120×30 in double needs more than the 227 KB carve-out, so it takes the global
// path on its own; the smaller sizes fit and are also run with shared memory refused.
TYPED_TEST(CudaForward, SharedAndGlobalMemoryWorkspacesGiveTheSameAnswerToRounding) {
  BPQP_REQUIRE_GPU();
  const double tol = 2 * testing::promised<TypeParam>(PolishStatus::succeeded).solution;
  for (auto [n, m] : {std::pair{10, 5}, std::pair{40, 12}, std::pair{120, 30}}) {
    SCOPED_TRACE(std::to_string(n) + "x" + std::to_string(m));
    std::vector<DenseQp> problems;
    for (int b = 0; b < 20; ++b) problems.push_back(generators::make_random_feasible_qp(n, m, 60 + b));
    const auto batch = QpBatch<TypeParam>::from_problems(problems);
    const auto automatic = Solver<TypeParam>(Executor::cuda(0)).solve(batch.view());
    const auto global =
        Solver<TypeParam>(Executor::cuda(0).with_shared_memory_workspace(false)).solve(batch.view());
    EXPECT_EQ(automatic.status, global.status);
    EXPECT_EQ(automatic.count(SolveStatus::solved), batch.batch());
    for (int b = 0; b < batch.batch(); ++b) {
      ASSERT_EQ(automatic.polish[b], PolishStatus::succeeded) << "problem " << b;
      ASSERT_EQ(global.polish[b], PolishStatus::succeeded) << "problem " << b;
      for (int j = 0; j < n; ++j)
        EXPECT_NEAR(automatic.x_of(b)[j], global.x_of(b)[j], tol * (1 + std::abs(global.x_of(b)[j])))
            << "problem " << b << ", x_" << j;
      for (int i = 0; i < m; ++i)
        EXPECT_NEAR(automatic.y_of(b)[i], global.y_of(b)[i], tol * (1 + std::abs(global.y_of(b)[i])))
            << "problem " << b << ", y_" << i;
    }
  }
}

}  // namespace
}  // namespace bpqp
