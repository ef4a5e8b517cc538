// The cone polish's Newton step (kernels/cone_polish.hpp, cone_newton_step) with and without
// the previous step's factorization: a chord step refined against the exact matrix solves the
// same system as a fresh factorization, keeps the factorization when refinement converges,
// and factors afresh when it does not.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/admm_params.hpp"
#include "kernels/admm_solve.hpp"
#include "core/problem_of.hpp"
#include "kernels/serial_group.hpp"
#include "problems/benchmark_problems.hpp"

namespace bpqp::kernels {
namespace {

class ConeNewtonStep : public ::testing::Test {
 protected:
  // The BPQP paper's SOCP, 100 variables and 20 rows besides the block (101 rows): solved and
  // polished, so the workspace holds the scaled problem and a converged classification.
  void SetUp() override {
    qp_ = generators::make_benchmark_problem(generators::ProblemFamily::random_socp, 100, 20, 7);
    n_ = qp_.n;
    m_ = qp_.m;
    layout_ = std::make_unique<detail::HostConeLayout>(qp_.cones.data(), static_cast<int>(qp_.cones.size()), m_);
    ProblemView<double> view{n_, m_, qp_.P.data(), qp_.q.data(), qp_.A.data(), qp_.l.data(), qp_.u.data()};
    view.cones = layout_->layout();
    prm_ = detail::to_admm_params<double>(Settings{});
    buffer_.resize(AdmmWorkspace<double>::bytes(n_, m_, true) / sizeof(double) + 1);
    w_ = AdmmWorkspace<double>::carve(buffer_.data(), n_, m_, nullptr, true);
    std::vector<double> x(n_), y(m_);
    ProblemReport<double> report;
    admm_solve(g_, view, prm_, w_, ProblemOutput<double>{x.data(), y.data(), &report});
    ASSERT_EQ(report.status, SolveStatus::solved);
    ASSERT_EQ(report.polish, PolishStatus::succeeded);
  }

  // w.x (the scaled solution) moved by `size` along a fixed pseudo-random direction.
  std::vector<double> moved(double size) const {
    std::vector<double> x(w_.x, w_.x + n_);
    std::uint64_t state = 12345;
    for (double& v : x) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      v += size * (static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5);
    }
    return x;
  }

  // The step from x: (dx, ν) and k; the factorization left in w.factor goes to *factor.
  std::vector<double> step(const std::vector<double>& x, bool reuse, int* k, std::vector<double>* factor) {
    *k = cone_newton_step(g_, n_, m_, prm_, w_, x.data(), reuse);
    EXPECT_GE(*k, 1);
    const int N = n_ + *k;
    factor->assign(w_.factor, w_.factor + static_cast<std::ptrdiff_t>(N) * N);
    return std::vector<double>(w_.kkt_sol, w_.kkt_sol + N);
  }

  static double max_difference(const std::vector<double>& a, const std::vector<double>& b) {
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
    return d;
  }
  static double max_abs(const std::vector<double>& a) {
    double d = 0;
    for (double v : a) d = std::max(d, std::abs(v));
    return d;
  }

  DenseQp qp_;
  int n_ = 0, m_ = 0;
  std::unique_ptr<detail::HostConeLayout> layout_;  // view.cones points into it
  AdmmParams<double> prm_;
  std::vector<double> buffer_;
  AdmmWorkspace<double> w_;
  SerialGroup g_;
};

TEST_F(ConeNewtonStep, AChordStepNearTheLastFactorizationSolvesTheExactSystem) {
  int k0 = 0, k_chord = 0, k_fresh = 0;
  std::vector<double> f0, f_chord, f_fresh;
  const std::vector<double> x0 = moved(1e-3), x1 = moved(1.001e-3);
  step(x0, false, &k0, &f0);
  const std::vector<double> chord = step(x1, true, &k_chord, &f_chord);
  const std::vector<double> fresh = step(x1, false, &k_fresh, &f_fresh);
  ASSERT_EQ(k_chord, k0);
  ASSERT_EQ(k_fresh, k0);
  EXPECT_EQ(f_chord, f0) << "the chord step kept the factorization of x0";
  EXPECT_NE(f_fresh, f0) << "premise: the matrix at x1 differs from the one at x0";
  EXPECT_LE(max_difference(chord, fresh), 1e-12 * max_abs(fresh))
      << "refined against the exact matrix, the chord step is the Newton step";
}

TEST_F(ConeNewtonStep, FarFromTheLastFactorizationTheStepFactorsAfresh) {
  int k0 = 0, k_far = 0, k_fresh = 0;
  std::vector<double> f0, f_far, f_fresh;
  const std::vector<double> x0 = moved(1e-3), x_far = moved(1.0);
  step(x0, false, &k0, &f0);
  const std::vector<double> far = step(x_far, true, &k_far, &f_far);
  const std::vector<double> fresh = step(x_far, false, &k_fresh, &f_fresh);
  ASSERT_EQ(k_far, k0);
  EXPECT_NE(f_far, f0) << "refinement from x0's factorization did not converge: factored afresh";
  EXPECT_EQ(f_far, f_fresh);
  EXPECT_EQ(far, fresh);
}

}  // namespace
}  // namespace bpqp::kernels
