// kernels/batch_phase.hpp: the pieces of the shared-data batch phase that the CUDA
// backend runs in its control kernels (one block) and per-column kernels, checked here
// with the one-thread group and with a team of threads (the stand-in for a block).
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <limits>
#include <random>
#include <vector>

#include "kernels/batch_phase.hpp"
#include "kernels/serial_group.hpp"
#include "support/thread_team_group.hpp"

namespace bpqp::kernels {
namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ReducedSystem {
  int n, m;
  RowMajor P, A;
  std::vector<double> rho;
  double sigma = 1e-6;
};

ReducedSystem random_reduced_system(int n, int m, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  ReducedSystem s{n, m, RowMajor(n, n), RowMajor(m, n), std::vector<double>(m)};
  const RowMajor M = RowMajor::NullaryExpr(n, n, [&] { return normal(rng); });
  s.P = M.transpose() * M / n;  // PSD, possibly nearly singular: σ and ρ make K definite
  s.A = RowMajor::NullaryExpr(m, n, [&] { return normal(rng); });
  for (int i = 0; i < m; ++i) s.rho[i] = i % 3 == 0 ? 100.0 : 0.1;  // equality-like rows beside ordinary ones
  return s;
}

Eigen::MatrixXd reduced_matrix(const ReducedSystem& s) {
  Eigen::VectorXd rho = Eigen::Map<const Eigen::VectorXd>(s.rho.data(), s.m);
  Eigen::MatrixXd K = s.P + s.A.transpose() * rho.asDiagonal() * s.A;
  K.diagonal().array() += s.sigma;
  return K;
}

template <class Group>
bool invert(const Group& g, const ReducedSystem& s, std::vector<double>& K_scratch, std::vector<double>& inverse_scratch,
            std::vector<double>& pivots, std::vector<double>& K_inv) {
  return invert_reduced_matrix(g, s.n, s.m, s.P.data(), s.A.data(), s.rho.data(), s.sigma, K_scratch.data(),
                               inverse_scratch.data(), pivots.data(), K_inv.data());
}

TEST(BatchPhase, InvertsTheReducedMatrix) {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    const ReducedSystem s = random_reduced_system(9 + 3 * seed, 4 + seed, seed);
    const int n = s.n;
    std::vector<double> K(n * n), inverse_scratch(n * n), pivots(n), K_inv(n * n);
    ASSERT_TRUE(invert(SerialGroup{}, s, K, inverse_scratch, pivots, K_inv));
    const Eigen::MatrixXd product = reduced_matrix(s) * Eigen::Map<const RowMajor>(K_inv.data(), n, n);
    // ‖K K⁻¹ − I‖ relative to cond(K)·ε: K's condition number is moderate here.
    EXPECT_LT((product - Eigen::MatrixXd::Identity(n, n)).cwiseAbs().maxCoeff(), 1e-9) << "seed " << seed;
  }
}

TEST(BatchPhase, FloatInverseIsTheDoubleInverseRounded) {
  const ReducedSystem s = random_reduced_system(12, 5, 7);
  const int n = s.n;
  std::vector<float> P(s.P.data(), s.P.data() + n * n), A(s.A.data(), s.A.data() + s.m * n),
      rho(s.rho.begin(), s.rho.end()), K_inv(n * n);
  std::vector<double> K(n * n), inverse_scratch(n * n), pivots(n);
  ASSERT_TRUE(invert_reduced_matrix(SerialGroup{}, n, s.m, P.data(), A.data(), rho.data(), float(s.sigma), K.data(),
                                    inverse_scratch.data(), pivots.data(), K_inv.data()));
  for (int e = 0; e < n * n; ++e) EXPECT_EQ(K_inv[e], static_cast<float>(inverse_scratch[e]));
}

TEST(BatchPhase, ReportsAReducedMatrixThatIsNotPositiveDefinite) {
  ReducedSystem s = random_reduced_system(6, 3, 3);
  s.P = -s.P - RowMajor::Identity(6, 6);  // negative definite: σ and ρ cannot rescue it
  std::vector<double> K(36), inverse_scratch(36), pivots(6), K_inv(36);
  EXPECT_FALSE(invert(SerialGroup{}, s, K, inverse_scratch, pivots, K_inv));
  s = random_reduced_system(6, 3, 3);
  s.A(1, 2) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(invert(SerialGroup{}, s, K, inverse_scratch, pivots, K_inv));
}

