// The sparse path (bpqp/sparse_solver.hpp) against exact answers and against the dense path:
// planted QPs polished to x*, y*, the mixed batch's statuses and answers exactly as the dense
// path must give them, a batch on one pattern with values per problem, ADMM and the interior
// point step for step with the dense path's, Maros–Mészáros problems read without densifying,
// and its refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bpqp/bpqp.hpp"
#include "bpqp/io/qps_reader.hpp"
#include "problems/problem_generators.hpp"
#include "support/mixed_batch.hpp"
#include "support/promised_accuracy.hpp"
#include "support/reference_qp.hpp"
#include "support/sparse_path_support.hpp"
#include "support/union_batch.hpp"

namespace {

using bpqp::DenseQp;
using bpqp::Settings;
using bpqp::SolveStatus;
using bpqp::SparseQp;
using bpqp::testing::union_batch;
using bpqp::testing::UnionBatch;

// Tolerances for both paths, the interior point off (so that ADMM and polishing are what the
// tests compare; the interior point's own tests turn it on).
Settings sparse_settings(double eps) {
  Settings s;
  s.eps_abs = eps;
  s.eps_rel = eps;
  s.interior_point_fallback = false;
  return s;
}

// Polished on the sparse path: held to the polished promise (the certificate and x*, y* to
// rounding level), as the dense path is.
TEST(SparseForward, PlantedQpsArePolishedToTheirExactSolution) {
  for (int seed = 1; seed <= 6; ++seed) {
    bpqp::generators::PlantedOptions o;
    o.n = 20 + 5 * seed;
    o.m = 15 + 3 * seed;
    o.n_equality = seed % 3;
    o.n_active = 4;
    o.n_variable_bounds = seed % 2 ? o.n : 0;
    o.seed = seed;
    const auto planted = bpqp::generators::make_planted_qp(o);
    const auto r = bpqp::solve_sparse(bpqp::to_sparse(planted.qp), sparse_settings(1e-5));
    SCOPED_TRACE("seed " + std::to_string(seed));
    EXPECT_EQ(r.polish[0], bpqp::PolishStatus::succeeded);
    bpqp::testing::expect_answer_as_promised(planted.qp, r, 0, planted.x_star, planted.y_star);
  }
  // Polishing off: the ADMM point, held to the unpolished promise (the certificate within eps).
  Settings unpolished = sparse_settings(1e-7);
  unpolished.polish = false;
  bpqp::generators::PlantedOptions o;
  o.n = 30;
  o.m = 20;
  const auto planted = bpqp::generators::make_planted_qp(o);
  const auto r = bpqp::solve_sparse(bpqp::to_sparse(planted.qp), unpolished);
  EXPECT_EQ(r.polish[0], bpqp::PolishStatus::not_run);
  bpqp::testing::expect_answer_as_promised(planted.qp, r, 0, planted.x_star, planted.y_star);
  EXPECT_LT(bpqp::testing::relative_distance(r.x_of(0), planted.x_star), 1e-4);
}

TEST(SparseForward, AgreesWithTheDensePathOnRandomQps) {
  const Settings s = sparse_settings(1e-6);
  const Settings dense_settings = s;
  for (int seed = 1; seed <= 4; ++seed) {
    const DenseQp qp = bpqp::generators::make_random_feasible_qp(40, 25, seed);
    const auto sparse = bpqp::solve_sparse(bpqp::to_sparse(qp), s);
    const auto dense = bpqp::Solver<double>(bpqp::Executor::cpu(), dense_settings)
                           .solve(bpqp::QpBatch<double>::from_problems({qp}).view());
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_EQ(sparse.status[0], SolveStatus::solved);
    ASSERT_EQ(dense.status[0], SolveStatus::solved);
    const std::vector<double> x_dense(dense.x_of(0), dense.x_of(0) + qp.n);
    // Both polished: the same vertex of the same active set, to rounding.
    ASSERT_EQ(sparse.polish[0], bpqp::PolishStatus::succeeded);
    ASSERT_EQ(dense.polish[0], bpqp::PolishStatus::succeeded);
    EXPECT_LT(bpqp::testing::relative_distance(sparse.x_of(0), x_dense), 1e-10);
    EXPECT_NEAR(sparse.objective[0], dense.objective[0], 1e-10 * (1.0 + std::abs(dense.objective[0])));
  }
}

TEST(SparseForward, MixedBatchGivesEveryStatusAndAnswer) {
  const UnionBatch u = union_batch(bpqp::testing::mixed_batch_problems());
  const auto r = bpqp::solve_sparse(u.view, bpqp::testing::mixed_batch_settings());
  bpqp::testing::expect_mixed_batch_outcomes(r);
  EXPECT_EQ(r.input_issue[3], bpqp::InputIssue::non_finite_data);
}

TEST(SparseForward, NonConvexAndCrossedProblemsAreTheirOwnInvalidInputs) {
  std::vector<DenseQp> problems(3, bpqp::testing::small_feasible_qp());
  problems[1].P = {-1.0, 0.5, 0.5, 1.0};  // indefinite
  problems[2].l[1] = 3.0;                 // l > u = 2
  const UnionBatch u = union_batch(problems);
  const auto r = bpqp::solve_sparse(u.view);
  EXPECT_EQ(r.status[0], SolveStatus::solved);
  EXPECT_EQ(r.status[1], SolveStatus::invalid_input);
  EXPECT_EQ(r.input_issue[1], bpqp::InputIssue::p_not_psd);
  EXPECT_EQ(r.status[2], SolveStatus::invalid_input);
  EXPECT_EQ(r.input_issue[2], bpqp::InputIssue::bounds_crossed);
  for (int b = 1; b < 3; ++b)
    for (int j = 0; j < r.n; ++j) EXPECT_EQ(r.x_of(b)[j], 0.0);
}

TEST(SparseForward, OnePatternWithValuesPerProblemSolvesEachAsItsOwn) {
  std::vector<DenseQp> problems;
  for (int seed = 1; seed <= 5; ++seed) problems.push_back(bpqp::generators::make_random_feasible_qp(15, 10, seed));
  const UnionBatch u = union_batch(problems);
  const Settings s = sparse_settings(1e-8);
  const auto together = bpqp::solve_sparse(u.view, s);
  for (int b = 0; b < 5; ++b) {
    const auto alone = bpqp::solve_sparse(bpqp::to_sparse(problems[b]), s);
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(together.status[b], SolveStatus::solved);
    EXPECT_EQ(together.iterations[b], alone.iterations[0]);
    for (int j = 0; j < 15; ++j) EXPECT_NEAR(together.x_of(b)[j], alone.x_of(0)[j], 1e-12);
  }
}

// Maros–Mészáros problems that ADMM and polishing solve at eps 1e-6: the objective against
// reference.csv.
TEST(SparseForward, MarosMeszarosProblemsReadSparseReachTheirReferenceObjective) {
  for (const char* name : {"HS21", "HS35", "HS118", "QPTEST", "DUALC1", "GENHS28", "CVXQP2_S", "PRIMALC2"}) {
    SCOPED_TRACE(name);
    const SparseQp qp = bpqp::io::read_qps_sparse(std::string(BPQP_MAROS_MESZAROS_DIR) + "/" + name + ".QPS");
    const double expected = bpqp::testing::maros_meszaros_reference_objective(name);
    ASSERT_TRUE(std::isfinite(expected));
    const auto r = bpqp::solve_sparse(qp, sparse_settings(1e-6));
    ASSERT_EQ(r.status[0], SolveStatus::solved);
    EXPECT_NEAR(r.objective[0] + qp.objective_constant, expected, 1e-4 * (1.0 + std::abs(expected)));
  }
}

// Shared P and A (stride 0) are placed and checked once for the batch: every problem still gets
// its own answer, and a non-convex shared P makes every problem p_not_psd.
TEST(SparseForward, SharedMatricesServeEveryProblem) {
  std::vector<DenseQp> problems(3, bpqp::generators::make_random_feasible_qp(12, 8, 4));
  for (int b = 0; b < 3; ++b)
    for (int j = 0; j < 12; ++j) problems[b].q[j] = std::cos(b + 0.3 * j);
  UnionBatch u = union_batch(problems);
  u.view.P_stride = 0;
  u.view.A_stride = 0;
  const Settings s = sparse_settings(1e-8);
  const auto together = bpqp::solve_sparse(u.view, s);
  for (int b = 0; b < 3; ++b) {
    const auto alone = bpqp::solve_sparse(bpqp::to_sparse(problems[b]), s);
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(together.status[b], SolveStatus::solved);
    EXPECT_EQ(together.iterations[b], alone.iterations[0]);
    for (int j = 0; j < 12; ++j) EXPECT_NEAR(together.x_of(b)[j], alone.x_of(0)[j], 1e-12);
  }
  for (double& v : u.P_values) v = -v;  // −P of a positive definite P: not convex
  const auto bent = bpqp::solve_sparse(u.view, s);
  for (int b = 0; b < 3; ++b) EXPECT_EQ(bent.input_issue[b], bpqp::InputIssue::p_not_psd) << b;
}

// One algorithm, two linear-algebra backends: on Maros–Mészáros problems of every outcome
// ADMM alone reaches (solved, max_iterations, a dual infeasibility certificate — PRIMALC2's is
// false, and polishing is what overrides it), the sparse path and the dense path with
// polishing and the interior point off end alike — the same
// status, the same number of iterations up to a check or two (the linear systems differ,
// reduced against quasi-definite KKT, so the iterates agree only to rounding).
TEST(SparseForward, MatchesTheDensePathsAdmmOnMarosMeszaros) {
  Settings s = sparse_settings(1e-6);
  s.polish = false;
  s.interior_point_fallback = false;
  for (const char* name : {"HS118", "DUAL2", "QADLITTL", "VALUES", "QSCAGR7", "PRIMALC2"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(BPQP_MAROS_MESZAROS_DIR) + "/" + name + ".QPS";
    const auto sparse = bpqp::solve_sparse(bpqp::io::read_qps_sparse(path), s);
    const auto dense = bpqp::Solver<double>(bpqp::Executor::cpu(), s)
                           .solve(bpqp::QpBatch<double>::from_problems({bpqp::io::read_qps(path)}).view());
    EXPECT_EQ(sparse.status[0], dense.status[0]);
    EXPECT_LE(std::abs(sparse.iterations[0] - dense.iterations[0]), 2 * s.check_every);
    if (dense.status[0] == SolveStatus::solved)
      EXPECT_NEAR(sparse.objective[0], dense.objective[0], 1e-6 * (1.0 + std::abs(dense.objective[0])));
  }
}

// ADMM's infeasibility tests are approximate: PRIMALC2 (feasible, optimum −3551.3) passes the
// dual one at iteration 450. With polishing off nothing overrode it and the answer was a false
// dual_infeasible; now the interior point checks every certificate no polish overrode, and
// verifies PRIMALC2's solution on both paths.
TEST(SparseForward, AFalseInfeasibilityCertificateIsOverriddenByTheInteriorPoint) {
  const std::string path = std::string(BPQP_MAROS_MESZAROS_DIR) + "/PRIMALC2.QPS";
  const double expected = bpqp::testing::maros_meszaros_reference_objective("PRIMALC2");
  Settings s = sparse_settings(1e-6);
  s.polish = false;
  s.interior_point_fallback = false;
  const SparseQp sparse_qp = bpqp::io::read_qps_sparse(path);
  const auto admm_only = bpqp::solve_sparse(sparse_qp, s);
  ASSERT_EQ(admm_only.status[0], SolveStatus::dual_infeasible) << "the premise: ADMM's false certificate";
  s.interior_point_fallback = true;
  const auto sparse = bpqp::solve_sparse(sparse_qp, s);
  const DenseQp qp = bpqp::io::read_qps(path);
  const auto dense =
      bpqp::Solver<double>(bpqp::Executor::cpu(), s).solve(bpqp::QpBatch<double>::from_problems({qp}).view());
  for (const auto* r : {&sparse, &dense}) {
    SCOPED_TRACE(r == &sparse ? "sparse" : "dense");
    ASSERT_EQ(r->status[0], SolveStatus::solved);
    EXPECT_GT(r->interior_point_iterations[0], 0);
    EXPECT_NEAR(r->objective[0] + qp.objective_constant, expected, 1e-4 * (1.0 + std::abs(expected)));
  }
}

// The interior point on the sparse path takes the dense path's Newton steps: a problem this
// small has its Newton matrix folded as the dense path folds it (src/cpu/sparse_admm.hpp). On
// planted QPs with equality, active and bound rows, handed over after 25 iterations with
// polishing off, both certify after the same number of steps at the same point.
TEST(SparseForward, InteriorPointTakesTheDensePathsSteps) {
  for (int seed = 1; seed <= 4; ++seed) {
    bpqp::generators::PlantedOptions o;
    o.n = 30;
    o.m = 25;
    o.n_equality = 3 * (seed % 3);
    o.n_active = 5;
    o.n_variable_bounds = 30;
    o.seed = seed;
    const auto planted = bpqp::generators::make_planted_qp(o);
    Settings s = sparse_settings(1e-8);
    s.interior_point_fallback = true;
    s.interior_point_after = 25;
    s.polish = false;
    const auto sparse = bpqp::solve_sparse(bpqp::to_sparse(planted.qp), s);
    const auto dense = bpqp::Solver<double>(bpqp::Executor::cpu(), s)
                           .solve(bpqp::QpBatch<double>::from_problems({planted.qp}).view());
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_EQ(dense.status[0], SolveStatus::solved);
    ASSERT_GT(dense.interior_point_iterations[0], 0);
    EXPECT_EQ(sparse.status[0], SolveStatus::solved);
    EXPECT_EQ(sparse.interior_point_iterations[0], dense.interior_point_iterations[0]);
    const std::vector<double> x_dense(dense.x_of(0), dense.x_of(0) + planted.qp.n);
    EXPECT_LT(bpqp::testing::relative_distance(sparse.x_of(0), x_dense), 1e-9);
    bpqp::testing::expect_answer_as_promised(planted.qp, sparse, 0, planted.x_star, planted.y_star);
  }
}

// Maros–Mészáros problems that ADMM and polishing leave unsolved at 4000 iterations, which the
// dense path hands to the interior point: the sparse path's interior point certifies them too —
// QSCSD6 (n = 1350) through the unfolded Newton matrix, the others folded. QSHARE1B's weights
// span the widest range: unfolded, its directions parted from the dense path's and it went
// uncertified.
TEST(SparseForward, InteriorPointFinishesWhatAdmmLeaves) {
  Settings s = sparse_settings(1e-6);
  s.interior_point_fallback = true;
  for (const char* name : {"QSCAGR7", "QSCTAP1", "QE226", "QSHARE1B", "QSCSD6"}) {
    SCOPED_TRACE(name);
    const SparseQp qp = bpqp::io::read_qps_sparse(std::string(BPQP_MAROS_MESZAROS_DIR) + "/" + name + ".QPS");
    const auto r = bpqp::solve_sparse(qp, s);
    ASSERT_EQ(r.status[0], SolveStatus::solved);
    EXPECT_GT(r.interior_point_iterations[0], 0);
    const double expected = bpqp::testing::maros_meszaros_reference_objective(name);
    EXPECT_NEAR(r.objective[0] + qp.objective_constant, expected, 1e-4 * (1.0 + std::abs(expected)));
  }
}

// min ½‖x − d‖² subject to second differences x_i − 2x_{i+1} + x_{i+2} ≥ 0 (the structure of
// Maros–Mészáros LISWET and YAO), d a noisy sine: at the optimum most rows are active, their
// multipliers grow like n² while their slacks fall to zero, and the interior point's weights D
// span twenty decades. Folded (n ≤ 1000), the multiplier directions recovered from dx carried
// dx's error times D and the interior point stalled (here from n ≈ 700, about 40 steps in); the
// unfolded form, tried next with the steps left, finishes it (n = 902). Unfolded from the start
// (n = 1002), dz is read off the solved ν (src/cpu/sparse_admm.hpp, newton_row_products); from
// dx it stalled. Before both, 9 of 27 such problems (n = 302 … 1002, three seeds) were not
// solved, now all are. Each answer carries the optimality certificate at the solver's eps.
TEST(SparseForward, InteriorPointSolvesLeastSquaresUnderSecondDifferenceConstraints) {
  Settings s = sparse_settings(1e-6);
  s.interior_point_fallback = true;
  for (int n : {902, 1002}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    DenseQp qp;
    qp.n = n;
    qp.m = n - 2;
    qp.P.assign(static_cast<std::size_t>(n) * n, 0.0);
    qp.q.resize(n);
    std::mt19937_64 random(7);
    for (int j = 0; j < n; ++j) {
      qp.P[static_cast<std::size_t>(j) * n + j] = 1.0;
      const double noise = 0.35 * (static_cast<double>(random() >> 11) * 0x1.0p-53 - 0.5);  // std 0.1
      qp.q[j] = -(std::sin(4.0 * j / (n - 1)) + noise);
    }
    qp.A.assign(static_cast<std::size_t>(qp.m) * n, 0.0);
    for (int i = 0; i < qp.m; ++i) {
      qp.A[static_cast<std::size_t>(i) * n + i] = 1.0;
      qp.A[static_cast<std::size_t>(i) * n + i + 1] = -2.0;
      qp.A[static_cast<std::size_t>(i) * n + i + 2] = 1.0;
    }
    qp.l.assign(qp.m, 0.0);
    qp.u.assign(qp.m, std::numeric_limits<double>::infinity());
    const auto r = bpqp::solve_sparse(bpqp::to_sparse(qp), s);
    ASSERT_EQ(r.status[0], SolveStatus::solved) << r.interior_point_iterations[0] << " interior-point steps";
    EXPECT_GT(r.interior_point_iterations[0], 0);
    const double x_bound = std::max(1.0, bpqp::testing::inf_norm(r.x_of(0), n));
    const auto certificate = bpqp::testing::certify_optimality(qp, r.x_of(0), r.y_of(0),
                                                               bpqp::testing::certificate_scales(qp, x_bound));
    EXPECT_LE(certificate.worst(), 1e-6) << certificate;
  }
}

// A SparseSolver re-solve after a small change of q starts from the previous solution: the
// answer is held to the same promise, and ADMM takes far fewer iterations than a cold start.
TEST(SparseSolver, WarmStartReducesIterationsOnAPerturbedResolve) {
  std::vector<DenseQp> problems;
  for (int b = 0; b < 6; ++b) problems.push_back(bpqp::generators::make_random_feasible_qp(30, 15, 900 + b));
  UnionBatch u = union_batch(problems);
  Settings s;
  s.polish_first_attempt = 0;  // count pure ADMM iterations
  s.check_every = 5;
  bpqp::SparseSolver solver(u.view.P_pattern, u.view.A_pattern, s);
  const auto first = solver.solve(u.view);
  for (double& v : u.q) v *= 1.001;
  const auto warm = solver.solve(u.view);
  const auto cold = bpqp::solve_sparse(u.view, s);
  solver.reset_warm_start();
  const auto reset = solver.solve(u.view);
  int warm_total = 0, cold_total = 0;
  for (int b = 0; b < 6; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(first.status[b], SolveStatus::solved);
    DenseQp perturbed = problems[b];
    for (double& v : perturbed.q) v *= 1.001;
    const auto ref = bpqp::testing::reference_solve(perturbed);
    ASSERT_TRUE(ref.converged && ref.polished);
    bpqp::testing::expect_answer_as_promised(perturbed, warm, b, ref.x, ref.y);
    EXPECT_EQ(reset.iterations[b], cold.iterations[b]);  // reset_warm_start: a cold start again
    for (int j = 0; j < 30; ++j) EXPECT_EQ(reset.x_of(b)[j], cold.x_of(b)[j]);
    warm_total += warm.iterations[b];
    cold_total += cold.iterations[b];
  }
  // The dense path's test asks the same: a start 0.1 % away saves at least half of the work.
  EXPECT_LE(2 * warm_total, cold_total) << "warm " << warm_total << " vs cold " << cold_total;

  // warm_start off, or a batch of another size: cold starts.
  s.warm_start = false;
  solver.set_settings(s);
  solver.solve(u.view);
  const auto off = solver.solve(u.view);
  s.warm_start = true;
  solver.set_settings(s);
  solver.solve(u.view);
  UnionBatch fewer = u;
  fewer.view.batch = 5;
  fewer.view.P_values = fewer.P_values.data();  // the copy's own arrays
  fewer.view.A_values = fewer.A_values.data();
  fewer.view.q = fewer.q.data();
  fewer.view.l = fewer.l.data();
  fewer.view.u = fewer.u.data();
  const auto resized = solver.solve(fewer.view);
  for (int b = 0; b < 5; ++b) {
    EXPECT_EQ(off.iterations[b], cold.iterations[b]);
    EXPECT_EQ(resized.iterations[b], cold.iterations[b]);
  }
}

// The solver keeps its own copy of the patterns, and refuses a batch on any other pattern.
TEST(SparseSolver, OwnsItsPatternsAndRefusesAnother) {
  const DenseQp dense = bpqp::generators::make_random_feasible_qp(12, 8, 7);
  std::unique_ptr<bpqp::SparseSolver> solver;
  {
    const SparseQp temporary = bpqp::to_sparse(dense);
    solver = std::make_unique<bpqp::SparseSolver>(temporary.P.pattern(), temporary.A.pattern());
  }  // the arrays the solver was built from are gone
  const SparseQp qp = bpqp::to_sparse(dense);
  const auto r = solver->solve(bpqp::batch_view(qp));
  const auto expected = bpqp::solve_sparse(qp);
  ASSERT_EQ(r.status[0], SolveStatus::solved);
  EXPECT_EQ(r.iterations[0], expected.iterations[0]);
  for (int j = 0; j < qp.n; ++j) EXPECT_EQ(r.x_of(0)[j], expected.x_of(0)[j]);

  DenseQp sparser = dense;  // one entry of A less: another pattern
  sparser.A[3] = 0.0;
  const SparseQp other = bpqp::to_sparse(sparser);
  ASSERT_NE(other.A.nonzeros(), qp.A.nonzeros());
  try {
    solver->solve(bpqp::batch_view(other));
    ADD_FAILURE() << "no InvalidArgument";
  } catch (const bpqp::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("A_pattern differs"), std::string::npos) << e.what();
  }
  // The same number of entries, one row index moved: still another pattern. Without P's
  // diagonal, column 0 is empty and column 1 holds (0, 1) alone; (0, 1) moved to (1, 1).
  DenseQp off_diagonal = dense;
  for (int j = 0; j < dense.n; ++j) off_diagonal.P[j * dense.n + j] = 0.0;
  const SparseQp no_diagonal = bpqp::to_sparse(off_diagonal);
  bpqp::SparseSolver on_no_diagonal(no_diagonal.P.pattern(), no_diagonal.A.pattern());
  SparseQp moved = no_diagonal;
  ASSERT_EQ(moved.P.col_starts[1], 0);
  ASSERT_EQ(moved.P.col_starts[2], 1);
  moved.P.row_indices[0] = 1;
  try {
    on_no_diagonal.solve(bpqp::batch_view(moved));
    ADD_FAILURE() << "no InvalidArgument";
  } catch (const bpqp::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("P_pattern differs"), std::string::npos) << e.what();
  }
  const SparseQp smaller = bpqp::to_sparse(bpqp::generators::make_random_feasible_qp(11, 8, 7));
  try {
    solver->solve(bpqp::batch_view(smaller));
    ADD_FAILURE() << "no InvalidArgument";
  } catch (const bpqp::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("is 11×11, the solver's 12×12"), std::string::npos) << e.what();
  }
  const bpqp::CscPattern no_columns{0, 0, qp.P.col_starts.data(), nullptr};
  try {
    bpqp::SparseSolver refused(no_columns, qp.A.pattern());
    ADD_FAILURE() << "no InvalidArgument";
  } catch (const bpqp::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("expected n >= 1"), std::string::npos) << e.what();
  }
}

