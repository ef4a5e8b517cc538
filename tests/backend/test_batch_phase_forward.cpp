// The batch phase (Settings::batch_phase): a batch whose P and
// A are shared runs its ADMM iterations as matrix products, then finishes every problem
// on its own. What must hold: the statuses of the per-problem path for every problem,
// answers that pass the KKT certificate, one bad problem never spoiling the others, and
// the same bits on one thread and on two.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "support/promised_accuracy.hpp"
#include "support/reference_qp.hpp"
#include "support/batch_phase_cases.hpp"
#include "support/solver_test_support.hpp"

namespace bpqp {
namespace {


template <class T>
class BatchPhaseForward : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(BatchPhaseForward, Precisions);

using testing::mixed_shared_cases;
using testing::SharedCase;
using testing::shared_batch;

TYPED_TEST(BatchPhaseForward, EveryProblemGetsThePerProblemStatusAndACertifiedAnswer) {
  using T = TypeParam;
  const auto cases = mixed_shared_cases(24);
  const auto batch = shared_batch<T>(cases);
  Settings per_problem;
  per_problem.batch_phase = false;
  const auto reference = Solver<T>(testing::test_executor(1), per_problem).solve(batch.view());
  const auto result = Solver<T>(testing::test_executor(1)).solve(batch.view());
  for (int b = 0; b < batch.batch(); ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(reference.status[b], cases[b].expected);
    ASSERT_EQ(result.status[b], cases[b].expected);
    if (cases[b].expected != SolveStatus::solved) continue;
    EXPECT_EQ(result.polish[b], PolishStatus::succeeded);
    const auto exact = testing::reference_solve(cases[b].problem);  // independent of the solver under test
    ASSERT_TRUE(exact.converged && exact.polished);
    testing::expect_answer_as_promised(cases[b].problem, result, b, exact.x, exact.y);
  }
  // The infeasibility certificates are the per-problem path's kind: unit inf-norm.
  const int infeasible = batch.batch() - 3, unbounded = batch.batch() - 2;
  double y_norm = 0, x_norm = 0;
  for (int i = 0; i < batch.m(); ++i) y_norm = std::max(y_norm, std::abs(double(result.y_of(infeasible)[i])));
  for (int j = 0; j < batch.n(); ++j) x_norm = std::max(x_norm, std::abs(double(result.x_of(unbounded)[j])));
  EXPECT_NEAR(y_norm, 1.0, 1e-6);
  EXPECT_NEAR(x_norm, 1.0, 1e-6);
}

// The setting's deprecated former name still turns the phase off: the same bits as batch_phase
// = false, and not those of the phase.
TEST(BatchPhaseSetting, TheFormerNameStillTurnsThePhaseOff) {
  const auto cases = mixed_shared_cases(12);
  const auto batch = shared_batch<double>(cases);
  Settings off, former, on;
  off.batch_phase = false;
  former.shared_data_batch_phase = false;
  const auto a = Solver<double>(Executor::cpu(1), off).solve(batch.view());
  const auto b = Solver<double>(Executor::cpu(1), former).solve(batch.view());
  const auto c = Solver<double>(Executor::cpu(1), on).solve(batch.view());
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.iterations, b.iterations);
  EXPECT_NE(a.iterations, c.iterations) << "the phase on takes another route";
}

// count problems sharing base's P, A and l: each its own q (base's, scaled by 1 + ½ sin(f·b + j))
// and, with own_u, its own u (base's, widened a little). The problems also go to `problems`.
template <class T>
QpBatch<T> random_shared_batch(const DenseQp& base, int count, double f, bool own_u, std::vector<DenseQp>& problems) {
  QpBatch<T> batch(count, base.n, base.m, {/*P=*/true, /*q=*/false, /*A=*/true, /*l=*/true, /*u=*/!own_u});
  std::copy(base.P.begin(), base.P.end(), batch.P(0));
  std::copy(base.A.begin(), base.A.end(), batch.A(0));
  std::copy(base.l.begin(), base.l.end(), batch.l(0));
  if (!own_u) std::copy(base.u.begin(), base.u.end(), batch.u(0));
  for (int b = 0; b < count; ++b) {
    DenseQp qp = base;
    for (int j = 0; j < qp.n; ++j) qp.q[j] = base.q[j] * (1 + 0.5 * std::sin(f * b + j));
    if (own_u)
      for (int i = 0; i < qp.m; ++i) qp.u[i] = base.u[i] + 0.05 * ((b + i) % 7);
    std::copy(qp.q.begin(), qp.q.end(), batch.q(b));
    if (own_u) std::copy(qp.u.begin(), qp.u.end(), batch.u(b));
    problems.push_back(qp);
  }
  return batch;
}

// Forty random problems of 30 variables and 12 rows sharing P, A and l, each its own q and u.
template <class T>
QpBatch<T> forty_random_shared(std::vector<DenseQp>& problems) {
  return random_shared_batch<T>(generators::make_random_feasible_qp(30, 12, 5), 40, 1.7, true, problems);
}

// Random problems that share P and A: the batch phase converges them together and they
// finish with a verified polish; the per-problem path agrees within tolerance.
TYPED_TEST(BatchPhaseForward, RandomSharedBatchesMatchThePerProblemPath) {
  using T = TypeParam;
  std::vector<DenseQp> problems;
  const QpBatch<T> batch = forty_random_shared<T>(problems);
  const int count = batch.batch();
  // In-loop polishing off: the phase then runs to ADMM's convergence, and its iteration
  // counts differ from the per-problem path's (which proves it ran).
  Settings settings;
  settings.polish_first_attempt = 0;
  Settings per_problem = settings;
  per_problem.batch_phase = false;
  const auto reference = Solver<T>(testing::test_executor(1), per_problem).solve(batch.view());
  const auto one = Solver<T>(testing::test_executor(1), settings).solve(batch.view());
  const auto two = Solver<T>(testing::test_executor(2), settings).solve(batch.view());
  EXPECT_NE(one.iterations, reference.iterations) << "the batch phase did not run";
  for (int b = 0; b < count; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(reference.status[b], SolveStatus::solved);
    EXPECT_EQ(one.polish[b], PolishStatus::succeeded);
    const auto exact = testing::reference_solve(problems[b]);  // independent of the solver under test
    ASSERT_TRUE(exact.converged && exact.polished);
    testing::expect_answer_as_promised(problems[b], one, b, exact.x, exact.y);
    for (int j = 0; j < batch.n(); ++j)
      EXPECT_EQ(one.x_of(b)[j], two.x_of(b)[j]);  // the batch phase is one computation; the finish is per problem
  }
}

// Without a polish hand-over and without the interior point, the phase may run up to max_iter
// itself, and its problems then reach their finish at k = max_iter. The finish must still test
// them there: one that converged at that last check is solved, one that did not reports the
// residuals it ended with. (admm_run's loop did not run at k = max_iter: every such problem was
// max_iterations with residuals 0.)
TYPED_TEST(BatchPhaseForward, ProblemsReachingMaxIterInThePhaseAreTestedThere) {
  using T = TypeParam;
  std::vector<DenseQp> problems;
  const QpBatch<T> batch = forty_random_shared<T>(problems);
  const int count = batch.batch();
  Settings settings;
  settings.polish = false;
  settings.interior_point_fallback = false;
  settings.warm_start = false;
  const auto unlimited = Solver<T>(testing::test_executor(1), settings).solve(batch.view());
  // max_iter at a check where some problems leave converged and others run on (the last such
  // check): up to it the phase's iterates are the same as without the limit.
  const int most = *std::max_element(unlimited.iterations.begin(), unlimited.iterations.end());
  int limit = 0;
  for (int k : unlimited.iterations)
    if (k < most) limit = std::max(limit, k);
  ASSERT_GE(limit, settings.check_every) << "some problems must run past the limit";
  settings.max_iter = limit;
  const auto limited = Solver<T>(testing::test_executor(1), settings).solve(batch.view());
  int at_limit = 0;
  for (int b = 0; b < count; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b) + ", " + std::to_string(unlimited.iterations[b]) + " iterations");
    ASSERT_EQ(unlimited.status[b], SolveStatus::solved);
    EXPECT_LE(limited.iterations[b], limit);
    if (unlimited.iterations[b] <= limit) {
      at_limit += unlimited.iterations[b] == limit;
      EXPECT_EQ(limited.status[b], SolveStatus::solved);
      EXPECT_EQ(limited.iterations[b], unlimited.iterations[b]);
    } else {
      EXPECT_TRUE(limited.status[b] == SolveStatus::max_iterations ||
                  limited.status[b] == SolveStatus::solved_inaccurate);
      EXPECT_GT(std::max(limited.prim_res[b], limited.dual_res[b]), T(0)) << "the residuals it ended with";
    }
  }
  EXPECT_GT(at_limit, 0) << "a problem converged at the last check";
}

