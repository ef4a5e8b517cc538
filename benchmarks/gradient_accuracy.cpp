// Gradient accuracy in the manner of the BPQP paper's Table 3: cosine
// similarity and relative error of bpqp's backward modes (direct, admm)
// against dense implicit differentiation of the full KKT system, over random
// feasible QPs at the paper's sizes. Prints a markdown table.
//
//   bpqp_gradient_accuracy [--problems 200] [--sizes 10x5,50x10,100x20,500x100] [--seed 1]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bpqp/backward.hpp"
#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "support/full_kkt_gradient.hpp"

namespace {

struct Size {
  int n, m;
};

std::vector<Size> parse_sizes(const std::string& text) {
  std::vector<Size> sizes;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    const std::size_t x = item.find('x');
    if (x == std::string::npos) throw std::runtime_error("--sizes: expected NxM items, got '" + item + "'");
    sizes.push_back({std::stoi(item.substr(0, x)), std::stoi(item.substr(x + 1))});
    start = end + 1;
  }
  return sizes;
}

// All gradients of one problem as one vector (P, q, A, l, u), for a single cosine.
std::vector<double> stack(const bpqp::Gradients<double>& g, int b) {
  std::vector<double> v;
  auto add = [&](const double* p, std::size_t count) { v.insert(v.end(), p, p + count); };
  const std::size_t n = g.n, m = g.m;
  add(g.dP_of(b), n * n);
  add(g.dq_of(b), n);
  add(g.dA_of(b), m * n);
  add(g.dl_of(b), m);
  add(g.du_of(b), m);
  return v;
}

std::vector<double> stack(const bpqp::testing::FullKktGradient& r) {
  std::vector<double> v = r.dP;
  v.insert(v.end(), r.dq.begin(), r.dq.end());
  v.insert(v.end(), r.dA.begin(), r.dA.end());
  v.insert(v.end(), r.dl.begin(), r.dl.end());
  v.insert(v.end(), r.du.begin(), r.du.end());
  return v;
}

struct Agreement {
  double cosine, relative_error;
};

Agreement compare(const std::vector<double>& a, const std::vector<double>& ref) {
  double dot = 0, na = 0, nr = 0, diff = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    dot += a[i] * ref[i];
    na += a[i] * a[i];
    nr += ref[i] * ref[i];
    diff += (a[i] - ref[i]) * (a[i] - ref[i]);
  }
  const double cosine = (na == 0 && nr == 0) ? 1.0 : dot / std::sqrt(std::max(na * nr, 1e-300));
  return {cosine, std::sqrt(diff) / std::max(std::sqrt(nr), 1e-300)};
}

struct Column {
  double cosine_sum = 0, cosine_min = 1, error_max = 0;
  int count = 0;
  void add(Agreement a) {
    cosine_sum += a.cosine;
    cosine_min = std::min(cosine_min, a.cosine);
    error_max = std::max(error_max, a.relative_error);
    ++count;
  }
};

}  // namespace

int main(int argc, char** argv) {
  int problems = 200;
  std::uint64_t seed = 1;
  std::string sizes_text = "10x5,50x10,100x20,500x100";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--problems")) problems = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--sizes")) sizes_text = argv[i + 1];
    else if (!std::strcmp(argv[i], "--seed")) seed = std::strtoull(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: %s [--problems N] [--sizes 10x5,50x10] [--seed S]\n", argv[0]);
      return 2;
    }
  }
  std::printf("| n×m | problems | forward solved | direct: mean cos | direct: max rel. err | "
              "admm: mean cos | admm: max rel. err | admm, no polish: mean cos | admm, no polish: min cos | "
              "admm, no polish: max rel. err | reference singular |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Size size : parse_sizes(sizes_text)) {
    std::vector<bpqp::DenseQp> qps;
    for (int b = 0; b < problems; ++b) qps.push_back(bpqp::generators::make_random_feasible_qp(size.n, size.m, seed + b));
    const auto batch = bpqp::QpBatch<double>::from_problems(qps);
    bpqp::Solver<double> solver(bpqp::Executor::cpu());
    const auto forward = solver.solve(batch.view());

    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    std::vector<double> dl_dx(static_cast<std::size_t>(problems) * size.n);
    for (double& v : dl_dx) v = normal(rng);

    bpqp::BackwardOptions direct_options, admm_options, raw_options;
    admm_options.mode = bpqp::BackwardMode::admm;
    raw_options.mode = bpqp::BackwardMode::admm;  // the BPQP paper's recipe: plain OSQP on the backward QP
    raw_options.admm.polish = false;
    raw_options.admm.interior_point_fallback = false;
    const auto direct = bpqp::backward(bpqp::Executor::cpu(), batch.view(), forward, dl_dx.data(), nullptr, direct_options);
    const auto admm = bpqp::backward(bpqp::Executor::cpu(), batch.view(), forward, dl_dx.data(), nullptr, admm_options);
    const auto raw = bpqp::backward(bpqp::Executor::cpu(), batch.view(), forward, dl_dx.data(), nullptr, raw_options);

    Column d, a, p;
    int singular = 0;
    for (int b = 0; b < problems; ++b) {
      if (forward.status[b] != bpqp::SolveStatus::solved) continue;
      const std::vector<double> x(forward.x_of(b), forward.x_of(b) + size.n);
      const std::vector<double> y(forward.y_of(b), forward.y_of(b) + size.m);
      const std::vector<double> g(dl_dx.begin() + b * size.n, dl_dx.begin() + (b + 1) * size.n);
      const auto ref = bpqp::testing::full_kkt_gradient(qps[b], x, y, g);
      if (!ref.nonsingular) {
        ++singular;
        continue;
      }
      const auto r = stack(ref);
      d.add(compare(stack(direct, b), r));
      a.add(compare(stack(admm, b), r));
      p.add(compare(stack(raw, b), r));
    }
    std::printf("| %d×%d | %d | %d | %.9f | %.2e | %.9f | %.2e | %.6f | %.6f | %.2e | %d |\n", size.n, size.m,
                problems, forward.count(bpqp::SolveStatus::solved), d.cosine_sum / std::max(1, d.count), d.error_max,
                a.cosine_sum / std::max(1, a.count), a.error_max, p.cosine_sum / std::max(1, p.count), p.cosine_min,
                p.error_max, singular);
    std::fflush(stdout);
  }
  return 0;
}