// An infeasibility certificate is a direction, not a point near the next answer: a re-solve
// starts that problem cold (as the dense Solver does), and its feasible neighbour warm.
TEST(SparseSolver, ProblemsThatWereNotSolvedStartCold) {
  DenseQp feasible = bpqp::generators::make_random_feasible_qp(10, 6, 11);
  DenseQp infeasible = feasible;
  infeasible.l[0] = infeasible.u[0] = 1.0;  // row 0 twice, at two different values
  infeasible.A[5 * infeasible.n + 0] = 0.0;
  for (int j = 0; j < infeasible.n; ++j) infeasible.A[5 * infeasible.n + j] = infeasible.A[j];
  infeasible.l[5] = infeasible.u[5] = 2.0;
  UnionBatch u = union_batch({feasible, infeasible});
  Settings s;
  s.polish_first_attempt = 0;
  s.check_every = 5;
  bpqp::SparseSolver solver(u.view.P_pattern, u.view.A_pattern, s);
  const auto first = solver.solve(u.view);
  ASSERT_EQ(first.status[0], SolveStatus::solved);
  ASSERT_EQ(first.status[1], SolveStatus::primal_infeasible);
  const auto again = solver.solve(u.view);
  const auto cold = bpqp::solve_sparse(u.view, s);
  EXPECT_LT(again.iterations[0], cold.iterations[0]);   // warm
  EXPECT_EQ(again.iterations[1], cold.iterations[1]);   // cold: the certificate was not kept
  EXPECT_EQ(again.status[1], SolveStatus::primal_infeasible);
}