TEST(ThreadTeamBatchPhase, InverseAndRowClassesMatchTheOneThreadGroup) {
  const ReducedSystem s = random_reduced_system(17, 6, 11);
  const int n = s.n, m = 4, count = 13;
  std::vector<double> K(n * n), inverse_scratch(n * n), pivots(n), serial(n * n);
  ASSERT_TRUE(invert(SerialGroup{}, s, K, inverse_scratch, pivots, serial));
  // Scaled bounds of `count` problems, m rows: row 0 equality everywhere, row 1 free
  // everywhere, row 2 equality except in one problem, row 3 free except one NaN bound.
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> l(m * count), u(m * count);
  for (int k = 0; k < count; ++k) {
    double* lk = &l[k * m];
    double* uk = &u[k * m];
    lk[0] = uk[0] = 0.5 * k;
    lk[1] = -inf, uk[1] = inf;
    lk[2] = 1.0, uk[2] = k == 7 ? 2.0 : 1.0;
    lk[3] = k == 4 ? nan : -inf, uk[3] = inf;
  }
  for (int threads : {2, 3, 5}) {
    std::vector<double> team_inverse(n * n);
    std::vector<RowClass> classes(m);
    std::vector<char> ok(threads);
    testing::run_team(threads, [&](const testing::TeamGroup& g) {
      ok[g.rank()] = invert(g, s, K, inverse_scratch, pivots, team_inverse);
      for (int i = 0; i < m; ++i) {
        const RowClass c = batch_row_class(g, m, i, l.data(), u.data(), count);
        if (g.rank() == 0) classes[i] = c;
      }
    });
    for (int r = 0; r < threads; ++r) EXPECT_TRUE(ok[r]);
    // The team's reductions add in another order than one thread: equal to rounding.
    for (int e = 0; e < n * n; ++e)
      EXPECT_NEAR(team_inverse[e], serial[e], 1e-10 * (1 + std::abs(serial[e]))) << threads << " threads";
    EXPECT_TRUE(classes[0].equality && !classes[0].free);
    EXPECT_TRUE(!classes[1].equality && classes[1].free);
    EXPECT_TRUE(!classes[2].equality && !classes[2].free);
    EXPECT_TRUE(!classes[3].equality && classes[3].free) << "a NaN bound must not decide the class";
  }
}

AdmmParams<double> phase_params() {
  AdmmParams<double> prm;
  prm.max_iter = 1000;
  prm.check_every = 25;
  prm.adaptive_rho_interval = 50;
  prm.interior_point_max_iter = 0;
  return prm;
}

TEST(BatchPhase, RunsWholeRoundsWithinItsCap) {
  AdmmParams<double> prm = phase_params();
  prm.max_iter = 110;  // four rounds of 25 fit, a fifth would pass max_iter
  BatchPhaseState<double> s = start_batch_phase(prm, true, 10, false);
  EXPECT_EQ(s.cap, 100);
  int rounds = 0;
  while (s.running) {
    ++rounds;
    after_check(s, prm, CheckTally<double>{1, 5, 0.0, 0});
  }
  EXPECT_EQ(rounds, 4);
  EXPECT_EQ(s.iterations, 100);
  // With the interior-point rescue on, the phase leaves the finish room to hand over.
  prm.interior_point_max_iter = 30;
  prm.interior_point_after = 60;
  EXPECT_EQ(start_batch_phase(prm, true, 10, false).cap, 50);
  EXPECT_FALSE(start_batch_phase(prm, false, 10, false).running) << "no factorization: no phase";
  EXPECT_FALSE(start_batch_phase(prm, true, 0, false).running);
  prm.max_iter = 24;
  EXPECT_TRUE(start_batch_phase(phase_params(), true, 1, false).running);
  EXPECT_FALSE(start_batch_phase(prm, true, 10, false).running) << "not one whole round fits";
}

TEST(BatchPhase, AnLpBatchHandsOverAtTheLpLimit) {
  AdmmParams<double> prm = phase_params();
  prm.interior_point_max_iter = 30;
  prm.interior_point_after = 600;
  prm.interior_point_after_lp = 100;
  EXPECT_EQ(start_batch_phase(prm, true, 10, false).cap, 600);
  EXPECT_EQ(start_batch_phase(prm, true, 10, true).cap, 100) << "an LP batch stops at interior_point_after_lp";
  prm.interior_point_after_lp = 0;
  EXPECT_FALSE(start_batch_phase(prm, true, 10, true).running) << "LPs start in the interior point: no phase";
  EXPECT_TRUE(start_batch_phase(prm, true, 10, false).running);
  prm.interior_point_max_iter = 0;
  EXPECT_EQ(start_batch_phase(prm, true, 10, true).cap, 1000) << "no interior point: the phase may use max_iter";
}

TEST(BatchPhase, EndsAtTheCheckOfTheProblemsFirstPolish) {
  AdmmParams<double> prm = phase_params();
  prm.check_every = 25;
  prm.max_iter = 1000;
  prm.interior_point_max_iter = 0;
  prm.polish = true;
  prm.polish_first_attempt = 25;
  const int small = batch_phase_polish_handover(100, 20, prm);
  EXPECT_EQ(small, 25);
  EXPECT_EQ(start_batch_phase(prm, true, 10, false, small).cap, 25);
  const int large = batch_phase_polish_handover(1350, 147, prm);
  EXPECT_GT(large, 25);
  EXPECT_EQ(start_batch_phase(prm, true, 10, false, large).cap % 25, 0);
  EXPECT_GE(start_batch_phase(prm, true, 10, false, large).cap, large) << "the first check at or after it";
  EXPECT_EQ(start_batch_phase(prm, true, 10, false, 5000).cap, 1000) << "never past the phase's own limit";
  prm.polish = false;
  EXPECT_EQ(batch_phase_polish_handover(100, 20, prm), 0) << "no polishing: nothing to hand over for";
  prm.polish = true;
  prm.polish_first_attempt = 0;
  EXPECT_EQ(batch_phase_polish_handover(100, 20, prm), 0) << "polishing only at the end: the phase runs on";
}

