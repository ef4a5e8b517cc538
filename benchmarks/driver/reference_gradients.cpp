#include "reference_gradients.hpp"

#include <algorithm>
#include <cmath>

#include <bpqp/bpqp.hpp>

#include "support/full_kkt_gradient.hpp"

namespace bpqp::bench {

ReferenceSolutions compute_references(const std::vector<DenseQp>& problems, const std::vector<double>& dl_dx) {
  ReferenceSolutions ref;
  if (problems.empty()) return ref;
  const int n = problems.front().n, m = problems.front().m;
  ref.n = n;
  Settings tight;
  tight.eps_abs = 1e-9;
  tight.eps_rel = 1e-9;
  Solver<double> solver(Executor::cpu(), tight);
  const auto solution = solver.solve(QpBatch<double>::from_problems(problems).view());
  ref.x = solution.x;
  ref.m = m;
  ref.dq.assign(problems.size() * n, 0.0);
  ref.dlu.assign(problems.size() * m, 0.0);
  for (std::size_t b = 0; b < problems.size(); ++b) {
    bool ok = solution.status[b] == SolveStatus::solved;
    if (ok) {
      const std::vector<double> x(solution.x_of(b), solution.x_of(b) + n);
      const std::vector<double> y(solution.y_of(b), solution.y_of(b) + m);
      const std::vector<double> g(dl_dx.begin() + b * n, dl_dx.begin() + (b + 1) * n);
      const auto kkt = testing::full_kkt_gradient(problems[b], x, y, g);
      ok = kkt.nonsingular;
      if (ok) {
        std::copy(kkt.dq.begin(), kkt.dq.end(), ref.dq.begin() + b * n);
        for (int i = 0; i < m; ++i) ref.dlu[b * m + i] = kkt.dl[i] + kkt.du[i];
      }
    }
    ref.ok.push_back(ok);
  }
  return ref;
}

std::vector<double> stacked_gradient(const double* dq, int n, const double* dl, const double* du, int m) {
  std::vector<double> v(dq, dq + n);
  for (int i = 0; i < m; ++i) v.push_back(dl[i] + du[i]);
  return v;
}

double cosine(const double* a, const double* b, int length) {
  double dot = 0, aa = 0, bb = 0;
  for (int i = 0; i < length; ++i) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa == 0 && bb == 0) return 1.0;
  return dot / std::sqrt(std::max(aa * bb, 1e-300));
}

double relative_error(const double* a, const double* b, int length) {
  double diff = 0, bb = 0;
  for (int i = 0; i < length; ++i) {
    diff += (a[i] - b[i]) * (a[i] - b[i]);
    bb += b[i] * b[i];
  }
  return std::sqrt(diff) / std::max(1.0, std::sqrt(bb));
}

}  // namespace bpqp::bench
