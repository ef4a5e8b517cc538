// When the forward solve first tries to polish (kernels/admm_solve.hpp,
// first_polish_iteration): at the setting for small problems, later where an attempt
// costs many iterations, never when in-loop polishing is off; and never twice from the
// same rejected guess (kernels/polish.hpp, repeats_rejected_guess); with cone blocks, from
// the classification the iterate suggests (guessed_cone_kkt_rows).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/admm_params.hpp"
#include "core/problem_of.hpp"
#include "kernels/admm_solve.hpp"
#include "kernels/serial_group.hpp"
#include "problems/benchmark_problems.hpp"
#include "problems/problem_generators.hpp"

namespace bpqp::kernels {
namespace {

TEST(PolishSchedule, SmallProblemsPolishAtTheSetting) {
  AdmmParams<double> prm;
  prm.polish_first_attempt = 25;
  EXPECT_EQ(first_polish_iteration(100, 20, prm), 25);
  EXPECT_EQ(first_polish_iteration(20, 1001, prm), 25) << "many rows, few variables: a vertex has at most n active";
}

TEST(PolishSchedule, AnExpensiveAttemptWaitsForHalfItsCostInIterations) {
  AdmmParams<double> prm;
  prm.polish_first_attempt = 25;
  const int n = 1350, m = 147;
  const double rows = n + m;
  const double attempt = (rows * rows * rows + double(n) * n * n) / 6.0, iteration = double(n) * n + 2.0 * n * m;
  const int first = first_polish_iteration(n, m, prm);
  EXPECT_GT(first, 25);
  EXPECT_NEAR(first, 0.5 * attempt / iteration, 1.0);
}

TEST(PolishSchedule, ZeroMeansOnlyAtTheEnd) {
  AdmmParams<double> prm;
  prm.polish_first_attempt = 0;
  EXPECT_EQ(first_polish_iteration(1350, 147, prm), 0);
}

// The BPQP paper's SOCP at 500×100 (one block of 501 rows, 100 box rows): the static bound
// counts n + min(m, n) = 1002 KKT rows and waits past iteration 100; the iterate's
// classification (the block on its boundary, a few rows active) makes the attempt about 510
// rows, so the first attempt, which succeeds, comes at an earlier check.
TEST(PolishSchedule, AConeProblemPolishesWhenItsGuessedKktIsAffordable) {
  const DenseQp qp = generators::make_benchmark_problem(generators::ProblemFamily::random_socp, 500, 100, 3);
  const detail::HostConeLayout layout(qp.cones.data(), static_cast<int>(qp.cones.size()), qp.m);
  ProblemView<double> view{qp.n, qp.m, qp.P.data(), qp.q.data(), qp.A.data(), qp.l.data(), qp.u.data()};
  view.cones = layout.layout();
  const AdmmParams<double> prm = detail::to_admm_params<double>(Settings{});
  std::vector<double> buffer(AdmmWorkspace<double>::bytes(qp.n, qp.m, true) / sizeof(double) + 1);
  auto w = AdmmWorkspace<double>::carve(buffer.data(), qp.n, qp.m, nullptr, true);
  std::vector<double> x(qp.n), y(qp.m);
  ProblemReport<double> report;
  admm_solve(SerialGroup{}, view, prm, w, ProblemOutput<double>{x.data(), y.data(), &report});
  ASSERT_EQ(report.status, SolveStatus::solved);
  EXPECT_EQ(report.polish, PolishStatus::succeeded);
  EXPECT_GT(first_polish_iteration(qp.n, qp.m, prm), 100);
  EXPECT_LT(report.iterations, first_polish_iteration(qp.n, qp.m, prm));
}

// A planted QP with three active rows, polished from the guess "no row active" with one
// correction round allowed: the round adds rows, so the attempt is rejected. The same guess
// again is not tried (the KKT solution is left as it was: NaN); after forget_rejected_guess,
// or from another guess, it is.
TEST(PolishSchedule, ARejectedGuessIsNotPolishedAgain) {
  generators::PlantedOptions o;
  o.n = 9;
  o.m = 7;
  o.n_active = 3;
  o.seed = 5;
  const DenseQp qp = generators::make_planted_qp(o).qp;
  AdmmParams<double> prm = detail::to_admm_params<double>(Settings{});
  prm.polish_active_set_rounds = 1;
  std::vector<double> buffer(AdmmWorkspace<double>::bytes(qp.n, qp.m) / sizeof(double) + 1);
  auto w = AdmmWorkspace<double>::carve(buffer.data(), qp.n, qp.m);
  const ProblemView<double> view{qp.n, qp.m, qp.P.data(), qp.q.data(), qp.A.data(), qp.l.data(), qp.u.data()};
  const SerialGroup g;
  ruiz_equilibrate(g, view, prm.scaling_iterations, w);
  forget_rejected_guess(g, qp.m, w);
  for (int i = 0; i < qp.m; ++i) {  // inside every box, no multiplier: nothing active
    w.z[i] = std::isfinite(w.l[i]) ? (std::isfinite(w.u[i]) ? 0.5 * (w.l[i] + w.u[i]) : w.l[i] + 1) : w.u[i] - 1;
    w.y[i] = 0;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto attempt_solved_kkt = [&]() {
    std::fill(w.kkt_sol, w.kkt_sol + qp.n + qp.m, nan);
    Residuals<double> r;
    EXPECT_FALSE(polish_solution(g, qp.n, qp.m, prm, w, &r));
    return !std::isnan(w.kkt_sol[0]);
  };
  EXPECT_TRUE(attempt_solved_kkt()) << "the first attempt runs and is rejected";
  EXPECT_FALSE(attempt_solved_kkt()) << "the same guess again is skipped";
  forget_rejected_guess(g, qp.m, w);
  EXPECT_TRUE(attempt_solved_kkt()) << "forgotten: tried again";
  w.z[0] = w.l[0];  // row 0 now guessed active at its lower bound (y pushes toward it)
  w.y[0] = -1;
  if (!std::isfinite(w.l[0])) {
    w.z[0] = w.u[0];
    w.y[0] = 1;
  }
  EXPECT_TRUE(attempt_solved_kkt()) << "another guess is tried";
}

}  // namespace
}  // namespace bpqp::kernels
