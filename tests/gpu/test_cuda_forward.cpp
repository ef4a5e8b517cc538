// CUDA executor against the CPU executor on the same batches (label gpu).
// Without a device every test skips, saying why.
#include <gtest/gtest.h>

#include "bpqp/bpqp.hpp"
#include "bpqp/problem_generators.hpp"

namespace bpqp {
namespace {

#define BPQP_REQUIRE_GPU() \
  if (!cuda_available()) GTEST_SKIP() << "no usable CUDA device: " << cuda_unavailable_reason()

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

}  // namespace
}  // namespace bpqp