// With in-loop polishing (the default) the phase hands every problem to its first polish
// at the check of its own first attempt: solved there, verified, as on its own.
TYPED_TEST(BatchPhaseForward, TheBatchPhaseHandsItsProblemsToTheirFirstPolish) {
  using T = TypeParam;
  const int count = 24;
  std::vector<DenseQp> problems;
  const QpBatch<T> batch = random_shared_batch<T>(generators::make_random_feasible_qp(40, 10, 8), count, 0.9, false,
                                                  problems);
  const Settings settings;
  const auto result = Solver<T>(testing::test_executor(1), settings).solve(batch.view());
  int at_first_attempt = 0;
  for (int b = 0; b < count; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    const auto exact = testing::reference_solve(problems[b]);
    ASSERT_TRUE(exact.converged && exact.polished);
    testing::expect_answer_as_promised(problems[b], result, b, exact.x, exact.y);
    if (result.polish[b] == PolishStatus::succeeded && result.iterations[b] == settings.polish_first_attempt)
      ++at_first_attempt;
  }
  EXPECT_GT(at_first_attempt, count / 2) << "most problems polish at the hand-over, not after iterating on";
}

// A check_every longer than the phase's cap (here the interior point's hand-over at
// 4000 iterations) leaves the phase no round to run: the batch takes the per-problem
// pass, with its bits, instead of a phase set up for nothing (on the GPU, a graph
// capturing 5000 iterations).
TYPED_TEST(BatchPhaseForward, ACheckIntervalLongerThanTheCapTakesThePerProblemPass) {
  using T = TypeParam;
  const auto cases = mixed_shared_cases(12);
  const auto batch = shared_batch<T>(cases);
  Settings settings;
  settings.check_every = settings.interior_point_after + 1000;
  ASSERT_LT(settings.check_every, settings.max_iter);
  Settings per_problem = settings;
  per_problem.batch_phase = false;
  const auto reference = Solver<T>(testing::test_executor(1), per_problem).solve(batch.view());
  const auto result = Solver<T>(testing::test_executor(1), settings).solve(batch.view());
  for (int b = 0; b < batch.batch(); ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    EXPECT_EQ(result.status[b], reference.status[b]);
    EXPECT_EQ(result.iterations[b], reference.iterations[b]);
    for (int j = 0; j < batch.n(); ++j) EXPECT_EQ(result.x_of(b)[j], reference.x_of(b)[j]);
  }
}

