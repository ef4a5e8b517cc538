// Forward solver behaviour on every available executor, in float and double.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include "bpqp/bpqp.hpp"
#include "problems/benchmark_problems.hpp"
#include "problems/problem_generators.hpp"
#include "support/kkt_certificate.hpp"
#include "support/promised_accuracy.hpp"
#include "support/reference_qp.hpp"
#include "support/batch_phase_cases.hpp"
#include "support/solver_test_support.hpp"

namespace bpqp {
namespace {

using generators::make_planted_lp;
using generators::make_planted_qp;
using generators::PlantedOptions;
using generators::PlantedQp;
using testing::available_executors;

template <class T>
class AdmmForward : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(AdmmForward, Precisions);

std::vector<PlantedQp> planted_batch(int count, PlantedOptions options) {
  std::vector<PlantedQp> out;
  for (int b = 0; b < count; ++b) {
    options.seed = 1000 + b;
    out.push_back(make_planted_qp(options));
  }
  return out;
}

template <class T>
SolveResult<T> solve_problems(const std::vector<DenseQp>& problems, Executor exec, Settings settings = {}) {
  const auto batch = QpBatch<T>::from_problems(problems);
  Solver<T> solver(exec, settings);
  return solver.solve(batch.view());
}

std::vector<DenseQp> problems_of(const std::vector<PlantedQp>& planted) {
  std::vector<DenseQp> out;
  for (const auto& p : planted) out.push_back(p.qp);
  return out;
}

// The planted solution is unique and strictly complementary: every problem must be solved, its
// polish must succeed (the active set is unambiguous), and the answer must be as accurate as a
// polished one promises (support/promised_accuracy.hpp).
template <class T>
void expect_recovers_planted(const std::vector<PlantedQp>& planted, const SolveResult<T>& r, bool polish = true) {
  for (int b = 0; b < r.batch; ++b) {
    EXPECT_EQ(r.polish[b], polish ? PolishStatus::succeeded : PolishStatus::not_run) << "problem " << b;
    testing::expect_answer_as_promised(planted[b].qp, r, b, planted[b].x_star, planted[b].y_star);
  }
}

// Every answer as promised against the independent interior point's (exact to rounding).
template <class T>
void expect_matches_reference(const std::vector<DenseQp>& problems, const SolveResult<T>& r) {
  for (int b = 0; b < r.batch; ++b) {
    const auto ref = testing::reference_solve(problems[b]);
    ASSERT_TRUE(ref.converged && ref.polished) << "problem " << b;
    testing::expect_answer_as_promised(problems[b], r, b, ref.x, ref.y);
  }
}

TYPED_TEST(AdmmForward, RecoversPlantedQpWithEqualitiesInequalitiesAndBounds) {
  PlantedOptions o;
  o.n = 12;
  o.m = 8;
  o.n_equality = 2;
  o.n_active = 4;
  o.n_variable_bounds = 6;
  const auto planted = planted_batch(6, o);
  for (const auto& [name, exec] : available_executors()) {
    SCOPED_TRACE(name);
    expect_recovers_planted(planted, solve_problems<TypeParam>(problems_of(planted), exec));
  }
}

TYPED_TEST(AdmmForward, RecoversPlantedQpWithLowRankP) {
  PlantedOptions o;
  o.n = 10;
  o.m = 10;
  o.n_active = 4;
  o.n_equality = 1;
  o.p_rank = 7;
  const auto planted = planted_batch(4, o);
  expect_recovers_planted(planted, solve_problems<TypeParam>(problems_of(planted), testing::test_executor(1)));
}

// Hundreds of variables and rows: the dual residual's rounding allowance (kernels/
// admm_residuals.hpp) must stay below the tolerance. With the worst-case (m + n)·ε bound no
// float random QP of this size was ever called solved (all ended at max_iterations).
TYPED_TEST(AdmmForward, SolvesRandomQpsWithHundredsOfVariablesAndRows) {
  std::vector<DenseQp> problems;
  for (int b = 0; b < 2; ++b) problems.push_back(generators::make_random_feasible_qp(500, 100, 40 + b));
  const auto r = solve_problems<TypeParam>(problems, testing::test_executor(1));
  expect_matches_reference(problems, r);
  for (int b = 0; b < r.batch; ++b)
    EXPECT_LT(r.iterations[b], 4000) << "problem " << b << ": solved by ADMM, not at the interior point's hand-over";
}

TYPED_TEST(AdmmForward, RecoversPlantedLpVertex) {
  std::vector<PlantedQp> planted;
  for (int b = 0; b < 4; ++b) planted.push_back(make_planted_lp(6, 4, 77 + b));
  expect_recovers_planted(planted, solve_problems<TypeParam>(problems_of(planted), testing::test_executor(1)));
}

TYPED_TEST(AdmmForward, MatchesIndependentInteriorPointReference) {
  std::vector<DenseQp> problems;
  for (int b = 0; b < 8; ++b) problems.push_back(generators::make_random_feasible_qp(20, 10, 500 + b));
  const auto r = solve_problems<TypeParam>(problems, testing::test_executor(2));
  expect_matches_reference(problems, r);
  for (int b = 0; b < r.batch; ++b) EXPECT_EQ(r.polish[b], PolishStatus::succeeded) << "problem " << b;
}

TYPED_TEST(AdmmForward, SharedPAndAGiveTheSameAnswersAsPerProblemCopies) {
  // One P and A, each sample its own q, l, u and its own planted solution.
  const auto cases = testing::planted_shared_cases(8, 6, 5, 31);
  const auto shared = testing::shared_batch<TypeParam>(cases);
  std::vector<DenseQp> copies;
  for (const auto& c : cases) copies.push_back(c.problem);
  for (const auto& [name, exec] : available_executors()) {
    SCOPED_TRACE(name);
    const auto r_copies = solve_problems<TypeParam>(copies, exec);
    // The per-problem path reads the shared arrays through stride 0: the same arithmetic, the same bits.
    Settings per_problem;
    per_problem.batch_phase = false;
    const auto r_strided = Solver<TypeParam>(exec, per_problem).solve(shared.view());
    // The batch phase starts each problem elsewhere: each answer is checked against its planted one.
    const auto r_batch = Solver<TypeParam>(exec).solve(shared.view());
    for (int b = 0; b < shared.batch(); ++b) {
      testing::expect_answer_as_promised(copies[b], r_copies, b, cases[b].x_star, cases[b].y_star);
      testing::expect_answer_as_promised(copies[b], r_batch, b, cases[b].x_star, cases[b].y_star);
      ASSERT_EQ(r_strided.status[b], SolveStatus::solved);
      for (int j = 0; j < shared.n(); ++j) EXPECT_EQ(r_strided.x_of(b)[j], r_copies.x_of(b)[j]);
    }
  }
}

// `solved` without a polish means OSQP's stopping test held on the unscaled problem, each
// residual against its own scale: ‖Ax − z‖ ≤ eps_rel·max(‖Ax‖, ‖z‖) and
// ‖Px + q + Aᵀy‖ ≤ eps_rel·max(‖Px‖, ‖Aᵀy‖, ‖q‖) (eps_abs = 0). The rows are scaled by 1e3
// (x* unchanged, y* by 1e-3), so that the primal scale is ~1e3 times the dual one and a
// dual residual held to the primal tolerance would pass three orders too large. The
// residuals are recomputed here from the returned x, y (z = Π(Ax)), hence the factor 2.
TYPED_TEST(AdmmForward, AnUnpolishedAnswerMeetsEachStoppingTestOnItsOwnScale) {
  using T = TypeParam;
  std::vector<PlantedQp> planted;
  for (std::uint64_t seed : {11, 12, 13}) {
    PlantedOptions o;
    o.n = 12;
    o.m = 8;
    o.n_active = 4;
    o.seed = seed;
    PlantedQp p = make_planted_qp(o);
    for (double& a : p.qp.A) a *= 1e3;
    for (double& v : p.qp.l) v *= 1e3;
    for (double& v : p.qp.u) v *= 1e3;
    for (double& v : p.y_star) v *= 1e-3;
    planted.push_back(p);
  }
  Settings s;
  s.polish = false;
  s.interior_point_fallback = false;
  s.eps_abs = 0.0;
  const double eps_rel = effective_eps_rel<T>(s);
  const auto r = solve_problems<T>(problems_of(planted), testing::test_executor(1), s);
  for (int b = 0; b < r.batch; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(r.status[b], SolveStatus::solved);
    ASSERT_EQ(r.polish[b], PolishStatus::not_run);
    const auto k = testing::kkt_residuals(planted[b].qp, r.x_of(b), r.y_of(b));
    EXPECT_GT(k.primal_scale, 100 * k.dual_scale) << "the rows no longer dominate the cost";
    EXPECT_LE(k.primal, 2 * eps_rel * k.primal_scale);
    EXPECT_LE(k.dual, 2 * eps_rel * k.dual_scale);
  }
}

TYPED_TEST(AdmmForward, EachProblemStopsOnItsOwn) {
  // An easy unconstrained-like problem and a harder constrained one in one batch.
  PlantedOptions easy;
  easy.n = 10;
  easy.m = 4;
  easy.n_active = 0;
  easy.n_variable_bounds = 10;
  easy.margin = 10;
  easy.infinite_bounds = false;
  easy.seed = 3;
  PlantedOptions hard = easy;
  hard.n_active = 6;
  hard.margin = 1e-2;
  const std::vector<PlantedQp> planted = {make_planted_qp(easy), make_planted_qp(hard)};
  Settings s;
  s.polish_first_attempt = 0;
  s.check_every = 1;  // iteration counts then reflect each problem's own convergence exactly
  const auto r = solve_problems<TypeParam>(problems_of(planted), testing::test_executor(1), s);
  expect_recovers_planted(planted, r);
  EXPECT_NE(r.iterations[0], r.iterations[1]);
}

TYPED_TEST(AdmmForward, WarmStartReducesIterationsOnAPerturbedResolve) {
  std::vector<DenseQp> problems;
  for (int b = 0; b < 6; ++b) problems.push_back(generators::make_random_feasible_qp(30, 15, 900 + b));
  Settings s;
  s.polish_first_attempt = 0;  // count pure ADMM iterations
  s.check_every = 5;
  Solver<TypeParam> solver(testing::test_executor(1), s);
  auto batch = QpBatch<TypeParam>::from_problems(problems);
  const auto first = solver.solve(batch.view());
  for (int b = 0; b < batch.batch(); ++b)
    for (int j = 0; j < batch.n(); ++j) batch.q(b)[j] *= TypeParam(1.001);
  const auto warm = solver.solve(batch.view());
  solver.reset_warm_start();
  const auto cold = solver.solve(batch.view());
  int warm_total = 0, cold_total = 0;
  for (int b = 0; b < batch.batch(); ++b) {
    ASSERT_EQ(first.status[b], SolveStatus::solved);
    DenseQp perturbed = problems[b];
    for (double& v : perturbed.q) v *= 1.001;
    const auto ref = testing::reference_solve(perturbed);
    ASSERT_TRUE(ref.converged && ref.polished);
    // The warm start changes where ADMM starts, not what the answer must be.
    testing::expect_answer_as_promised(perturbed, warm, b, ref.x, ref.y);
    warm_total += warm.iterations[b];
    cold_total += cold.iterations[b];
  }
  // Measured (6 problems, iterations in total): warm 60 vs cold 180 in double, 30 vs 145 in
  // float. A start 0.1% away from the answer must save at least half of the work.
  EXPECT_LE(2 * warm_total, cold_total) << "warm " << warm_total << " vs cold " << cold_total;
}

TYPED_TEST(AdmmForward, DetectsPrimalInfeasibilityWithACertificate) {
  const DenseQp qp = testing::small_infeasible_qp();  // x1 + x2 ≥ 3, x1, x2 ≤ 1
  const auto r = solve_problems<TypeParam>({qp}, testing::test_executor(1));
  ASSERT_EQ(r.status[0], SolveStatus::primal_infeasible);
  // Farkas certificate, normalized to unit inf-norm: the only one is y = (−1, 1, 1), with Aᵀy = 0
  // and uᵀy₊ + lᵀy₋ = −1 < 0. Measured: exact in float, 2.1e-9 off in double → bound 2e-8 / 4 ulp.
  const double tol = sizeof(TypeParam) == sizeof(double) ? 2e-8 : 4 * std::numeric_limits<float>::epsilon();
  const TypeParam* y = r.y_of(0);
  EXPECT_NEAR(y[0], -1.0, tol);
  EXPECT_NEAR(y[1], 1.0, tol);
  EXPECT_NEAR(y[2], 1.0, tol);
}

TYPED_TEST(AdmmForward, DetectsDualInfeasibilityOfAnUnboundedLp) {
  // minimize −x1 subject to x2 ≤ 1: x1 is free to grow.
  DenseQp qp;
  qp.n = 2;
  qp.m = 1;
  qp.P = {0, 0, 0, 0};
  qp.q = {-1, 0};
  qp.A = {0, 1};
  qp.l = {-std::numeric_limits<double>::infinity()};
  qp.u = {1};
  const auto r = solve_problems<TypeParam>({qp}, testing::test_executor(1));
  ASSERT_EQ(r.status[0], SolveStatus::dual_infeasible);
  // The only unit certificate direction is +x1: δx = (1, 0) (measured: exact in both precisions).
  const double tol = 4 * std::numeric_limits<TypeParam>::epsilon();
  EXPECT_NEAR(r.x_of(0)[0], 1.0, tol);
  EXPECT_NEAR(r.x_of(0)[1], 0.0, tol);
}

TYPED_TEST(AdmmForward, BadProblemsGetTheirOwnStatusAndNeighboursStillSolve) {
  PlantedOptions o;
  o.n = 6;
  o.m = 4;
  o.n_active = 2;
  const PlantedQp good = make_planted_qp(o);
  auto with = [&](auto edit) {
    DenseQp p = good.qp;
    edit(p);
    return p;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<DenseQp> problems = {
      good.qp,
      with([&](DenseQp& p) { p.P[7] = nan; }),
      with([&](DenseQp& p) { p.q[2] = std::numeric_limits<double>::infinity(); }),
      with([&](DenseQp& p) { p.A[3] = nan; }),
      with([&](DenseQp& p) { p.l[1] = p.u[1] + 1; if (!std::isfinite(p.l[1])) { p.u[1] = 0; p.l[1] = 1; } }),
      with([&](DenseQp& p) { p.P[1] += 0.5; }),                        // P not symmetric
      with([&](DenseQp& p) { for (int i = 0; i < 6; ++i) p.P[i * 6 + i] -= 10; }),  // P indefinite
      with([&](DenseQp& p) { p.l[0] = nan; }),
      good.qp,
  };
  const std::vector<std::pair<SolveStatus, InputIssue>> expected = {
      {SolveStatus::solved, InputIssue::none},
      {SolveStatus::invalid_input, InputIssue::non_finite_data},
      {SolveStatus::invalid_input, InputIssue::non_finite_data},
      {SolveStatus::invalid_input, InputIssue::non_finite_data},
      {SolveStatus::invalid_input, InputIssue::bounds_crossed},
      {SolveStatus::invalid_input, InputIssue::p_not_symmetric},
      {SolveStatus::invalid_input, InputIssue::p_not_psd},
      {SolveStatus::invalid_input, InputIssue::non_finite_data},
      {SolveStatus::solved, InputIssue::none},
  };
  for (const auto& [name, exec] : available_executors()) {
    SCOPED_TRACE(name);
    const auto r = solve_problems<TypeParam>(problems, exec);
    for (int b = 0; b < r.batch; ++b) {
      SCOPED_TRACE("problem " + std::to_string(b));
      EXPECT_EQ(r.status[b], expected[b].first);
      EXPECT_EQ(r.input_issue[b], expected[b].second);
      for (int j = 0; j < r.n; ++j) EXPECT_TRUE(std::isfinite(double(r.x_of(b)[j])));
    }
    testing::expect_answer_as_promised(good.qp, r, 0, good.x_star, good.y_star);
    testing::expect_answer_as_promised(good.qp, r, 8, good.x_star, good.y_star);
  }
}

TYPED_TEST(AdmmForward, UnconstrainedProblemWithNoRows) {
  DenseQp qp;
  qp.n = 3;
  qp.m = 0;
  qp.P = {2, 0, 0, 0, 4, 0, 0, 0, 8};
  qp.q = {-2, -4, -8};
  const auto r = solve_problems<TypeParam>({qp}, testing::test_executor(1));
  testing::expect_answer_as_promised(qp, r, 0, {1.0, 1.0, 1.0});
}

TEST(SolverApi, MisuseThrowsInvalidArgumentNamingTheArgument) {
  QpBatch<double> batch(2, 3, 2);
  QpBatchView<double> v = batch.view();
  Solver<double> solver(testing::test_executor());
  auto expect_message = [&](QpBatchView<double> bad, const std::string& needle) {
    try {
      solver.solve(bad);
      FAIL() << "expected InvalidArgument mentioning " << needle;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  QpBatchView<double> bad = v;
  bad.n = 0;
  expect_message(bad, "n = 0");
  bad = v;
  bad.q = nullptr;
  expect_message(bad, "QpBatchView::q");
  bad = v;
  bad.A_stride = 3;
  expect_message(bad, "A_stride");
  bad = v;
  bad.m = -1;
  expect_message(bad, "m = -1");

  Settings s;
  s.alpha = 2.5;
  EXPECT_THROW(Solver<double>(Executor::cpu(), s), InvalidArgument);
  s = Settings{};
  s.max_iter = 0;
  EXPECT_THROW(Solver<double>(Executor::cpu(), s), InvalidArgument);
  EXPECT_THROW(Executor::cpu(-1), InvalidArgument);
  EXPECT_THROW(Executor::cuda(0).with_block_size(257), InvalidArgument);
  EXPECT_THROW(Executor::cuda(0).with_block_size(-1), InvalidArgument);
  EXPECT_THROW(Executor::cpu().with_block_size(64), InvalidArgument);
  EXPECT_THROW(Executor::cpu().with_device_memory_limit(1 << 20), InvalidArgument);
  EXPECT_THROW(Executor::cpu().with_shared_memory_workspace(false), InvalidArgument);
  EXPECT_FALSE(Executor::cuda(0).with_shared_memory_workspace(false).shared_memory_workspace());
  {
    const auto tiny = QpBatch<double>::from_problems({generators::make_random_feasible_qp(3, 2, 1)});
    std::vector<double> x(3), y(2);
    std::vector<SolveStatus> status(1);
    try {
      Solver<double>(Executor::cpu()).solve_on_device(tiny.view(), {x.data(), y.data(), status.data()});
      FAIL() << "expected InvalidArgument";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("CUDA executor"), std::string::npos) << e.what();
    }
    EXPECT_THROW(Solver<double>(Executor::cuda(0)).solve_on_device(tiny.view(), {x.data(), y.data(), nullptr}),
                 InvalidArgument);  // DeviceSolution::status is null: checked before any device call
  }
  EXPECT_EQ(Executor::cuda(0).with_block_size(33).block_size(), 33);
  // Several problems per block need warp tiles (a power of two ≤ 32 threads, ≤ 256 per block), in either order.
  EXPECT_EQ(Executor::cuda(0).with_problems_per_block(8).with_block_size(16).problems_per_block(), 8);
  EXPECT_EQ(Executor::cuda(0).with_block_size(32).with_problems_per_block(8).block_size(), 32);
  EXPECT_THROW(Executor::cuda(0).with_problems_per_block(0), InvalidArgument);
  EXPECT_THROW(Executor::cuda(0).with_problems_per_block(33), InvalidArgument);
  EXPECT_THROW(Executor::cpu().with_problems_per_block(4), InvalidArgument);
  EXPECT_THROW(Executor::cuda(0).with_block_size(24).with_problems_per_block(4), InvalidArgument);
  EXPECT_THROW(Executor::cuda(0).with_problems_per_block(4).with_block_size(64), InvalidArgument);
  EXPECT_THROW(Executor::cuda(0).with_block_size(32).with_problems_per_block(16), InvalidArgument);  // 512 threads
  EXPECT_THROW(Executor::cuda(0).with_problems_per_block(16), InvalidArgument);  // default width 32: 512 threads
  EXPECT_NO_THROW(Executor::cuda(0).with_problems_per_block(8));
  EXPECT_NO_THROW(Executor::cuda(0).with_block_size(64).with_problems_per_block(1));
  EXPECT_EQ(Executor::cuda(0).with_device_memory_limit(12345).device_memory_limit(), 12345u);

  DenseQp a, b;
  a.n = 2; a.m = 1; a.P.assign(4, 0); a.q.assign(2, 0); a.A.assign(2, 0); a.l = {0}; a.u = {1};
  b = a;
  b.n = 3; b.P.assign(9, 0); b.q.assign(3, 0); b.A.assign(3, 0);
  EXPECT_THROW(QpBatch<double>::from_problems({a, b}), InvalidArgument);
}

TEST(SolverApi, CudaExecutorWithoutAGpuFailsClearly) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present; this test covers builds/machines without one";
  Solver<double> solver(Executor::cuda(0));
  QpBatch<double> batch(1, 2, 0);
  batch.P(0)[0] = batch.P(0)[3] = 1;
  try {
    solver.solve(batch.view());
    FAIL() << "expected CudaUnavailable";
  } catch (const CudaUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("Executor::cuda"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bpqp

namespace bpqp {
namespace {

// Settings that stop ADMM after 10 iterations, long before it converges, so that the interior-point
// fallback has to produce (and certify) the answer.
Settings handover_early(bool fallback) {
  Settings s;
  s.interior_point_fallback = fallback;
  s.interior_point_after = 10;
  s.max_iter = 10;
  s.check_every = 5;
  s.polish_first_attempt = 0;
  s.polish = false;  // polishing at the hand-over would otherwise finish these small problems
  return s;
}

TYPED_TEST(AdmmForward, InteriorPointFallbackRecoversPlantedSolutions) {
  std::vector<PlantedQp> planted;
  PlantedOptions o;
  o.n = 15;
  o.m = 10;
  o.n_equality = 3;
  o.n_active = 5;
  o.n_variable_bounds = 8;
  o.margin = 1e-2;  // nearly active rows: hard for ADMM in 25 iterations
  for (int b = 0; b < 4; ++b) {
    o.seed = 70 + b;
    planted.push_back(make_planted_qp(o));
  }
  planted.push_back(make_planted_lp(15, 3, 99));  // same 15×18 shape: a batch is uniform
  const auto without = solve_problems<TypeParam>(problems_of(planted), testing::test_executor(1), handover_early(false));
  const auto with = solve_problems<TypeParam>(problems_of(planted), testing::test_executor(1), handover_early(true));
  int admm_alone_solved = 0;
  for (int b = 0; b < with.batch; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    admm_alone_solved += without.status[b] == SolveStatus::solved;
    EXPECT_EQ(without.interior_point_iterations[b], 0);
    EXPECT_GT(with.interior_point_iterations[b], 0);
  }
  EXPECT_LT(admm_alone_solved, with.batch) << "the settings must leave ADMM alone short of the answer";
  expect_recovers_planted(planted, with, /*polish=*/false);  // certified by its termination test alone
}

// A Farkas certificate of small_infeasible_qp's rows to ADMM's own test (unit inf-norm):
// ‖Aᵀy‖∞ ≤ eps_prim_inf and uᵀy₊ + lᵀy₋ < 0; the only exact one is (−1, 1, 1), whose support
// value is −1.
template <class T>
void expect_farkas_certificate(const DenseQp& lp, const T* y) {
  double aty[2] = {0.0, 0.0}, support = 0.0;
  for (int i = 0; i < lp.m; ++i) {
    for (int j = 0; j < lp.n; ++j) aty[j] += lp.A[static_cast<std::size_t>(i) * lp.n + j] * y[i];
    if (y[i] != 0) support += y[i] * (y[i] > 0 ? lp.u[i] : lp.l[i]);
  }
  const double eps = Settings{}.eps_prim_inf;
  EXPECT_LE(std::max(std::abs(aty[0]), std::abs(aty[1])), eps);
  EXPECT_NEAR(support, -1.0, 10 * eps);
}

DenseQp small_infeasible_lp() {
  DenseQp lp = testing::small_infeasible_qp();  // x1 + x2 ≥ 3, x1, x2 ≤ 1
  std::fill(lp.P.begin(), lp.P.end(), 0.0);
  lp.q = {1.0, -2.0};
  return lp;
}

// ADMM given no time for its own certificate hands an infeasible problem to the interior point,
// which cannot solve it, but whose multipliers diverge along the Farkas ray until they pass the
// infeasibility test (kernels/interior_point.hpp, interior_point_infeasibility): that is the
// certificate, the only one, y ∝ (−1, 1, 1). (Before that proof the status was max_iterations.)
TYPED_TEST(AdmmForward, InteriorPointFallbackProvesAnInfeasibleProblemSo) {
  const DenseQp qp = testing::small_infeasible_qp();
  Settings s = handover_early(true);
  s.max_iter = 5;  // no time for ADMM's infeasibility certificate
  s.check_every = 5;
  s.interior_point_after = 5;
  const auto r = solve_problems<TypeParam>({qp}, testing::test_executor(1), s);
  EXPECT_EQ(r.iterations[0], 5);
  EXPECT_GT(r.interior_point_iterations[0], 0);
  ASSERT_EQ(r.status[0], SolveStatus::primal_infeasible);
  expect_farkas_certificate(qp, r.y_of(0));
}

// A polish rejected inside the interior point's loop must not change which rows the Newton
// matrix holds as equalities: the polish overwrites w.active_rows with its own active set
// (equality and active inequality rows, in row order), and Newton steps that took those for
// the equality rows (issue 18) broke down after the first rejection, leaving the first
// certified iterate. Polishing is made to fail here (heavy regularization, no refinement) at
// a loose eps, so that the interior point certifies early and must go on, past the rejected
// polishes, until complementarity is 1e-4·eps: its answer then lies well inside eps (with
// the bug: 3–4e-4 at eps 1e-3; without it, about 1e-5).
TYPED_TEST(AdmmForward, TheInteriorPointKeepsItsEqualityRowsThroughRejectedPolishes) {
  std::vector<PlantedQp> planted;
  PlantedOptions o;
  o.n = 15;
  o.m = 10;
  o.n_equality = 4;
  o.n_active = 5;
  o.n_variable_bounds = 8;
  o.margin = 1e-2;
  for (int b = 0; b < 6; ++b) {
    o.seed = 170 + b;
    planted.push_back(make_planted_qp(o));
  }
  Settings s = handover_early(true);
  s.polish = true;
  s.delta = 0.5;  // the polished point is off by O(delta): rejected
  s.polish_refine_iterations = 0;
  s.eps_abs = s.eps_rel = 1e-3;
  const auto r = solve_problems<TypeParam>(problems_of(planted), testing::test_executor(1), s);
  for (int b = 0; b < r.batch; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(r.status[b], SolveStatus::solved);
    EXPECT_GT(r.interior_point_iterations[b], 0);
    EXPECT_EQ(r.polish[b], PolishStatus::rejected) << "the settings must make every polish fail";
    const DenseQp& qp = planted[b].qp;
    const std::vector<double> x(r.x_of(b), r.x_of(b) + r.n), y(r.y_of(b), r.y_of(b) + r.m);
    const auto certificate = testing::certify_optimality(
        qp, x.data(), y.data(), testing::certificate_scales(qp, testing::inf_norm(planted[b].x_star.data(), qp.n)));
    EXPECT_LE(certificate.worst(), 0.1 * *s.eps_abs) << certificate;
  }
}

// Every LP of r solved, polished (a verified active set) and at the reference vertex.
void expect_verified_vertices(const std::vector<DenseQp>& lps, const SolveResult<double>& r) {
  for (int b = 0; b < r.batch; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    EXPECT_EQ(r.status[b], SolveStatus::solved);
    EXPECT_EQ(r.polish[b], PolishStatus::succeeded);
    const auto ref = testing::reference_solve(lps[b]);
    ASSERT_TRUE(ref.converged && ref.polished);
    testing::expect_answer_as_promised(lps[b], r, b, ref.x, ref.y);
  }
}

// Random LPs (0 <= x <= 1, A x = b) whose ADMM iterates reach eps while the active
// set is still ambiguous: the final polish is rejected, and without a rescue the
// backward pass would differentiate an unverified face. These seeds were found
// that way; the interior point run after the rejection must end polished.
TEST(AdmmForwardRescue, RejectedPolishOfAConvergedLpIsRescuedByTheInteriorPoint) {
  std::vector<DenseQp> lps;
  for (std::uint64_t seed : {28, 37, 64})
    lps.push_back(generators::make_benchmark_problem(generators::ProblemFamily::random_lp, 100, 20, seed));
  Settings without_rescue;
  without_rescue.interior_point_fallback = false;
  const auto plain = solve_problems<double>(lps, testing::test_executor(1), without_rescue);
  const auto rescued = solve_problems<double>(lps, testing::test_executor(1));
  int rejected = 0;
  for (int b = 0; b < plain.batch; ++b) rejected += plain.polish[b] == PolishStatus::rejected;
  EXPECT_GT(rejected, 0) << "the seeds must reproduce a rejected polish, or this test checks nothing";
  expect_verified_vertices(lps, rescued);
}

// ADMM crawls toward an LP's vertex. By default (interior_point_after_lp = 0) an LP starts
// in the interior point, before any ADMM iteration; interior_point_after_lp = 100 hands it
// over after 100 ADMM iterations instead of interior_point_after (4000). Every way ends at
// the same verified vertex.
TEST(AdmmForwardLp, AnLpStartsInTheInteriorPointOrGoesThereEarlyAndEndsAtTheVerifiedVertex) {
  std::vector<DenseQp> lps;
  for (std::uint64_t seed : {3, 4, 5, 6})
    lps.push_back(generators::make_benchmark_problem(generators::ProblemFamily::random_lp, 60, 12, seed));
  Settings late;
  late.interior_point_after_lp = late.interior_point_after;
  const auto admm_longer = solve_problems<double>(lps, testing::test_executor(1), late);
  Settings early;
  early.interior_point_after_lp = 100;
  const auto handed_over = solve_problems<double>(lps, testing::test_executor(1), early);
  const Settings first;
  ASSERT_EQ(first.interior_point_after_lp, 0);
  const auto r = solve_problems<double>(lps, testing::test_executor(1), first);
  int longer = 0, handed = 0;
  for (int b = 0; b < r.batch; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    longer += admm_longer.iterations[b] > early.interior_point_after_lp;
    // Either ADMM finished first, or it handed over exactly at interior_point_after_lp.
    EXPECT_LE(handed_over.iterations[b], early.interior_point_after_lp);
    if (handed_over.interior_point_iterations[b] > 0) {
      ++handed;
      EXPECT_EQ(handed_over.iterations[b], early.interior_point_after_lp);
    }
    EXPECT_EQ(r.iterations[b], 0) << "no ADMM iteration before the interior point";
    EXPECT_GT(r.interior_point_iterations[b], 0);
    const auto ref = testing::reference_solve(lps[b]);
    ASSERT_TRUE(ref.converged && ref.polished);
    for (const auto* result : {&r, &handed_over}) {
      EXPECT_EQ(result->status[b], SolveStatus::solved);
      EXPECT_EQ(result->polish[b], PolishStatus::succeeded);
      testing::expect_answer_as_promised(lps[b], *result, b, ref.x, ref.y);
    }
  }
  EXPECT_GT(longer, 0) << "ADMM alone must take longer than the hand-over on these LPs, or this test checks nothing";
  EXPECT_GT(handed, 0);
}

// mixed_lp's rows span three decades and some of its vertices have multipliers near 1e-5:
// there the interior point's slack and multiplier of one row are both near √μ when it
// certifies, comparing them guessed that row inactive, the polish of that set was rejected
// and the backward differentiated the wrong face (1 problem in 64 at 100×20, gradient cosine
// 0). The trend of the last step (Tapia's indicator) is tried next: every vertex verified.
TEST(AdmmForwardLp, EveryMixedLpVertexIsVerifiedEvenWithATinyMultiplier) {
  std::vector<DenseQp> lps;
  for (std::uint64_t seed = 1; seed <= 64; ++seed)
    lps.push_back(generators::make_benchmark_problem(generators::ProblemFamily::mixed_lp, 100, 20, seed));
  expect_verified_vertices(lps, solve_problems<double>(lps, testing::test_executor(1)));
}

// Columns over twelve decades: mixed_lp with column j of A (and its cost) scaled by
// 10^U(−6, 6). Ruiz scaling used to leave a row or column whose norm was below 1e-4 unscaled
// (OSQP's rule), so the smallest columns kept their 1e-6 in the scaled problem, the interior
// point's dual residual stalled at 1e-8 scaled (1e-2 unscaled) and all 20 problems ended at
// max_iterations. Such norms are now clamped to 1e-4 per pass, as the cost's already was.
TEST(AdmmForwardLp, AnLpWhoseColumnsSpanTwelveDecadesIsSolvedWithACertificate) {
  std::vector<DenseQp> lps;
  std::mt19937_64 gen(21);
  std::uniform_real_distribution<double> decades(-6.0, 6.0);
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    DenseQp qp = generators::make_benchmark_problem(generators::ProblemFamily::mixed_lp, 50, 10, seed);
    for (int j = 0; j < qp.n; ++j) {
      const double scale = std::pow(10.0, decades(gen));
      for (int i = 0; i < qp.m; ++i) qp.A[static_cast<std::size_t>(i) * qp.n + j] *= scale;
      qp.q[j] *= scale;
    }
    lps.push_back(qp);
  }
  const Settings s;
  const auto r = solve_problems<double>(lps, testing::test_executor(1), s);
  int solved = 0;
  for (int b = 0; b < r.batch; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    if (r.status[b] != SolveStatus::solved) {
      std::printf("problem %d: %s after %d + %d interior-point iterations\n", b, to_string(r.status[b]),
                  r.iterations[b], r.interior_point_iterations[b]);
      continue;
    }
    ++solved;
    const auto ref = testing::reference_solve(lps[b]);
    ASSERT_TRUE(ref.converged);
    const std::vector<double> x(r.x_of(b), r.x_of(b) + r.n), y(r.y_of(b), r.y_of(b) + r.m);
    const auto certificate = testing::certify_optimality(
        lps[b], x.data(), y.data(), testing::certificate_scales(lps[b], testing::inf_norm(ref.x.data(), r.n)));
    EXPECT_LE(certificate.worst(), 10 * (effective_eps_abs<double>(s) + effective_eps_rel<double>(s))) << certificate;
  }
  EXPECT_GE(solved, 19);
}

// An infeasible LP starts in the interior point, whose multipliers diverge along the Farkas
// ray: by its tenth step they pass ADMM's infeasibility test, and that is the certificate
// (kernels/interior_point.hpp, interior_point_infeasibility); ADMM does not run.
TYPED_TEST(AdmmForward, AnInfeasibleLpStartedInTheInteriorPointIsProvedSoByIt) {
  const DenseQp lp = small_infeasible_lp();
  const auto r = solve_problems<TypeParam>({lp}, testing::test_executor(1));
  ASSERT_EQ(r.status[0], SolveStatus::primal_infeasible);
  EXPECT_EQ(r.iterations[0], 0) << "no ADMM";
  EXPECT_EQ(r.interior_point_iterations[0], 10);
  expect_farkas_certificate(lp, r.y_of(0));
}

// With too few Newton steps to prove anything, the LP goes on to ADMM, whose certificate is the
// one reported (with its ρ vector and factorization rebuilt after the interior point spent them).
TYPED_TEST(AdmmForward, AnInfeasibleLpTheInteriorPointCannotProveGetsAdmmsCertificate) {
  const DenseQp lp = small_infeasible_lp();
  Settings s;
  s.interior_point_max_iter = 2;
  const auto r = solve_problems<TypeParam>({lp}, testing::test_executor(1), s);
  ASSERT_EQ(r.status[0], SolveStatus::primal_infeasible);
  EXPECT_EQ(r.interior_point_iterations[0], 2) << "the interior point ran first";
  EXPECT_GT(r.iterations[0], 0) << "then ADMM";
  expect_farkas_certificate(lp, r.y_of(0));
}

}  // namespace
}  // namespace bpqp
