// The CUDA backward pass against the CPU backward pass on the same forward
// solutions (label gpu). Without a device every test skips, saying why.
#include <gtest/gtest.h>

#include <random>

#include "bpqp/backward.hpp"
#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "gpu/gpu_test_support.hpp"
#include "support/mixed_batch.hpp"

namespace bpqp {
namespace {

using testing::random_vector;

template <class T>
class CudaBackward : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CudaBackward, Precisions);

template <class T>
void expect_close(const std::vector<T>& gpu, const std::vector<T>& cpu, double tol, const char* what) {
  ASSERT_EQ(gpu.size(), cpu.size()) << what;
  double scale = 1;
  for (T v : cpu) scale = std::max(scale, std::abs(static_cast<double>(v)));
  for (std::size_t i = 0; i < cpu.size(); ++i) ASSERT_NEAR(gpu[i], cpu[i], tol * scale) << what << "[" << i << "]";
}

template <class T>
void expect_same_gradients(const Gradients<T>& gpu, const Gradients<T>& cpu, double tol) {
  EXPECT_EQ(gpu.status, cpu.status);
  EXPECT_EQ(gpu.active_rows, cpu.active_rows);
  expect_close(gpu.dP, cpu.dP, tol, "dP");
  expect_close(gpu.dq, cpu.dq, tol, "dq");
  expect_close(gpu.dA, cpu.dA, tol, "dA");
  expect_close(gpu.dl, cpu.dl, tol, "dl");
  expect_close(gpu.du, cpu.du, tol, "du");
}

TYPED_TEST(CudaBackward, MatchesTheCpuOnPerProblemAndSharedInputsInBothModes) {
  BPQP_REQUIRE_GPU();
  using T = TypeParam;
  const int count = 70;
  std::vector<DenseQp> problems;
  for (int b = 0; b < count; ++b) problems.push_back(generators::make_random_feasible_qp(30, 12, 300 + b));
  const auto per_problem = QpBatch<T>::from_problems(problems);
  QpBatch<T> shared(count, 30, 12, {/*P=*/true, /*q=*/false, /*A=*/true, /*l=*/false, /*u=*/false});
  std::copy(problems[0].P.begin(), problems[0].P.end(), shared.P(0));
  std::copy(problems[0].A.begin(), problems[0].A.end(), shared.A(0));
  for (int b = 0; b < count; ++b) {
    std::copy(problems[b].q.begin(), problems[b].q.end(), shared.q(b));
    std::copy(problems[0].l.begin(), problems[0].l.end(), shared.l(b));
    std::copy(problems[0].u.begin(), problems[0].u.end(), shared.u(b));
  }
  const auto dl_dx = random_vector<T>(static_cast<std::size_t>(count) * 30, 5);
  const auto dl_dy = random_vector<T>(static_cast<std::size_t>(count) * 12, 6);
  const double tol = sizeof(T) == sizeof(double) ? 1e-8 : 2e-3;
  const QpBatch<T>* batches[] = {&per_problem, &shared};
  for (const QpBatch<T>* batch : batches) {
    const auto forward = Solver<T>(Executor::cpu()).solve(batch->view());
    for (BackwardMode mode : {BackwardMode::direct, BackwardMode::admm}) {
      SCOPED_TRACE(std::string(batch == &shared ? "shared P, A" : "per problem") +
                   (mode == BackwardMode::admm ? ", admm" : ", direct"));
      BackwardOptions options;
      options.mode = mode;
      const auto cpu = backward(Executor::cpu(1), batch->view(), forward, dl_dx.data(), dl_dy.data(), options);
      const auto gpu = backward(Executor::cuda(0), batch->view(), forward, dl_dx.data(), dl_dy.data(), options);
      expect_same_gradients(gpu, cpu, tol);
      // A chunked run (a few problems at a time) gives the same bits as one launch.
      const auto chunked = backward(Executor::cuda(0).with_device_memory_limit(2u << 20), batch->view(), forward,
                                    dl_dx.data(), dl_dy.data(), options);
      EXPECT_EQ(chunked.dq, gpu.dq);
      EXPECT_EQ(chunked.dP, gpu.dP);
    }
  }
}

TEST(CudaBackwardStatus, UnsolvedProblemsGetZerosAndTheirStatusOnTheGpu) {
  BPQP_REQUIRE_GPU();
  const auto batch = QpBatch<double>::from_problems(testing::mixed_batch_problems());
  const auto forward = Solver<double>(Executor::cuda(0), testing::mixed_batch_settings()).solve(batch.view());
  const auto dl_dx = random_vector<double>(static_cast<std::size_t>(batch.batch()) * batch.n(), 8);
  const auto cpu = backward(Executor::cpu(1), batch.view(), forward, dl_dx.data());
  const auto gpu = backward(Executor::cuda(0), batch.view(), forward, dl_dx.data());
  expect_same_gradients(gpu, cpu, 1e-8);
  for (int b = 0; b < batch.batch(); ++b) {
    if (forward.status[b] == SolveStatus::solved) continue;
    EXPECT_EQ(gpu.status[b], BackwardStatus::forward_not_solved) << "problem " << b;
    for (int j = 0; j < batch.n(); ++j) EXPECT_EQ(gpu.dq_of(b)[j], 0.0);
  }
}

}  // namespace
}  // namespace bpqp

#include "cuda/allocation_count.hpp"

namespace bpqp {
namespace {

// A training loop's Solver::backward on the GPU reuses the solver's device buffers: after the
// first call, repeated backwards of the same batch allocate no device memory. The backward
// also runs through the forward's launcher, so warp tiles and a workspace in shared memory
// (several problems per block) give the CPU's gradients too.
TYPED_TEST(CudaBackward, RepeatedSolverBackwardsAllocateNothingAfterTheFirst) {
  BPQP_REQUIRE_GPU();
  using T = TypeParam;
  std::vector<DenseQp> problems;
  for (int b = 0; b < 40; ++b) problems.push_back(generators::make_random_feasible_qp(12, 6, 700 + b));
  const auto batch = QpBatch<T>::from_problems(problems);
  const auto dl_dx = random_vector<T>(40 * 12, 7);
  const double tol = sizeof(T) == sizeof(double) ? 1e-8 : 2e-3;
  Solver<T> cpu(Executor::cpu(1));
  cpu.solve(batch.view());
  const Gradients<T> reference = cpu.backward(dl_dx.data());
  for (int per_block : {1, 4}) {
    SCOPED_TRACE("problems per block " + std::to_string(per_block));
    Solver<T> solver(Executor::cuda(0).with_problems_per_block(per_block));
    solver.solve(batch.view());
    solver.backward(dl_dx.data());
    const long long after_first = cuda::device_allocations();
    for (int k = 0; k < 3; ++k) {
      const Gradients<T> g = solver.backward(dl_dx.data());
      expect_same_gradients(g, reference, tol);
    }
    EXPECT_EQ(cuda::device_allocations(), after_first) << "a repeated backward allocated device memory";
  }
}

}  // namespace
}  // namespace bpqp
