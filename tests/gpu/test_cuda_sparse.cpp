// The sparse path on the CUDA executor (src/cuda/sparse_pcg_forward.cu) against the same code
// on the CPU (Settings::sparse_linear_system = conjugate_gradient), label gpu. Without a device
// every test skips, saying why.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bpqp/bpqp.hpp"
#include "bpqp/io/qps_reader.hpp"
#include "gpu/gpu_test_support.hpp"
#include "problems/problem_generators.hpp"
#include "support/mixed_batch.hpp"
#include "support/promised_accuracy.hpp"
#include "support/sparse_path_support.hpp"
#include "support/union_batch.hpp"

namespace bpqp {
namespace {

// One pattern, values per problem, a block each: the statuses of the CPU's run of the same
// kernels, each answer as promised against its planted solution, x close to the CPU's (the
// block's reductions add in another order: not bitwise).
TEST(CudaSparse, PlantedBatchMatchesTheSameKernelsOnTheCpu) {
  BPQP_REQUIRE_GPU();
  std::vector<DenseQp> problems;
  std::vector<generators::PlantedQp> planted;
  for (int b = 0; b < 40; ++b) {
    generators::PlantedOptions o;
    o.n = 60;
    o.m = 45;
    o.n_equality = b % 3;
    o.n_active = 5;
    o.seed = 500 + b;
    planted.push_back(generators::make_planted_qp(o));
    problems.push_back(planted.back().qp);
  }
  const testing::UnionBatch u = testing::union_batch(problems);
  const Settings s = testing::conjugate_gradient_settings(1e-7);
  const auto cpu = solve_sparse(u.view, s);
  const auto gpu = solve_sparse(u.view, s, Executor::cuda(0));
  for (int b = 0; b < 40; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(cpu.status[b], SolveStatus::solved);
    ASSERT_EQ(gpu.status[b], SolveStatus::solved);
    testing::expect_answer_as_promised(problems[b], gpu, b, planted[b].x_star, planted[b].y_star);
    const std::vector<double> x_cpu(cpu.x_of(b), cpu.x_of(b) + u.view.n);
    EXPECT_LT(testing::relative_distance(gpu.x_of(b), x_cpu), 1e-4);
  }
}

TEST(CudaSparse, MixedBatchGivesEveryStatusAndAnswer) {
  BPQP_REQUIRE_GPU();
  const testing::UnionBatch u = testing::union_batch(testing::mixed_batch_problems());
  Settings s = testing::mixed_batch_settings();
  s.sparse_linear_system = SparseLinearSystem::automatic;  // the CUDA executor's: the conjugate gradient
  const auto r = solve_sparse(u.view, s, Executor::cuda(0));
  testing::expect_mixed_batch_outcomes(r);
  EXPECT_EQ(r.input_issue[3], InputIssue::non_finite_data);
}

// Block sizes that are and are not multiples of 32 (a partial last warp in every reduction).
TEST(CudaSparse, BlockSizesAgreeOnAMarosMeszarosProblem) {
  BPQP_REQUIRE_GPU();
  const SparseQp qp = io::read_qps_sparse(std::string(BPQP_MAROS_MESZAROS_DIR) + "/CVXQP2_S.QPS");
  const Settings s = testing::conjugate_gradient_settings(1e-6);
  const auto cpu = solve_sparse(qp, s);
  ASSERT_EQ(cpu.status[0], SolveStatus::solved);
  for (int threads : {32, 100, 256}) {
    SCOPED_TRACE("block size " + std::to_string(threads));
    const auto gpu = solve_sparse(qp, s, Executor::cuda(0).with_block_size(threads));
    ASSERT_EQ(gpu.status[0], SolveStatus::solved);
    EXPECT_NEAR(gpu.objective[0], cpu.objective[0], 1e-5 * (1.0 + std::abs(cpu.objective[0])));
  }
}

}  // namespace
}  // namespace bpqp
