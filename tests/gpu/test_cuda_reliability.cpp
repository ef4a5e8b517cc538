// Reliability of the CUDA executor (label gpu): the mixed batch, batches larger
// than the device-memory limit, two streams at once, no memory growth across
// solves. Without a device every test skips, saying why.
#include <gtest/gtest.h>

#include <thread>

#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "gpu/gpu_test_support.hpp"
#include "support/mixed_batch.hpp"

#ifdef BPQP_TEST_WITH_CUDART
#include <cuda_runtime.h>
#endif

namespace bpqp {
namespace {

std::vector<DenseQp> random_batch(int count, int n, int m, std::uint64_t seed) {
  std::vector<DenseQp> problems;
  for (int b = 0; b < count; ++b) problems.push_back(generators::make_random_feasible_qp(n, m, seed + b));
  return problems;
}

TEST(CudaReliability, MixedBatchGivesEveryProblemItsExactStatus) {
  BPQP_REQUIRE_GPU();
  testing::expect_mixed_batch_outcomes(Executor::cuda(0));
}

// Each problem is solved by one block whatever the chunking: bitwise the same answers.
TEST(CudaReliability, ABatchOverTheMemoryLimitIsSolvedInChunks) {
  BPQP_REQUIRE_GPU();
  const auto batch = QpBatch<double>::from_problems(random_batch(50, 30, 10, 11));
  const auto whole = Solver<double>(Executor::cuda(0)).solve(batch.view());
  // Each problem needs well under 200 kB here (inputs, outputs, workspace): a limit
  // of 7 such budgets makes a few chunks of the 50.
  const std::size_t one = sizeof(double) * (30 * 30 + 10 * 30 + 30 + 2 * 10) + 200000;
  const auto chunked = Solver<double>(Executor::cuda(0).with_device_memory_limit(7 * one)).solve(batch.view());
  EXPECT_EQ(chunked.status, whole.status);
  EXPECT_EQ(chunked.x, whole.x);
  EXPECT_EQ(chunked.y, whole.y);
  EXPECT_EQ(whole.count(SolveStatus::solved), 50);
}

TEST(CudaReliability, AProblemLargerThanTheLimitIsAClearError) {
  BPQP_REQUIRE_GPU();
  const auto batch = QpBatch<double>::from_problems(random_batch(2, 30, 10, 1));
  Solver<double> solver(Executor::cuda(0).with_device_memory_limit(4096));
  try {
    solver.solve(batch.view());
    FAIL() << "expected bpqp::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos) << e.what();
  }
}

#ifdef BPQP_TEST_WITH_CUDART
TEST(CudaReliability, TwoSolversOnTwoStreamsMatchSequentialSolves) {
  BPQP_REQUIRE_GPU();
  const auto batch1 = QpBatch<double>::from_problems(random_batch(300, 20, 8, 100));
  const auto batch2 = QpBatch<double>::from_problems(random_batch(300, 20, 8, 500));
  const auto seq1 = Solver<double>(Executor::cuda(0)).solve(batch1.view());
  const auto seq2 = Solver<double>(Executor::cuda(0)).solve(batch2.view());
  cudaStream_t s1 = nullptr, s2 = nullptr;
  ASSERT_EQ(cudaStreamCreateWithFlags(&s1, cudaStreamNonBlocking), cudaSuccess);
  ASSERT_EQ(cudaStreamCreateWithFlags(&s2, cudaStreamNonBlocking), cudaSuccess);
  SolveResult<double> par1, par2;
  std::thread t1([&] { par1 = Solver<double>(Executor::cuda(0, s1)).solve(batch1.view()); });
  std::thread t2([&] { par2 = Solver<double>(Executor::cuda(0, s2)).solve(batch2.view()); });
  t1.join();
  t2.join();
  cudaStreamDestroy(s1);
  cudaStreamDestroy(s2);
  EXPECT_EQ(par1.x, seq1.x);  // bitwise: no state shared between solvers or streams
  EXPECT_EQ(par2.x, seq2.x);
  EXPECT_EQ(par1.status, seq1.status);
  EXPECT_EQ(par2.status, seq2.status);
}

TEST(CudaReliability, RepeatedSolvesReuseTheSolversDeviceMemory) {
  BPQP_REQUIRE_GPU();
  const auto batch = QpBatch<double>::from_problems(random_batch(2000, 20, 8, 3));
  Solver<double> solver(Executor::cuda(0));
  solver.solve(batch.view());
  std::size_t free_after_first = 0, free_now = 0, total = 0;
  ASSERT_EQ(cudaMemGetInfo(&free_after_first, &total), cudaSuccess);
  for (int round = 0; round < 20; ++round) solver.solve(batch.view());
  ASSERT_EQ(cudaMemGetInfo(&free_now, &total), cudaSuccess);
  // Allocation granularity aside (2 MB pages), nothing may grow.
  EXPECT_GE(free_now + (2u << 20), free_after_first);
}
#else
TEST(CudaReliability, StreamTestsNeedTheCudaRuntime) {
  GTEST_SKIP() << "built without CUDA: the two-stream and memory-reuse tests need the CUDA runtime";
}
#endif

}  // namespace
}  // namespace bpqp
