// kernels/backward.hpp run by a team of std::threads (the CPU stand-in for a GPU
// block) must give what the one-thread group gives: barrier placement and uniform
// loop-ending decisions (refinement, the admm mode's iterations). Run under
// ThreadSanitizer in CI.
#include <gtest/gtest.h>

#include <vector>

#include "problems/problem_generators.hpp"
#include "core/admm_params.hpp"
#include "kernels/backward.hpp"
#include "kernels/serial_group.hpp"
#include "support/thread_team_group.hpp"

namespace bpqp {
namespace {

struct Result {
  std::vector<double> dP, dq, dA, dl, du;
  kernels::BackwardReport<double> report;
};

template <class Group>
void run_backward(const Group& g, const generators::PlantedQp& p, const std::vector<double>& dl_dx,
                  const std::vector<double>& dl_dy, const kernels::BackwardParams<double>& prm,
                  std::vector<double>& buffer, Result& r) {
  const DenseQp& qp = p.qp;
  auto ws = kernels::BackwardWorkspace<double>::carve(buffer.data(), qp.n, qp.m, prm.use_admm);
  kernels::BackwardInput<double> in;
  in.problem = {qp.n, qp.m, qp.P.data(), qp.q.data(), qp.A.data(), qp.l.data(), qp.u.data()};
  in.x = p.x_star.data();
  in.y = p.y_star.data();
  in.dl_dx = dl_dx.data();
  in.dl_dy = dl_dy.data();
  kernels::GradientOutput<double> out{r.dP.data(), r.dq.data(), r.dA.data(), r.dl.data(), r.du.data()};
  kernels::backward_problem(g, in, prm, ws, out, &r.report);
}

Result run(int threads, const generators::PlantedQp& p, const kernels::BackwardParams<double>& prm) {
  const int n = p.qp.n, m = p.qp.m;
  Result r{std::vector<double>(n * n), std::vector<double>(n), std::vector<double>(m * n), std::vector<double>(m),
           std::vector<double>(m), {}};
  std::vector<double> dl_dx(n), dl_dy(m);
  for (int j = 0; j < n; ++j) dl_dx[j] = 0.1 * (j % 7) - 0.3;
  for (int i = 0; i < m; ++i) dl_dy[i] = 0.05 * (i % 5) - 0.1;
  std::vector<double> buffer(kernels::BackwardWorkspace<double>::bytes(n, m, prm.use_admm) / sizeof(double) + 1);
  if (threads == 1) {
    run_backward(kernels::SerialGroup{}, p, dl_dx, dl_dy, prm, buffer, r);
  } else {
    testing::run_team(threads, [&](const testing::TeamGroup& g) { run_backward(g, p, dl_dx, dl_dy, prm, buffer, r); });
  }
  return r;
}

void expect_near(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol) << "entry " << i;
}

TEST(BackwardKernel, TeamGroupMatchesTheOneThreadGroup) {
  generators::PlantedOptions o;
  o.n = 9;
  o.m = 7;
  o.n_equality = 1;
  o.n_active = 3;
  o.n_variable_bounds = 4;
  o.seed = 17;
  const auto planted = generators::make_planted_qp(o);
  for (int mode = 0; mode < 3; ++mode) {
    kernels::BackwardParams<double> prm;
    prm.use_admm = mode == 1;
    prm.lp_smoothing = mode == 2 ? 1e-2 : 0.0;
    if (prm.use_admm) {
      Settings s;
      s.eps_abs = s.eps_rel = 1e-9;
      prm.admm = detail::to_admm_params<double>(s);
    }
    const Result serial = run(1, planted, prm);
    ASSERT_EQ(serial.report.status, BackwardStatus::ok);
    for (int threads : {2, 3, 4}) {
      SCOPED_TRACE("mode " + std::to_string(mode) + ", threads " + std::to_string(threads));
      const Result team = run(threads, planted, prm);
      EXPECT_EQ(team.report.status, serial.report.status);
      EXPECT_EQ(team.report.active_rows, serial.report.active_rows);
      // Reductions add in another order, so results differ by rounding only.
      expect_near(team.dq, serial.dq, 1e-8);
      expect_near(team.dP, serial.dP, 1e-8);
      expect_near(team.dA, serial.dA, 1e-8);
      expect_near(team.dl, serial.dl, 1e-8);
      expect_near(team.du, serial.du, 1e-8);
    }
  }
}

TEST(BackwardKernel, WorkspaceLayoutFitsTheAdmmModeForEveryActiveSetSize) {
  // The admm mode carves the forward workspace for (n, |𝒜|) out of a region sized for (n, m).
  for (int m = 0; m < 12; ++m)
    for (int k = 0; k <= m; ++k) EXPECT_LE(kernels::AdmmWorkspace<double>::bytes(6, k), kernels::AdmmWorkspace<double>::bytes(6, m));
}

}  // namespace
}  // namespace bpqp