TEST(BatchPhase, SkipsOnlyTheCheckAtThePolishHandOver) {
  const AdmmParams<double> prm = phase_params();  // checks every 25
  BatchPhaseState<double> s = start_batch_phase(prm, true, 10, false, 60);
  std::vector<bool> decides;
  while (s.running) {
    decides.push_back(check_decides(s, prm));
    if (!decides.back()) {
      end_without_check(s, prm);
      break;
    }
    after_check(s, prm, CheckTally<double>{0, 10, 0.0, 0});
  }
  EXPECT_EQ(decides, (std::vector<bool>{true, true, false})) << "the third check, at 75, is the first at or after 60";
  EXPECT_FALSE(s.running);
  EXPECT_EQ(s.iterations, 75) << "the leavers' count, which the finish's polish_now compares with 60";
  s = start_batch_phase(prm, true, 10, false);  // no hand-over: every check decides
  for (int round = 0; round < 5 && s.running; ++round) {
    EXPECT_TRUE(check_decides(s, prm));
    after_check(s, prm, CheckTally<double>{0, 10, 0.0, 0});
  }
}

TEST(BatchPhase, StopsWhenEveryProblemLeftOrAfterChecksWithoutProgress) {
  const AdmmParams<double> prm = phase_params();
  BatchPhaseState<double> s = start_batch_phase(prm, true, 4, false);
  after_check(s, prm, CheckTally<double>{4, 0, 0.0, 0});
  EXPECT_FALSE(s.running) << "nobody left running";
  s = start_batch_phase(prm, true, 4, false);
  after_check(s, prm, CheckTally<double>{1, 3, 0.0, 0});
  int checks = 0;
  while (s.running) {
    after_check(s, prm, CheckTally<double>{0, 3, 0.0, 0});
    ++checks;
  }
  EXPECT_EQ(checks, batch_phase_stall_checks);
}

TEST(BatchPhase, MovesRhoToTheGeometricMeanAtTheAdaptiveInterval) {
  const AdmmParams<double> prm = phase_params();
  BatchPhaseState<double> s = start_batch_phase(prm, true, 4, false);
  const double log_sum = std::log(100.0) + std::log(10000.0);  // estimates 100ρ and 10⁴ρ: mean 1000ρ
  after_check(s, prm, CheckTally<double>{1, 2, log_sum, 2});  // 25 iterations: not the interval
  EXPECT_FALSE(s.refactor);
  EXPECT_EQ(s.rho, prm.rho);
  after_check(s, prm, CheckTally<double>{1, 2, log_sum, 2});  // 50
  EXPECT_TRUE(s.refactor);
  EXPECT_NEAR(s.rho, std::min(prm.rho * 1000.0, prm.rho_max), 1e-9 * s.rho);
  const double rho = s.rho;
  after_check(s, prm, CheckTally<double>{1, 2, 0.0, 2});  // 75
  after_check(s, prm, CheckTally<double>{1, 2, 0.0, 2});  // 100: estimates equal ρ, within the tolerance
  EXPECT_FALSE(s.refactor);
  EXPECT_EQ(s.rho, rho);
}

TEST(BatchPhase, ChecksAColumnLikeTheTerminationTest) {
  // One problem, n = 2, m = 1, unit scaling: min ½‖x‖² + qᵀx s.t. x₀ + x₁ = 1 at its optimum
  // x = (½, ½) with q = 0: y = −½ (P x + q + Aᵀy = 0).
  const AdmmParams<double> prm = phase_params();
  const double ones[2] = {1, 1};
  const ScalingView<double> unit{ones, ones, 1.0};
  const double q[2] = {0, 0}, z[1] = {1}, Ax[1] = {1}, Aty[2] = {-0.5, -0.5};
  double Px[2] = {0.5, 0.5}, scratch[1];
  ColumnCheck<double> c = check_column(SerialGroup{}, 2, 1, unit, prm.rho, prm, q, z, Ax, Px, Aty, scratch);
  EXPECT_TRUE(c.leaves && c.converged);
  double Px_off[2] = {0.6, 0.5};  // dual residual 0.1
  c = check_column(SerialGroup{}, 2, 1, unit, prm.rho, prm, q, z, Ax, Px_off, Aty, scratch);
  EXPECT_FALSE(c.leaves);
  EXPECT_TRUE(c.has_ratio);
  const double Ax_nan[1] = {std::numeric_limits<double>::quiet_NaN()};
  double Px_again[2] = {0.5, 0.5};
  c = check_column(SerialGroup{}, 2, 1, unit, prm.rho, prm, q, z, Ax_nan, Px_again, Aty, scratch);
  EXPECT_TRUE(c.leaves && !c.converged) << "a NaN column leaves, unconverged";
}

}  // namespace
}  // namespace bpqp::kernels
