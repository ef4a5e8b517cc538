// Solves one small QP through an installed bpqp; exits 0 when it is solved at the known answer.
#include <bpqp/bpqp.hpp>

#include <cmath>
#include <cstdio>

int main() {
  // minimize ½(x₀² + x₁²) − x₀ − x₁ subject to x₀ + x₁ ≤ 1: x = (½, ½).
  bpqp::QpBatch<double> batch(1, 2, 1);
  batch.P(0)[0] = batch.P(0)[3] = 1.0;
  batch.q(0)[0] = batch.q(0)[1] = -1.0;
  batch.A(0)[0] = batch.A(0)[1] = 1.0;
  batch.l(0)[0] = -INFINITY;
  batch.u(0)[0] = 1.0;
  bpqp::Solver<double> solver(bpqp::Executor::cpu(1));
  const auto r = solver.solve(batch.view());
  std::printf("status %s, x = (%g, %g)\n", bpqp::to_string(r.status[0]), r.x[0], r.x[1]);
  return r.status[0] == bpqp::SolveStatus::solved && std::abs(r.x[0] - 0.5) < 1e-6 && std::abs(r.x[1] - 0.5) < 1e-6
             ? 0 : 1;
}