// A batch larger than one phase (4096 problems) goes through in chunks: every
// problem still gets its own status, the ones past the first chunk included.
TYPED_TEST(BatchPhaseForward, BatchesLargerThanOnePhaseAreSolvedInChunks) {
  testing::expect_chunked_batch_answers<TypeParam>(Solver<TypeParam>(testing::test_executor(2)), 4096 + 19);
}

TYPED_TEST(BatchPhaseForward, BatchPhaseIterationsCountAgainstMaxIter) {
  testing::expect_batch_phase_iterations_within_max_iter<TypeParam>(testing::test_executor(1));
}

TYPED_TEST(BatchPhaseForward, AReSolveStartsFromThePreviousSolution) {
  testing::expect_re_solve_to_start_from_the_previous_solution<TypeParam>(testing::test_executor(1));
}

TYPED_TEST(BatchPhaseForward, AProblemIteratesAsIfTheProblemsThatLeftBeforeItWereNeverThere) {
  testing::expect_iterations_independent_of_problems_that_left<TypeParam>(testing::test_executor(1));
}

// A shared P that passes the convexity test only through psd_tolerance (an eigenvalue of
// −1e-4, the tolerance 1e-3) leaves P̄ + δI indefinite: the batch gets no shared polishing
// factors (kernels/shared_kkt.hpp) and each problem polishes with its own factorization, to
// the per-problem path's statuses and answers. Each problem: min ½(x₁² − 1e-4·x₂²) + q·x
// over the box [0, 1]², q = (−0.5, 1 + b/10), whose minimum is x = (0.5, 0).
TYPED_TEST(BatchPhaseForward, ASharedPWithoutSharedFactorsPolishesProblemByProblem) {
  using T = TypeParam;
  const int count = 8;
  QpBatch<T> batch(count, 2, 2, {/*P=*/true, /*q=*/false, /*A=*/true, /*l=*/true, /*u=*/true});
  const T P[] = {1, 0, 0, T(-1e-4)}, A[] = {1, 0, 0, 1};
  std::copy(P, P + 4, batch.P(0));
  std::copy(A, A + 4, batch.A(0));
  std::fill(batch.l(0), batch.l(0) + 2, T(0));
  std::fill(batch.u(0), batch.u(0) + 2, T(1));
  for (int b = 0; b < count; ++b) {
    batch.q(b)[0] = T(-0.5);
    batch.q(b)[1] = T(1 + 0.1 * b);
  }
  Settings settings;
  settings.psd_tolerance = 1e-3;
  Settings per_problem = settings;
  per_problem.batch_phase = false;
  const auto reference = Solver<T>(testing::test_executor(1), per_problem).solve(batch.view());
  const auto result = Solver<T>(testing::test_executor(1), settings).solve(batch.view());
  const double tolerance = 10 * testing::solver_eps<T>();  // a well-conditioned problem: x within eps
  for (int b = 0; b < count; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    EXPECT_EQ(reference.status[b], SolveStatus::solved);
    ASSERT_EQ(result.status[b], SolveStatus::solved);
    EXPECT_NEAR(result.x_of(b)[0], 0.5, tolerance);
    EXPECT_NEAR(result.x_of(b)[1], 0.0, tolerance);
    EXPECT_EQ(result.polish[b], reference.polish[b]);
  }
}

TYPED_TEST(BatchPhaseForward, ANonConvexSharedPIsInvalidInputForEveryProblem) {
  testing::expect_non_convex_shared_P_to_be_invalid_everywhere<TypeParam>(testing::test_executor(1));
}

}  // namespace
}  // namespace bpqp
