// The CUDA batch phase for batches that share P and A (label gpu): cuBLAS products in a
// CUDA-graph loop, then the per-problem finish. The same contract as the CPU's
// (tests/backend/test_batch_phase_forward.cpp): every problem the per-problem path's
// status and a certified answer, one bad problem never spoiling its batch. Without a
// device every test skips, saying why.
#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "gpu/gpu_test_support.hpp"
#include "support/kkt_certificate.hpp"
#include "support/promised_accuracy.hpp"
#include "support/reference_qp.hpp"
#include "support/batch_phase_cases.hpp"
#include "support/solver_test_support.hpp"

namespace bpqp {
namespace {

using testing::kkt_residuals;
using testing::kkt_satisfied;
using testing::mixed_shared_cases;
using testing::shared_batch;
using testing::SharedCase;
using testing::solver_eps;

template <class T>
class CudaBatchPhase : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CudaBatchPhase, Precisions);

Settings per_problem_path() {
  Settings s;
  s.batch_phase = false;
  return s;
}

TYPED_TEST(CudaBatchPhase, EveryProblemGetsThePerProblemStatusAndACertifiedAnswer) {
  BPQP_REQUIRE_GPU();
  using T = TypeParam;
  const auto cases = mixed_shared_cases(24);
  const auto batch = shared_batch<T>(cases);
  const auto gpu = Solver<T>(Executor::cuda(0)).solve(batch.view());
  for (int b = 0; b < batch.batch(); ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(gpu.status[b], cases[b].expected);
    if (cases[b].expected != SolveStatus::solved) continue;
    EXPECT_EQ(gpu.polish[b], PolishStatus::succeeded);
    const auto exact = testing::reference_solve(cases[b].problem);  // independent of the solver under test
    ASSERT_TRUE(exact.converged && exact.polished);
    testing::expect_answer_as_promised(cases[b].problem, gpu, b, exact.x, exact.y);
  }
}

// Random problems sharing P and A: the GPU's batch phase, the CPU's and the per-problem
// path agree within tolerance; the batch phase ran (iteration counts differ from the
// per-problem path's); two cold solves give the same bits (the loop decides on the
// device in a fixed reduction order).
TYPED_TEST(CudaBatchPhase, RandomSharedBatchesMatchTheCpuAndRepeatBitwise) {
  BPQP_REQUIRE_GPU();
  using T = TypeParam;
  for (auto [n, m, count] : {std::tuple{30, 12, 40}, std::tuple{100, 20, 1000}}) {
    SCOPED_TRACE(std::to_string(n) + "x" + std::to_string(m) + ", batch " + std::to_string(count));
    const DenseQp base = generators::make_random_feasible_qp(n, m, 5);
    QpBatch<T> batch(count, n, m, {/*P=*/true, /*q=*/false, /*A=*/true, /*l=*/true, /*u=*/false});
    std::copy(base.P.begin(), base.P.end(), batch.P(0));
    std::copy(base.A.begin(), base.A.end(), batch.A(0));
    std::copy(base.l.begin(), base.l.end(), batch.l(0));
    std::vector<DenseQp> problems;
    for (int b = 0; b < count; ++b) {
      DenseQp qp = base;
      for (int j = 0; j < n; ++j) qp.q[j] = base.q[j] * (1 + 0.5 * std::sin(1.7 * b + j));
      for (int i = 0; i < m; ++i) qp.u[i] = base.u[i] + 0.05 * ((b + i) % 7);
      std::copy(qp.q.begin(), qp.q.end(), batch.q(b));
      std::copy(qp.u.begin(), qp.u.end(), batch.u(b));
      problems.push_back(qp);
    }
    Settings cold;
    cold.warm_start = false;
    const auto cpu = Solver<T>(Executor::cpu(2), per_problem_path()).solve(batch.view());
    Solver<T> solver(Executor::cuda(0), cold);
    const auto gpu = solver.solve(batch.view());
    const auto again = solver.solve(batch.view());
    const auto gpu_per_problem = Solver<T>(Executor::cuda(0), per_problem_path()).solve(batch.view());
    EXPECT_NE(gpu.iterations, gpu_per_problem.iterations) << "the batch phase did not run";
    EXPECT_EQ(gpu.x, again.x);
    EXPECT_EQ(gpu.y, again.y);
    // Not the CPU's bits (FMA contraction, cuBLAS's reduction order): every answer the GPU
    // calls solved is certified, and a problem that ends otherwise or elsewhere than on
    // the CPU is rare (≤ 1%, and none of the 40).
    const double eps = solver_eps<T>();
    const int rare = count / 100;
    int mismatches = 0, uncertified = 0;
    for (int b = 0; b < count; ++b) {
      bool same = gpu.status[b] == cpu.status[b] && gpu.status[b] == SolveStatus::solved;
      for (int j = 0; j < n && same; ++j)
        same = std::abs(gpu.x_of(b)[j] - cpu.x_of(b)[j]) <= 100 * eps * (1 + std::abs(cpu.x_of(b)[j]));
      mismatches += !same;
      if (gpu.status[b] == SolveStatus::solved)
        uncertified += !kkt_satisfied(kkt_residuals(problems[b], gpu.x_of(b), gpu.y_of(b)), eps, eps, 10.0);
    }
    EXPECT_LE(mismatches, rare) << "of " << count;
    EXPECT_EQ(uncertified, 0) << "of " << gpu.count(SolveStatus::solved) << " solved on the GPU";
    EXPECT_GE(gpu.count(SolveStatus::solved), count - rare);
  }
}

// A device memory limit splits the batch phase into chunks (the loop graph rebuilt for
// the last, smaller one): every problem still gets its own status, and problems with
// the same data the same answer wherever they fall.
TYPED_TEST(CudaBatchPhase, ChunksUnderAMemoryLimitGiveEveryProblemItsStatus) {
  BPQP_REQUIRE_GPU();
  // The phase's fixed part (cuBLAS's 4 MiB workspace and the shared arrays) and room for
  // a few hundred problems per chunk.
  const Executor limited = Executor::cuda(0).with_device_memory_limit((4u << 20) + 300000);
  testing::expect_chunked_batch_answers<TypeParam>(Solver<TypeParam>(limited), 3003);
}

// The batch phase's iterations count against max_iter, as on the CPU.
TYPED_TEST(CudaBatchPhase, BatchPhaseIterationsCountAgainstMaxIter) {
  BPQP_REQUIRE_GPU();
  testing::expect_batch_phase_iterations_within_max_iter<TypeParam>(Executor::cuda(0));
}

// Shared data the solver must reject is found on the device; every problem is then
// solved (and reported) on its own: a non-convex P is invalid_input everywhere.
TYPED_TEST(CudaBatchPhase, ANonConvexSharedPIsInvalidInputForEveryProblem) {
  BPQP_REQUIRE_GPU();
  testing::expect_non_convex_shared_P_to_be_invalid_everywhere<TypeParam>(Executor::cuda(0));
}

// A re-solve warm-starts the phase from the previous solution, as on the CPU.
TYPED_TEST(CudaBatchPhase, AReSolveStartsFromThePreviousSolution) {
  BPQP_REQUIRE_GPU();
  testing::expect_re_solve_to_start_from_the_previous_solution<TypeParam>(Executor::cuda(0));
}

// A problem's iterations do not depend on the problems that left the phase before it, as on
// the CPU (the device compacts its columns too).
TYPED_TEST(CudaBatchPhase, AProblemIteratesAsIfTheProblemsThatLeftBeforeItWereNeverThere) {
  BPQP_REQUIRE_GPU();
  testing::expect_iterations_independent_of_problems_that_left<TypeParam>(Executor::cuda(0));
}

// A hundred thousand problems sharing P and A, in warp tiles for the finish.
TYPED_TEST(CudaBatchPhase, AHundredThousandProblemsAreSolved) {
  BPQP_REQUIRE_GPU();
  using T = TypeParam;
  const int count = 100000;
  const auto pattern = mixed_shared_cases(12);
  std::vector<SharedCase> cases;
  for (int b = 0; b < count; ++b) cases.push_back(pattern[b % 12]);  // the twelve solvable ones
  const auto batch = shared_batch<T>(cases);
  const auto result = Solver<T>(Executor::cuda(0).with_problems_per_block(8)).solve(batch.view());
  EXPECT_EQ(result.count(SolveStatus::solved), count);
  const double eps = solver_eps<T>();
  int uncertified = 0;
  for (int b = 0; b < count; b += 997)
    uncertified += !kkt_satisfied(kkt_residuals(cases[b].problem, result.x_of(b), result.y_of(b)), eps, eps, 10.0);
  EXPECT_EQ(uncertified, 0);
}

}  // namespace
}  // namespace bpqp