// An infeasible and an unbounded LP start in the sparse path's interior point, whose iterates
// diverge along the certificates and pass the infeasibility tests by its tenth step (the
// sparse overloads of primal_infeasible and dual_infeasible on given iterates): proved there,
// with no ADMM iterations, and the certificates hold on the user's data.
TEST(SparseForward, InfeasibleAndUnboundedLpsAreProvedSoByTheInteriorPoint) {
  const double inf = std::numeric_limits<double>::infinity();
  const double eps = Settings{}.eps_prim_inf;
  DenseQp infeasible = bpqp::testing::small_infeasible_qp();  // x1 + x2 ≥ 3, x1, x2 ≤ 1
  std::fill(infeasible.P.begin(), infeasible.P.end(), 0.0);
  infeasible.q = {1.0, -2.0};
  DenseQp unbounded = infeasible;  // minimize −x1 − x2 over x1 + x2 ≥ 3 alone
  unbounded.q = {-1.0, -1.0};
  unbounded.u = {inf, inf, inf};
  unbounded.l = {3, -inf, -inf};
  {
    const auto r = bpqp::solve_sparse(bpqp::to_sparse(infeasible), Settings{});
    ASSERT_EQ(r.status[0], SolveStatus::primal_infeasible);
    EXPECT_EQ(r.iterations[0], 0);
    EXPECT_EQ(r.interior_point_iterations[0], 10);
    const double* y = r.y_of(0);  // the only certificate: (−1, 1, 1)
    EXPECT_NEAR(y[0], -1.0, 10 * eps);
    EXPECT_NEAR(y[1], 1.0, 10 * eps);
    EXPECT_NEAR(y[2], 1.0, 10 * eps);
  }
  {
    const auto r = bpqp::solve_sparse(bpqp::to_sparse(unbounded), Settings{});
    ASSERT_EQ(r.status[0], SolveStatus::dual_infeasible);
    EXPECT_EQ(r.iterations[0], 0);
    EXPECT_GT(r.interior_point_iterations[0], 0);
    EXPECT_LE(r.interior_point_iterations[0], 10);
    const double* dx = r.x_of(0);  // qᵀδx < 0 and δx₁ + δx₂ ≥ 0, unit inf-norm
    EXPECT_NEAR(std::max(std::abs(dx[0]), std::abs(dx[1])), 1.0, 1e-12);
    EXPECT_LT(-dx[0] - dx[1], -eps);
    EXPECT_GE(dx[0] + dx[1], -eps);
  }
}

TEST(SparseForward, ConeBlocksAreRefusedByName) {
  SparseQp qp = bpqp::to_sparse(bpqp::testing::small_feasible_qp());
  qp.cones = {bpqp::ConeBlock{1, 2, bpqp::ConeKind::second_order}};
  qp.u[1] = qp.u[2] = std::numeric_limits<double>::infinity();
  try {
    bpqp::solve_sparse(qp);
    ADD_FAILURE() << "no InvalidArgument";
  } catch (const bpqp::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("cone_count"), std::string::npos) << e.what();
  }
}

}  // namespace
