// The sparse path with Settings::sparse_linear_system = conjugate_gradient (kernels/sparse_pcg.hpp):
// the code the GPU runs, here on one CPU thread. Planted QPs to their tolerance (no polish: the
// unpolished promise), the mixed batch's statuses, agreement with the factorization's ADMM,
// warm starts, Maros–Mészáros problems against their reference objectives, and the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "bpqp/bpqp.hpp"
#include "bpqp/io/qps_reader.hpp"
#include "problems/problem_generators.hpp"
#include "support/mixed_batch.hpp"
#include "support/promised_accuracy.hpp"
#include "support/sparse_path_support.hpp"
#include "support/union_batch.hpp"

namespace {

using bpqp::Settings;
using bpqp::SolveStatus;
using bpqp::SparseLinearSystem;
using bpqp::testing::conjugate_gradient_settings;

TEST(SparseConjugateGradient, PlantedQpsSolveToTheirTolerance) {
  for (int seed = 1; seed <= 6; ++seed) {
    bpqp::generators::PlantedOptions o;
    o.n = 20 + 7 * seed;
    o.m = 15 + 4 * seed;
    o.n_equality = seed % 3;
    o.n_active = 4;
    o.n_variable_bounds = seed % 2 ? o.n : 0;
    o.seed = seed;
    const auto planted = bpqp::generators::make_planted_qp(o);
    const auto r = bpqp::solve_sparse(bpqp::to_sparse(planted.qp), conjugate_gradient_settings(1e-7));
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_EQ(r.status[0], SolveStatus::solved);
    EXPECT_EQ(r.polish[0], bpqp::PolishStatus::not_run);  // nothing is factored
    EXPECT_EQ(r.interior_point_iterations[0], 0);
    bpqp::testing::expect_answer_as_promised(planted.qp, r, 0, planted.x_star, planted.y_star);
    EXPECT_LT(bpqp::testing::relative_distance(r.x_of(0), planted.x_star), 1e-4);
  }
}

// The same ADMM as the factorization's with polishing and the interior point off: only the
// x-update's linear solve differs (exact there, to the conjugate gradient's tolerance here), so
// both reach the same solution to the tolerance, in comparable iterations.
TEST(SparseConjugateGradient, AgreesWithTheFactorizationsAdmm) {
  for (int seed = 1; seed <= 4; ++seed) {
    const bpqp::DenseQp qp = bpqp::generators::make_random_feasible_qp(60, 40, seed);
    const Settings cg = conjugate_gradient_settings(1e-8);
    Settings factored = cg;
    factored.sparse_linear_system = SparseLinearSystem::factorization;
    factored.polish = false;
    factored.interior_point_fallback = false;
    const auto a = bpqp::solve_sparse(bpqp::to_sparse(qp), cg);
    const auto b = bpqp::solve_sparse(bpqp::to_sparse(qp), factored);
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_EQ(a.status[0], SolveStatus::solved);
    ASSERT_EQ(b.status[0], SolveStatus::solved);
    const std::vector<double> x_factored(b.x_of(0), b.x_of(0) + qp.n);
    EXPECT_LT(bpqp::testing::relative_distance(a.x_of(0), x_factored), 1e-5);
    EXPECT_NEAR(a.objective[0], b.objective[0], 1e-6 * (1.0 + std::abs(b.objective[0])));
    EXPECT_LE(a.iterations[0], 2 * b.iterations[0] + 50);
  }
}

// A problem whose primal residual is exactly 0 — no rows, or only free rows — still sets the
// solves' tolerance from its dual residual (it stalled at solved_inaccurate, 10000 iterations).
TEST(SparseConjugateGradient, ProblemsWithoutBindingRowsConvergeToTheUnconstrainedMinimum) {
  const double inf = std::numeric_limits<double>::infinity();
  bpqp::DenseQp qp;
  qp.n = 3;
  qp.P = {4, 1, 0, 1, 3, -1, 0, -1, 5};
  qp.q = {1, -2, 3};
  // x* = −P⁻¹q, by Cramer's rule (det P = 51).
  const std::vector<double> x_star = {-21.0 / 51, 33.0 / 51, -24.0 / 51};
  for (int rows : {0, 1}) {
    SCOPED_TRACE(std::to_string(rows) + " free rows");
    qp.m = rows;
    qp.A.assign(static_cast<std::size_t>(rows) * 3, 1.0);
    qp.l.assign(rows, -inf);
    qp.u.assign(rows, inf);
    const auto r = bpqp::solve_sparse(bpqp::to_sparse(qp), conjugate_gradient_settings(1e-8));
    ASSERT_EQ(r.status[0], SolveStatus::solved);
    EXPECT_LT(r.iterations[0], 500);
    EXPECT_LT(bpqp::testing::relative_distance(r.x_of(0), x_star), 1e-6);
  }
}

// Every status exactly, one bad problem not spoiling the batch: infeasible and unbounded
// problems are proved so by ADMM's own certificates (no interior point to prove them here).
TEST(SparseConjugateGradient, MixedBatchGivesEveryStatusAndAnswer) {
  const bpqp::testing::UnionBatch u = bpqp::testing::union_batch(bpqp::testing::mixed_batch_problems());
  Settings s = bpqp::testing::mixed_batch_settings();
  s.sparse_linear_system = SparseLinearSystem::conjugate_gradient;
  const auto r = bpqp::solve_sparse(u.view, s);
  bpqp::testing::expect_mixed_batch_outcomes(r);
  EXPECT_EQ(r.input_issue[3], bpqp::InputIssue::non_finite_data);
}

TEST(SparseConjugateGradient, WarmStartReducesIterationsOnAPerturbedResolve) {
  std::vector<bpqp::DenseQp> problems;
  for (int b = 0; b < 4; ++b) problems.push_back(bpqp::generators::make_random_feasible_qp(50, 30, 700 + b));
  bpqp::testing::UnionBatch u = bpqp::testing::union_batch(problems);
  Settings s = conjugate_gradient_settings(1e-7);
  s.check_every = 5;
  bpqp::SparseSolver solver(u.view.P_pattern, u.view.A_pattern, s);
  const auto first = solver.solve(u.view);
  for (double& v : u.q) v *= 1.001;
  const auto warm = solver.solve(u.view);
  solver.reset_warm_start();
  const auto cold = solver.solve(u.view);
  for (int b = 0; b < 4; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(first.status[b], SolveStatus::solved);
    ASSERT_EQ(warm.status[b], SolveStatus::solved);
    ASSERT_EQ(cold.status[b], SolveStatus::solved);
    EXPECT_LT(warm.iterations[b], cold.iterations[b]);
  }
}

// Small Maros–Mészáros problems that ADMM alone solves at eps 1e-6 (on the harder ones of the
// collection it stalls without the factorization's polish and interior point: see
// SparseLinearSystem), against the collection's optimal objectives.
TEST(SparseConjugateGradient, MarosMeszarosProblemsReachTheirReferenceObjective) {
  for (const char* name : {"HS21", "HS35", "HS118", "GENHS28", "QPTEST", "DUAL2", "PRIMAL1", "CVXQP2_S"}) {
    SCOPED_TRACE(name);
    const bpqp::SparseQp qp = bpqp::io::read_qps_sparse(std::string(BPQP_MAROS_MESZAROS_DIR) + "/" + name + ".QPS");
    const auto r = bpqp::solve_sparse(qp, conjugate_gradient_settings(1e-6));
    ASSERT_EQ(r.status[0], SolveStatus::solved);
    const double reference = bpqp::testing::maros_meszaros_reference_objective(name);
    ASSERT_TRUE(std::isfinite(reference));
    // The unpolished objective's error: a few times eps relative (the references have 5 to 8 digits).
    EXPECT_NEAR(r.objective[0] + qp.objective_constant, reference, 1e-4 * (1.0 + std::abs(reference)));
  }
}

TEST(SparseConjugateGradient, TheFactorizationIsRefusedOnCudaAndAnUnknownMethodEverywhere) {
  const bpqp::SparseQp qp = bpqp::to_sparse(bpqp::testing::small_feasible_qp());
  const bpqp::SparseQpBatchView<double> view = bpqp::batch_view(qp);
  Settings factored;
  factored.sparse_linear_system = SparseLinearSystem::factorization;
  try {
    bpqp::SparseSolver solver(view.P_pattern, view.A_pattern, factored, bpqp::Executor::cuda());
    FAIL() << "expected InvalidArgument";
  } catch (const bpqp::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("sparse_linear_system"), std::string::npos) << e.what();
  }
  Settings unknown;
  unknown.sparse_linear_system = static_cast<SparseLinearSystem>(7);
  EXPECT_THROW(bpqp::solve_sparse(qp, unknown), bpqp::InvalidArgument);
}

// Without a usable GPU the CUDA executor's sparse path says so (and a GPU build runs it:
// tests/gpu/test_cuda_sparse.cpp).
TEST(SparseConjugateGradient, TheCudaExecutorWithoutAGpuIsCudaUnavailable) {
  if (bpqp::cuda_available()) GTEST_SKIP() << "a GPU is usable here: tests/gpu/test_cuda_sparse.cpp runs it";
  const bpqp::SparseQp qp = bpqp::to_sparse(bpqp::testing::small_feasible_qp());
  EXPECT_THROW(bpqp::solve_sparse(qp, Settings{}, bpqp::Executor::cuda()), bpqp::CudaUnavailable);
}

}  // namespace
