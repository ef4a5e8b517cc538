// The backward pass (BPQP) on the CPU executor: central finite differences, the
// independent full-KKT reference, the admm mode, shared inputs, degenerate
// active sets, LP smoothing, unsolved problems and API misuse.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include "bpqp/bpqp.hpp"
#include "problems/benchmark_problems.hpp"
#include "problems/problem_generators.hpp"
#include "support/duplicated_row.hpp"
#include "support/full_kkt_gradient.hpp"
#include "support/solver_test_support.hpp"

namespace bpqp {
namespace {

using generators::make_planted_lp;
using generators::make_planted_qp;
using generators::PlantedOptions;
using generators::PlantedQp;
using generators::RowKind;
using Vec = std::vector<double>;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Uniform in [-1, 1), from raw mt19937_64 words (no implementation-defined distributions).
Vec random_vector(int size, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Vec v(size);
  for (double& e : v) e = 2.0 * (static_cast<double>(rng() >> 11) * 0x1.0p-53) - 1.0;
  return v;
}

template <class T>
std::vector<T> cast(const Vec& v) {
  return std::vector<T>(v.begin(), v.end());
}

Vec concat(const std::vector<Vec>& parts) {
  Vec out;
  for (const Vec& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The forward settings under finite differences: tolerances far below the
// differences' step, polishing (exact active-set solutions), and no early exit
// through an in-loop polish.
Settings tight_settings() {
  Settings s;
  s.eps_abs = s.eps_rel = 1e-9;
  s.polish_first_attempt = 0;
  s.max_iter = 200000;
  return s;
}

template <class T>
SolveResult<T> solve(const std::vector<DenseQp>& problems, const Settings& settings = {}) {
  const auto batch = QpBatch<T>::from_problems(problems);
  Solver<T> solver(testing::test_executor(2), settings);
  return solver.solve(batch.view());
}

// A forward result holding given points as solved, without solving: feeds the exact
// planted solution, or a chosen dual at a degenerate point, to the backward.
template <class T>
SolveResult<T> as_forward(const std::vector<Vec>& xs, const std::vector<Vec>& ys) {
  SolveResult<T> r;
  r.batch = static_cast<int>(xs.size());
  r.n = static_cast<int>(xs[0].size());
  r.m = static_cast<int>(ys[0].size());
  r.x = cast<T>(concat(xs));
  r.y = cast<T>(concat(ys));
  r.status.assign(r.batch, SolveStatus::solved);
  return r;
}

// Backward for a list of problems (a batch of per-problem copies).
template <class T>
Gradients<T> backward_of(const std::vector<DenseQp>& problems, const SolveResult<T>& forward, const Vec& dl_dx,
                         const Vec& dl_dy = {}, const BackwardOptions& options = {},
                         Executor exec = testing::test_executor(1)) {
  const auto batch = QpBatch<T>::from_problems(problems);
  const auto gx = cast<T>(dl_dx);
  const auto gy = cast<T>(dl_dy);
  return backward(exec, batch.view(), forward, gx.data(), dl_dy.empty() ? nullptr : gy.data(), options);
}

// Max |a − b| / max(‖b‖∞, floor).
template <class T>
double rel_err(const T* a, const Vec& b, double floor = 1e-12) {
  double err = 0, scale = floor;
  for (std::size_t i = 0; i < b.size(); ++i) {
    err = std::max(err, std::abs(double(a[i]) - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return err / scale;
}

template <class T>
bool all_finite(const std::vector<T>& v) {
  for (T e : v)
    if (!std::isfinite(double(e))) return false;
  return true;
}

template <class T>
bool all_finite(const Gradients<T>& g) {
  return all_finite(g.dP) && all_finite(g.dq) && all_finite(g.dA) && all_finite(g.dl) && all_finite(g.du);
}

double loss(const double* x, const double* y, const Vec& g, const Vec& h) {
  double L = 0;
  for (std::size_t j = 0; j < g.size(); ++j) L += g[j] * x[j];
  for (std::size_t i = 0; i < h.size(); ++i) L += h[i] * y[i];
  return L;
}

bool finite_bound(double v) { return std::isfinite(v) && std::abs(v) < 1e20; }

// Central differences of a loss L(qp) for every input of one problem, in the layout of
// Gradients. P is perturbed symmetrically (P_ij and P_ji together), which the
// symmetric ∂L/∂P must match entry for entry. An equality row moves l_i and u_i
// together: its difference is stored in `eq` and must match ∂L/∂l_i + ∂L/∂u_i.
// Infinite bounds are not perturbed (their gradient must be 0), nor is the P of an LP
// (P = 0 has no convex neighbourhood; its gradient ½(dx x*ᵀ + x* dxᵀ) is 0 with dx).
struct Differences {
  Vec dP, dq, dA, dl, du;
  std::vector<int> eq_rows;
  Vec eq;
};

using LossOf = std::function<std::vector<double>(const std::vector<DenseQp>&)>;

Differences central_differences(const DenseQp& qp, const LossOf& losses, double step, bool perturb_P = true) {
  const int n = qp.n, m = qp.m;
  std::vector<DenseQp> probes;
  std::vector<std::function<void(double)>> sinks;
  Differences d;
  d.dP.assign(n * n, 0.0);
  d.dq.assign(n, 0.0);
  d.dA.assign(m * n, 0.0);
  d.dl.assign(m, 0.0);
  d.du.assign(m, 0.0);
  auto probe = [&](const std::function<void(DenseQp&, double)>& edit, std::function<void(double)> sink) {
    DenseQp plus = qp, minus = qp;
    edit(plus, step);
    edit(minus, -step);
    probes.push_back(plus);
    probes.push_back(minus);
    sinks.push_back(std::move(sink));
  };
  for (int j = 0; j < n; ++j) probe([j](DenseQp& p, double e) { p.q[j] += e; }, [&d, j](double v) { d.dq[j] = v; });
  for (int i = 0; i < n && perturb_P; ++i)
    for (int j = 0; j <= i; ++j)
      probe(
          [i, j, n](DenseQp& p, double e) {
            p.P[i * n + j] += e;
            if (i != j) p.P[j * n + i] += e;
          },
          [&d, i, j, n](double v) { d.dP[i * n + j] = d.dP[j * n + i] = i == j ? v : 0.5 * v; });
  for (int k = 0; k < m * n; ++k) probe([k](DenseQp& p, double e) { p.A[k] += e; }, [&d, k](double v) { d.dA[k] = v; });
  for (int i = 0; i < m; ++i) {
    if (qp.l[i] == qp.u[i]) {
      d.eq_rows.push_back(i);
      d.eq.push_back(0.0);
      const std::size_t slot = d.eq.size() - 1;
      probe([i](DenseQp& p, double e) { p.l[i] += e; p.u[i] += e; }, [&d, slot](double v) { d.eq[slot] = v; });
      continue;
    }
    if (finite_bound(qp.l[i])) probe([i](DenseQp& p, double e) { p.l[i] += e; }, [&d, i](double v) { d.dl[i] = v; });
    if (finite_bound(qp.u[i])) probe([i](DenseQp& p, double e) { p.u[i] += e; }, [&d, i](double v) { d.du[i] = v; });
  }
  const Vec L = losses(probes);
  for (std::size_t k = 0; k < sinks.size(); ++k) sinks[k]((L[2 * k] - L[2 * k + 1]) / (2 * step));
  return d;
}

// The loss gᵀx* + hᵀy* of every problem, each solved by bpqp's forward solver.
LossOf forward_losses(const Vec& g, const Vec& h) {
  return [g, h](const std::vector<DenseQp>& problems) {
    const auto r = solve<double>(problems, tight_settings());
    Vec L(problems.size());
    for (int b = 0; b < r.batch; ++b) {
      EXPECT_EQ(r.status[b], SolveStatus::solved) << "probe " << b;
      L[b] = loss(r.x_of(b), r.y_of(b), g, h);
    }
    return L;
  };
}

// Every gradient of problem b of `grad` against the differences.
template <class T>
void expect_matches(const Gradients<T>& grad, int b, const DenseQp& qp, const Differences& d, double tol,
                    bool check_P = true) {
  EXPECT_LT(rel_err(grad.dq_of(b), d.dq, 1e-3), tol) << "dq";
  if (check_P) EXPECT_LT(rel_err(grad.dP_of(b), d.dP, 1e-3), tol) << "dP";
  EXPECT_LT(rel_err(grad.dA_of(b), d.dA, 1e-3), tol) << "dA";
  // Equality rows are compared through dl + du below.
  Vec dl(grad.dl_of(b), grad.dl_of(b) + qp.m), du(grad.du_of(b), grad.du_of(b) + qp.m);
  for (int i : d.eq_rows) dl[i] = du[i] = 0;
  EXPECT_LT(rel_err(dl.data(), d.dl, 1e-3), tol) << "dl";
  EXPECT_LT(rel_err(du.data(), d.du, 1e-3), tol) << "du";
  Vec eq_sum;
  for (int i : d.eq_rows) eq_sum.push_back(double(grad.dl_of(b)[i]) + double(grad.du_of(b)[i]));
  if (!d.eq.empty()) {
    EXPECT_LT(rel_err(eq_sum.data(), d.eq, 1e-3), tol) << "equality rows: dl + du";
  }
  for (int i = 0; i < qp.m; ++i) {
    if (!finite_bound(qp.l[i])) EXPECT_EQ(grad.dl_of(b)[i], T(0)) << "infinite l_" << i;
    if (!finite_bound(qp.u[i])) EXPECT_EQ(grad.du_of(b)[i], T(0)) << "infinite u_" << i;
  }
}

std::vector<PlantedQp> fd_problems() {
  std::vector<PlantedQp> out;
  PlantedOptions o;
  o.n = 7;
  o.m = 6;
  o.n_equality = 2;
  o.n_active = 3;
  o.n_variable_bounds = 3;
  for (std::uint64_t seed : {21u, 22u}) {
    o.seed = seed;
    out.push_back(make_planted_qp(o));
  }
  o.n_equality = 0;
  o.n_active = 4;
  o.n_variable_bounds = 0;
  o.infinite_bounds = false;
  o.seed = 23;
  out.push_back(make_planted_qp(o));
  out.push_back(make_planted_lp(5, 3, 24));  // LP vertex: ∂L/∂q = 0, the others are not
  return out;
}

void check_against_differences(const std::vector<PlantedQp>& problems, bool with_dual_loss) {
  for (const PlantedQp& planted : problems) {
    const DenseQp& qp = planted.qp;
    SCOPED_TRACE("planted problem " + qp.name + " n=" + std::to_string(qp.n) + " m=" + std::to_string(qp.m));
    const Vec g = random_vector(qp.n, 100 + qp.n);
    const Vec h = with_dual_loss ? random_vector(qp.m, 200 + qp.m) : Vec{};
    const auto fwd = solve<double>({qp}, tight_settings());
    ASSERT_EQ(fwd.status[0], SolveStatus::solved);
    const auto grad = backward_of<double>({qp}, fwd, g, h);
    EXPECT_EQ(grad.status[0], BackwardStatus::ok);
    bool lp = qp.cones.empty();
    for (double v : qp.P) lp = lp && v == 0;
    const Differences d = central_differences(qp, forward_losses(g, h), 1e-5, !lp);
    expect_matches(grad, 0, qp, d, 1e-5, !lp);
    if (lp) {
      // P of an LP can only grow (P ⪰ 0): one-sided differences along P += ε vvᵀ, whose
      // derivative is vᵀ(∂L/∂P)v (non-zero when L depends on y*).
      const double step = 1e-7;
      std::vector<DenseQp> probes = {qp};
      std::vector<Vec> directions;
      for (int k = 0; k < 3; ++k) {
        directions.push_back(random_vector(qp.n, 300 + k));
        DenseQp p = qp;
        for (int i = 0; i < qp.n; ++i)
          for (int j = 0; j < qp.n; ++j) p.P[i * qp.n + j] += step * directions[k][i] * directions[k][j];
        probes.push_back(p);
      }
      const Vec L = forward_losses(g, h)(probes);
      for (int k = 0; k < 3; ++k) {
        double expected = 0;
        for (int i = 0; i < qp.n; ++i)
          for (int j = 0; j < qp.n; ++j) expected += directions[k][i] * grad.dP[i * qp.n + j] * directions[k][j];
        EXPECT_NEAR((L[k + 1] - L[0]) / step, expected, 1e-5 * (1 + std::abs(expected))) << "LP, P += ε vvᵀ";
      }
    }
  }
}

TEST(BackwardFiniteDifferences, EveryGradientMatchesCentralDifferences) {
  check_against_differences(fd_problems(), false);
}

TEST(BackwardFiniteDifferences, LossOnTheDualsMatchesCentralDifferences) {
  check_against_differences(fd_problems(), true);
}

// Direct mode against the independent dense differentiation of the full KKT system
// (support/full_kkt_gradient.hpp) for every problem, at the exact solutions (xs, ys) and at
// bpqp's own forward solutions, without and with a loss on the duals (drawn from seed).
void expect_direct_mode_matches_full_kkt(const std::vector<DenseQp>& problems, const std::vector<Vec>& xs,
                                         const std::vector<Vec>& ys, std::uint64_t seed) {
  const int n = problems[0].n, m = problems[0].m, B = static_cast<int>(problems.size());
  const Vec g = random_vector(B * n, seed), h = random_vector(B * m, seed + 1);
  const auto exact = as_forward<double>(xs, ys);
  const auto solved = solve<double>(problems);
  for (const auto* fwd : {&exact, &solved}) {
    for (bool dual : {false, true}) {
      SCOPED_TRACE(std::string(fwd == &exact ? "exact (x*, y*)" : "forward solution") + (dual ? ", with dL/dy" : ""));
      const auto grad = backward_of<double>(problems, *fwd, g, dual ? h : Vec{});
      for (int b = 0; b < B; ++b) {
        ASSERT_EQ(fwd->status[b], SolveStatus::solved);
        EXPECT_EQ(grad.status[b], BackwardStatus::ok);
        const Vec x(fwd->x_of(b), fwd->x_of(b) + n), y(fwd->y_of(b), fwd->y_of(b) + m);
        const Vec gb(g.begin() + b * n, g.begin() + (b + 1) * n), hb(h.begin() + b * m, h.begin() + (b + 1) * m);
        const auto ref = testing::full_kkt_gradient(problems[b], x, y, gb, dual ? &hb : nullptr);
        ASSERT_TRUE(ref.nonsingular);
        EXPECT_LT(rel_err(grad.dq_of(b), ref.dq), 1e-8);
        EXPECT_LT(rel_err(grad.dP_of(b), ref.dP), 1e-8);
        EXPECT_LT(rel_err(grad.dA_of(b), ref.dA), 1e-8);
        EXPECT_LT(rel_err(grad.dl_of(b), ref.dl, 1e-3), 1e-8);
        EXPECT_LT(rel_err(grad.du_of(b), ref.du, 1e-3), 1e-8);
      }
    }
  }
}

// SOCPs: boundary blocks (standard and rotated), an interior and an apex block, between box
// rows with an equality and an active row; every input, against central differences.
std::vector<PlantedQp> socp_fd_problems() {
  std::vector<PlantedQp> out;
  generators::PlantedSocpOptions o;
  o.box.n = 8;
  o.box.m = 4;
  o.box.n_equality = 1;
  o.box.n_active = 1;
  o.blocks = {{3, RowKind::cone_boundary, false},
              {3, RowKind::cone_boundary, true},
              {3, RowKind::cone_interior, false},
              {2, RowKind::cone_apex, false}};
  for (std::uint64_t seed : {31u, 32u}) {
    o.box.seed = seed;
    out.push_back(generators::make_planted_socp(o));
  }
  return out;
}

TEST(BackwardSocp, EveryGradientMatchesCentralDifferences) { check_against_differences(socp_fd_problems(), false); }

TEST(BackwardSocp, LossOnTheDualsMatchesCentralDifferences) { check_against_differences(socp_fd_problems(), true); }

// A block at its apex whose dual sits on the boundary of −Q (no strict complementarity):
// minimize ½‖x‖² + x₀ + x₁ s.t. |x₁| ≤ x₀ has x* = 0 with y = −(1, 1), −y on Q's boundary.
// The derivative exists only directionally: the block's rows are pinned, the status says so,
// and the gradients are finite.
TEST(BackwardSocp, AnApexBlockWithABoundaryDualIsReportedDegenerate) {
  DenseQp qp;
  qp.n = 2;
  qp.m = 2;
  qp.P = {1, 0, 0, 1};
  qp.q = {1, 1};
  qp.A = {1, 0, 0, 1};
  qp.l = {0, 0};
  qp.u = {kInf, kInf};
  qp.cones = {ConeBlock{0, 2, ConeKind::second_order}};
  for (bool exact : {true, false}) {
    SCOPED_TRACE(exact ? "the exact solution" : "the forward's");
    const auto fwd = exact ? as_forward<double>({{0.0, 0.0}}, {{-1.0, -1.0}}) : solve<double>({qp});
    ASSERT_EQ(fwd.status[0], SolveStatus::solved);
    const auto grad = backward_of<double>({qp}, fwd, {0.3, -0.7});
    EXPECT_EQ(grad.status[0], BackwardStatus::degenerate_cone);
    EXPECT_TRUE(all_finite(grad));
    EXPECT_EQ(grad.active_rows[0], 2) << "both rows pinned";
    // Pinned, x* = 0 stays put under a change of q: ∂L/∂q = 0.
    EXPECT_NEAR(grad.dq[0], 0.0, 1e-9);
    EXPECT_NEAR(grad.dq[1], 0.0, 1e-9);
  }
}

// Float against double on the paper's SOCP family: the cone polish and the backward take their
// regularization above float's rounding (kernels/cone_polish.hpp, solve_backward_direct), so
// float gradients point where double's do.
TEST(BackwardSocp, FloatGradientsAgreeWithDoubleOnes) {
  std::vector<DenseQp> problems;
  for (std::uint64_t seed = 1; seed <= 32; ++seed)
    problems.push_back(generators::make_benchmark_problem(generators::ProblemFamily::random_socp, 20, 6, seed));
  const int n = problems[0].n, m = problems[0].m, B = static_cast<int>(problems.size());
  const Vec g = random_vector(B * n, 9);
  const auto fd = solve<double>(problems);
  const auto ff = solve<float>(problems);
  const auto gd = backward_of<double>(problems, fd, g);
  const auto gf = backward_of<float>(problems, ff, g);
  for (int b = 0; b < B; ++b) {
    ASSERT_EQ(ff.status[b], SolveStatus::solved);
    EXPECT_EQ(ff.polish[b], PolishStatus::succeeded) << "problem " << b;
    double ab = 0, aa = 0, bb = 0;
    auto add = [&](double x, double y) { ab += x * y; aa += x * x; bb += y * y; };
    for (int j = 0; j < n; ++j) add(gd.dq_of(b)[j], gf.dq_of(b)[j]);
    for (int i = 0; i < m; ++i) add(gd.dl_of(b)[i], gf.dl_of(b)[i]);
    EXPECT_GT(ab / std::sqrt(aa * bb), 0.9999) << "problem " << b;
  }
}

// Direct mode against the independent full conic KKT differentiation (every block whole, with
// Jordan-product complementarity: support/full_kkt_gradient.hpp), at the planted solution and
// at bpqp's own forward solution, with and without a loss on the duals. The planted problems
// have every kind of block (boundary, rotated boundary, interior, apex, dimension 1).
TEST(BackwardSocp, DirectModeMatchesFullConicKktDifferentiation) {
  generators::PlantedSocpOptions o;
  o.box.n = 12;
  o.box.m = 5;
  o.box.n_equality = 1;
  o.box.n_active = 2;
  o.blocks = {{3, RowKind::cone_boundary, false}, {4, RowKind::cone_boundary, true},
              {3, RowKind::cone_interior, false}, {2, RowKind::cone_apex, false},
              {1, RowKind::cone_apex, false},     {1, RowKind::cone_interior, false}};
  std::vector<DenseQp> problems;
  std::vector<Vec> xs, ys;
  for (std::uint64_t seed = 60; seed < 66; ++seed) {
    o.box.seed = seed;
    const PlantedQp p = generators::make_planted_socp(o);
    problems.push_back(p.qp);
    xs.push_back(p.x_star);
    ys.push_back(p.y_star);
  }
  expect_direct_mode_matches_full_kkt(problems, xs, ys, 7);
}

// An equality row's bound gradient goes to the bound its multiplier pushes on: moving
// that bound outward alone (the row becomes an inequality, still active) has the
// one-sided derivative −w_i; moving the other bound outward changes nothing.
TEST(BackwardFiniteDifferences, EqualityRowGradientGoesToTheBoundItsMultiplierPushesOn) {
  PlantedOptions o;
  o.n = 6;
  o.m = 5;
  o.n_equality = 3;
  o.n_active = 1;
  o.seed = 31;
  const PlantedQp planted = make_planted_qp(o);
  const DenseQp& qp = planted.qp;
  const Vec g = random_vector(qp.n, 7);
  const auto fwd = solve<double>({qp}, tight_settings());
  ASSERT_EQ(fwd.status[0], SolveStatus::solved);
  const auto grad = backward_of<double>({qp}, fwd, g);
  const double base = loss(fwd.x_of(0), fwd.y_of(0), g, {});
  const double step = 1e-7;
  int checked = 0;
  for (int i = 0; i < qp.m; ++i) {
    if (planted.row_kind[i] != RowKind::equality) continue;
    const bool upper = planted.y_star[i] > 0;
    DenseQp pushed = qp, other = qp;
    (upper ? pushed.u[i] : pushed.l[i]) += upper ? step : -step;
    (upper ? other.l[i] : other.u[i]) += upper ? -step : step;
    const auto r = solve<double>({pushed, other}, tight_settings());
    ASSERT_EQ(r.status[0], SolveStatus::solved);
    ASSERT_EQ(r.status[1], SolveStatus::solved);
    const double pushed_slope = (loss(r.x_of(0), r.y_of(0), g, {}) - base) / (upper ? step : -step);
    const double other_slope = (loss(r.x_of(1), r.y_of(1), g, {}) - base) / step;
    const double expected = upper ? grad.du_of(0)[i] : grad.dl_of(0)[i];
    EXPECT_NEAR(pushed_slope, expected, 1e-5 * (1 + std::abs(expected))) << "row " << i;
    EXPECT_NEAR(other_slope, 0.0, 1e-6) << "row " << i;
    EXPECT_EQ(upper ? grad.dl_of(0)[i] : grad.du_of(0)[i], 0.0);
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

// Direct mode against the independent dense differentiation of the full KKT system,
// both at the exact planted solution and at bpqp's own forward solution.
TEST(BackwardReference, DirectModeMatchesFullKktImplicitDifferentiation) {
  std::vector<PlantedQp> planted;
  PlantedOptions o;
  o.n = 12;
  o.m = 10;
  o.n_equality = 2;
  o.n_active = 5;
  o.n_variable_bounds = 4;
  for (std::uint64_t seed = 40; seed < 46; ++seed) {
    o.seed = seed;
    o.p_rank = seed % 2 ? -1 : 8;  // every other P singular, positive definite on null(A_𝒜) only
    planted.push_back(make_planted_qp(o));
  }
  std::vector<DenseQp> problems;
  std::vector<Vec> xs, ys;
  for (const auto& p : planted) {
    problems.push_back(p.qp);
    xs.push_back(p.x_star);
    ys.push_back(p.y_star);
  }
  expect_direct_mode_matches_full_kkt(problems, xs, ys, 5);
}

// The active set the backward reads off a polished LP vertex: mixed_lp's vertices have
// multipliers down to 1e-6 beside ‖y‖∞ ≈ 1, below the threshold τ(1 + ‖y‖∞); such a row is
// kept because x sits on its bound to rounding. Dropping it (as the threshold alone did, 2
// problems in 64) leaves A_𝒜 a row short of the vertex and the gradient near 1e9.
// The exact answer at a vertex: x = A_𝒜⁻¹ b_𝒜 near the data, so ∂L/∂b_𝒜 = A_𝒜⁻ᵀ g and every
// other row's bound gradient is 0 (the full-KKT reference loses ~1e-4 here: its
// complementarity rows carry the 1e-6 multipliers).
TEST(BackwardLp, AMixedLpVertexKeepsItsRowsWithTinyMultipliers) {
  std::vector<DenseQp> problems;
  for (std::uint64_t seed = 1; seed <= 64; ++seed)
    problems.push_back(generators::make_benchmark_problem(generators::ProblemFamily::mixed_lp, 100, 20, seed));
  const int n = problems[0].n, m = problems[0].m, B = static_cast<int>(problems.size());
  const auto fwd = solve<double>(problems);
  const Vec g = random_vector(B * n, 13);
  const auto grad = backward_of<double>(problems, fwd, g);
  for (int b = 0; b < B; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b));
    ASSERT_EQ(fwd.status[b], SolveStatus::solved);
    ASSERT_EQ(fwd.polish[b], PolishStatus::succeeded);
    EXPECT_EQ(grad.status[b], BackwardStatus::ok);
    EXPECT_EQ(grad.active_rows[b], n) << "a vertex: n active rows";
    std::vector<int> rows;  // the polished answer's active rows: y_i ≠ 0
    for (int i = 0; i < m; ++i)
      if (fwd.y_of(b)[i] != 0.0) rows.push_back(i);
    ASSERT_EQ(static_cast<int>(rows.size()), n);
    Eigen::MatrixXd A_active(n, n);
    for (int a = 0; a < n; ++a)
      for (int j = 0; j < n; ++j) A_active(a, j) = problems[b].A[static_cast<std::size_t>(rows[a]) * n + j];
    const Eigen::VectorXd db = A_active.transpose().fullPivLu().solve(Eigen::Map<const Eigen::VectorXd>(g.data() + b * n, n));
    Vec expected(m, 0.0), got(m);
    for (int a = 0; a < n; ++a) expected[rows[a]] = db[a];
    for (int i = 0; i < m; ++i) got[i] = grad.dl_of(b)[i] + grad.du_of(b)[i];
    EXPECT_LT(rel_err(got.data(), expected), 1e-8);
  }
}

template <class T>
class BackwardTyped : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(BackwardTyped, Precisions);

TYPED_TEST(BackwardTyped, AdmmModeMatchesDirectModeToSolverAccuracy) {
  using T = TypeParam;
  std::vector<DenseQp> problems;
  for (int b = 0; b < 4; ++b) problems.push_back(generators::make_random_feasible_qp(20, 10, 600 + b));
  PlantedOptions o;
  o.n = 10;
  o.m = 8;
  o.n_equality = 2;
  o.n_active = 3;
  o.n_variable_bounds = 0;
  o.seed = 61;
  const PlantedQp planted = make_planted_qp(o);
  // An SOCP too: the backward QP then has the boundary blocks' curvature and rows.
  generators::PlantedSocpOptions so;
  so.box.n = 10;
  so.box.m = 4;
  so.box.n_active = 1;
  so.box.seed = 62;
  so.blocks = {{3, RowKind::cone_boundary, false}, {3, RowKind::cone_boundary, true}, {2, RowKind::cone_apex, false}};
  const PlantedQp socp = generators::make_planted_socp(so);
  const bool is_double = sizeof(T) == sizeof(double);
  for (const auto& set : {problems, std::vector<DenseQp>{planted.qp}, std::vector<DenseQp>{socp.qp}}) {
    const int n = set[0].n, m = set[0].m, B = static_cast<int>(set.size());
    const auto fwd = solve<T>(set);
    const Vec g = random_vector(B * n, 8), h = random_vector(B * m, 9);
    BackwardOptions admm;
    admm.mode = BackwardMode::admm;
    if (is_double) {
      admm.admm.eps_abs = admm.admm.eps_rel = 1e-9;
      admm.admm.polish = false;  // pure ADMM: an independent route to the same QP
      admm.admm.max_iter = 100000;
    }  // float: the default settings (eps 1e-4, polished)
    for (bool dual : {false, true}) {
      const auto direct = backward_of<T>(set, fwd, g, dual ? h : Vec{});
      const auto via_admm = backward_of<T>(set, fwd, g, dual ? h : Vec{}, admm);
      const double tol = is_double ? 1e-6 : 2e-3;
      for (int b = 0; b < B; ++b) {
        ASSERT_EQ(fwd.status[b], SolveStatus::solved);
        EXPECT_EQ(direct.status[b], BackwardStatus::ok);
        EXPECT_EQ(via_admm.status[b], BackwardStatus::ok);
        EXPECT_EQ(direct.active_rows[b], via_admm.active_rows[b]);
        auto as_vec = [](const T* p, std::size_t count) { return Vec(p, p + count); };
        EXPECT_LT(rel_err(via_admm.dq_of(b), as_vec(direct.dq_of(b), n)), tol);
        EXPECT_LT(rel_err(via_admm.dP_of(b), as_vec(direct.dP_of(b), n * n)), tol);
        EXPECT_LT(rel_err(via_admm.dA_of(b), as_vec(direct.dA_of(b), m * n)), tol);
        EXPECT_LT(rel_err(via_admm.dl_of(b), as_vec(direct.dl_of(b), m), 1e-3), tol);
        EXPECT_LT(rel_err(via_admm.du_of(b), as_vec(direct.du_of(b), m), 1e-3), tol);
      }
    }
  }
}

TYPED_TEST(BackwardTyped, SharedInputsReceiveTheSumOfPerProblemGradients) {
  using T = TypeParam;
  PlantedOptions o;
  o.n = 8;
  o.m = 6;
  o.n_active = 3;
  o.n_equality = 1;
  o.seed = 70;
  const PlantedQp base = make_planted_qp(o);
  const int B = 5, n = o.n, m = o.m;
  typename QpBatch<T>::Sharing sharing;
  sharing.P = sharing.A = sharing.l = sharing.u = true;
  QpBatch<T> shared(B, n, m, sharing);
  std::copy(base.qp.P.begin(), base.qp.P.end(), shared.P(0));
  std::copy(base.qp.A.begin(), base.qp.A.end(), shared.A(0));
  std::copy(base.qp.l.begin(), base.qp.l.end(), shared.l(0));
  std::copy(base.qp.u.begin(), base.qp.u.end(), shared.u(0));
  std::vector<DenseQp> copies;
  for (int b = 0; b < B; ++b) {
    DenseQp p = base.qp;
    for (int j = 0; j < n; ++j) p.q[j] += 0.2 * b * ((j % 3) - 1.0);
    std::copy(p.q.begin(), p.q.end(), shared.q(b));
    copies.push_back(p);
  }
  const auto fwd = solve<T>(copies);
  const Vec g = random_vector(B * n, 71);
  const auto gT = cast<T>(g);
  const auto per_problem = backward_of<T>(copies, fwd, g);
  EXPECT_EQ(per_problem.dP_stride, n * n);
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    const auto sum = backward(testing::test_executor(threads), shared.view(), fwd, gT.data());
    ASSERT_EQ(sum.dP.size(), std::size_t(n * n));
    ASSERT_EQ(sum.dA.size(), std::size_t(m * n));
    ASSERT_EQ(sum.dq.size(), std::size_t(B * n));
    EXPECT_EQ(sum.dP_stride, 0);
    EXPECT_EQ(sum.dq_stride, n);
    auto summed = [&](const std::vector<T>& v, std::size_t block) {
      Vec s(block, 0.0);
      for (int b = 0; b < B; ++b)
        for (std::size_t k = 0; k < block; ++k) s[k] += double(v[b * block + k]);
      return s;
    };
    const double tol = sizeof(T) == sizeof(double) ? 1e-12 : 1e-5;
    EXPECT_LT(rel_err(sum.dP.data(), summed(per_problem.dP, n * n)), tol);
    EXPECT_LT(rel_err(sum.dA.data(), summed(per_problem.dA, m * n)), tol);
    EXPECT_LT(rel_err(sum.dl.data(), summed(per_problem.dl, m), 1e-3), tol);
    EXPECT_LT(rel_err(sum.du.data(), summed(per_problem.du, m), 1e-3), tol);
    EXPECT_LT(rel_err(sum.dq.data(), Vec(per_problem.dq.begin(), per_problem.dq.end())), tol);
    for (int b = 0; b < B; ++b) EXPECT_EQ(sum.status[b], BackwardStatus::ok);
  }
}

TYPED_TEST(BackwardTyped, UnsolvedForwardGivesZerosAndForwardNotSolved) {
  using T = TypeParam;
  PlantedOptions o;
  o.n = 6;
  o.m = 4;
  o.n_active = 2;
  std::vector<PlantedQp> planted;
  for (std::uint64_t seed : {80u, 81u, 82u}) {
    o.seed = seed;
    planted.push_back(make_planted_qp(o));
  }
  std::vector<DenseQp> problems;
  std::vector<Vec> xs, ys;
  for (const auto& p : planted) {
    problems.push_back(p.qp);
    xs.push_back(p.x_star);
    ys.push_back(p.y_star);
  }
  auto fwd = as_forward<T>(xs, ys);
  fwd.status[1] = SolveStatus::max_iterations;
  const Vec g = random_vector(3 * o.n, 83);
  const auto grad = backward_of<T>(problems, fwd, g);
  EXPECT_EQ(grad.status[0], BackwardStatus::ok);
  EXPECT_EQ(grad.status[1], BackwardStatus::forward_not_solved);
  EXPECT_EQ(grad.status[2], BackwardStatus::ok);
  EXPECT_EQ(grad.count(BackwardStatus::forward_not_solved), 1);
  for (int j = 0; j < o.n * o.n; ++j) EXPECT_EQ(grad.dP_of(1)[j], T(0));
  for (int j = 0; j < o.n; ++j) EXPECT_EQ(grad.dq_of(1)[j], T(0));
  for (int k = 0; k < o.m * o.n; ++k) EXPECT_EQ(grad.dA_of(1)[k], T(0));
  for (int i = 0; i < o.m; ++i) EXPECT_EQ(grad.dl_of(1)[i] + grad.du_of(1)[i], T(0));
  double nonzero = 0;
  for (int j = 0; j < o.n; ++j) nonzero += std::abs(double(grad.dq_of(2)[j]));
  EXPECT_GT(nonzero, 0.0);

  BackwardOptions strict;
  strict.error_if_unsolved = true;
  try {
    backward_of<T>(problems, fwd, g, {}, strict);
    FAIL() << "expected ForwardNotSolved";
  } catch (const ForwardNotSolved& e) {
    EXPECT_NE(std::string(e.what()).find("problem 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("max_iterations"), std::string::npos) << e.what();
  }
}

TYPED_TEST(BackwardTyped, NonFiniteLossGradientGivesZerosAndLeavesNeighboursAlone) {
  using T = TypeParam;
  PlantedOptions o;
  o.n = 5;
  o.m = 4;
  o.n_active = 2;
  o.seed = 90;
  const PlantedQp p = make_planted_qp(o);
  const auto fwd = as_forward<T>({p.x_star, p.x_star}, {p.y_star, p.y_star});
  Vec g = random_vector(2 * o.n, 91);
  const auto reference = backward_of<T>({p.qp, p.qp}, fwd, g);
  g[o.n + 2] = std::numeric_limits<double>::quiet_NaN();
  const auto grad = backward_of<T>({p.qp, p.qp}, fwd, g);
  EXPECT_EQ(grad.status[0], BackwardStatus::ok);
  EXPECT_EQ(grad.status[1], BackwardStatus::non_finite_input);
  EXPECT_TRUE(all_finite(grad));
  for (int j = 0; j < o.n; ++j) {
    EXPECT_EQ(grad.dq_of(0)[j], reference.dq_of(0)[j]);
    EXPECT_EQ(grad.dq_of(1)[j], T(0));
  }
}

TYPED_TEST(BackwardTyped, ThreadCountDoesNotChangePerProblemGradients) {
  using T = TypeParam;
  std::vector<DenseQp> problems;
  for (int b = 0; b < 7; ++b) problems.push_back(generators::make_random_feasible_qp(12, 8, 700 + b));
  const auto fwd = solve<T>(problems);
  const Vec g = random_vector(7 * 12, 92);
  const auto one = backward_of<T>(problems, fwd, g, {}, {}, testing::test_executor(1));
  const auto three = backward_of<T>(problems, fwd, g, {}, {}, testing::test_executor(3));
  EXPECT_EQ(one.dP, three.dP);
  EXPECT_EQ(one.dq, three.dq);
  EXPECT_EQ(one.dA, three.dA);
  EXPECT_EQ(one.dl, three.dl);
  EXPECT_EQ(one.du, three.du);
  EXPECT_EQ(one.status, three.status);
}

TYPED_TEST(BackwardTyped, UnconstrainedProblemGivesMinusPInverseG) {
  using T = TypeParam;
  DenseQp qp;
  qp.n = 3;
  qp.m = 0;
  qp.P = {2, 0, 0, 0, 4, 0, 0, 0, 8};
  qp.q = {-2, -4, -8};
  const auto fwd = as_forward<T>({{1, 1, 1}}, {Vec{}});
  const Vec g = {1, 1, 1};
  BackwardOptions admm;
  admm.mode = BackwardMode::admm;
  for (const BackwardOptions& o : {BackwardOptions{}, admm}) {
    const auto grad = backward_of<T>({qp}, fwd, g, {}, o);
    EXPECT_EQ(grad.status[0], BackwardStatus::ok);
    EXPECT_EQ(grad.active_rows[0], 0);
    const Vec dq = {-0.5, -0.25, -0.125};
    EXPECT_LT(rel_err(grad.dq.data(), dq), 1e-5);
    Vec dP(9);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) dP[i * 3 + j] = 0.5 * (dq[i] + dq[j]);  // x* = 1
    EXPECT_LT(rel_err(grad.dP.data(), dP), 1e-5);
  }
}

// ---- Degenerate active sets: finite gradients, `regularized` where the reduced KKT is singular.

template <class T>
class BackwardDegenerate : public ::testing::Test {};
TYPED_TEST_SUITE(BackwardDegenerate, Precisions);

// Agreement expected between two gradients of the same quantity computed along different routes.
template <class T>
double route_tolerance() {
  return sizeof(T) == sizeof(double) ? 1e-8 : 1e-3;
}

// A row at its bound with y_i = 0 (or below the tolerance) is inactive: the gradients are
// those of the problem whose bound was never there — one of the two one-sided derivatives.
TYPED_TEST(BackwardDegenerate, WeaklyActiveRowIsTreatedAsInactive) {
  using T = TypeParam;
  PlantedOptions o;
  o.n = 8;
  o.m = 6;
  o.n_active = 2;
  o.infinite_bounds = false;
  o.seed = 100;
  const PlantedQp planted = make_planted_qp(o);
  int weak = -1;
  for (int i = 0; i < o.m && weak < 0; ++i)
    if (planted.row_kind[i] == RowKind::inactive) weak = i;
  ASSERT_GE(weak, 0);
  DenseQp touching = planted.qp;
  double ax = 0;
  for (int j = 0; j < o.n; ++j) ax += touching.A[weak * o.n + j] * planted.x_star[j];
  touching.u[weak] = ax;  // x* and y* stay optimal: the row touches its bound with y = 0
  Vec y_tiny = planted.y_star;
  y_tiny[weak] = 1e-12;
  const Vec g = random_vector(o.n, 101), h = random_vector(o.m, 102);
  const auto relaxed = backward_of<T>({planted.qp}, as_forward<T>({planted.x_star}, {planted.y_star}), g, h);
  for (const Vec& y : {planted.y_star, y_tiny}) {
    const auto grad = backward_of<T>({touching}, as_forward<T>({planted.x_star}, {y}), g, h);
    EXPECT_EQ(grad.status[0], BackwardStatus::ok);
    EXPECT_EQ(grad.active_rows[0], relaxed.active_rows[0]);
    EXPECT_LT(rel_err(grad.dq.data(), Vec(relaxed.dq.begin(), relaxed.dq.end())), route_tolerance<T>());
    EXPECT_LT(rel_err(grad.du.data(), Vec(relaxed.du.begin(), relaxed.du.end())), route_tolerance<T>());
  }
  // And from the forward solver, whatever multiplier it leaves on the touching row.
  const auto fwd = solve<T>({touching});
  ASSERT_EQ(fwd.status[0], SolveStatus::solved);
  const auto grad = backward_of<T>({touching}, fwd, g, h);
  // Its multiplier there is below the activity threshold: the row is left out and the reduced
  // KKT is the relaxed problem's (measured: ok in both precisions).
  EXPECT_EQ(grad.status[0], BackwardStatus::ok);
  EXPECT_EQ(grad.active_rows[0], relaxed.active_rows[0]);
  EXPECT_LT(rel_err(grad.dq.data(), Vec(relaxed.dq.begin(), relaxed.dq.end())), route_tolerance<T>());
  EXPECT_TRUE(all_finite(grad));
}

// Two copies of an active row with the multiplier split between them: A_𝒜 is rank
// deficient and w is not unique, but dx is, and so are the sums over the two copies.
TYPED_TEST(BackwardDegenerate, DuplicatedActiveRowsAreRegularizedAndKeepTheExactGradients) {
  using T = TypeParam;
  PlantedOptions o;
  o.n = 8;
  o.m = 6;
  o.n_active = 3;
  o.n_equality = 1;
  o.seed = 110;
  const PlantedQp planted = make_planted_qp(o);
  const bpqp::testing::DuplicatedRow d = bpqp::testing::duplicate_an_active_row(planted);
  ASSERT_GE(d.row, 0);
  const int row = d.row;
  const DenseQp& dup = d.qp;
  const Vec& y = d.y;
  const Vec g = random_vector(o.n, 111);
  const auto original = backward_of<T>({planted.qp}, as_forward<T>({planted.x_star}, {planted.y_star}), g);
  const auto grad = backward_of<T>({dup}, as_forward<T>({planted.x_star}, {y}), g);
  ASSERT_EQ(original.status[0], BackwardStatus::ok);
  EXPECT_EQ(grad.status[0], BackwardStatus::regularized);
  EXPECT_TRUE(all_finite(grad));
  EXPECT_LT(rel_err(grad.dq.data(), Vec(original.dq.begin(), original.dq.end())), route_tolerance<T>());
  EXPECT_LT(rel_err(grad.dP.data(), Vec(original.dP.begin(), original.dP.end())), route_tolerance<T>());
  const int last = o.m;
  double scale = 1;
  for (double v : original.dA) scale = std::max(scale, std::abs(v));
  for (int j = 0; j < o.n; ++j)
    EXPECT_NEAR(grad.dA[row * o.n + j] + grad.dA[last * o.n + j], original.dA[row * o.n + j], route_tolerance<T>() * scale);
  EXPECT_NEAR(grad.du[row] + grad.du[last], original.du[row], route_tolerance<T>() * scale);
  EXPECT_NEAR(grad.dl[row] + grad.dl[last], original.dl[row], route_tolerance<T>() * scale);

  // The forward solver on the duplicated problem: whatever split it finds, finite gradients.
  const auto fwd = solve<T>({dup});
  ASSERT_EQ(fwd.status[0], SolveStatus::solved);
  const auto from_forward = backward_of<T>({dup}, fwd, g);
  EXPECT_TRUE(all_finite(from_forward));
  EXPECT_LT(rel_err(from_forward.dq.data(), Vec(original.dq.begin(), original.dq.end())), (sizeof(T) == sizeof(double) ? 1e-6 : 1e-2));
}

// minimize x1 + x2 s.t. x1 ≥ 0, x2 ≥ 0, x1 + x2 ≥ 0: three active rows through one
// vertex in R², a degenerate vertex with a non-unique dual.
TYPED_TEST(BackwardDegenerate, LpAtADegenerateVertexIsRegularizedAndFinite) {
  using T = TypeParam;
  DenseQp lp;
  lp.n = 2;
  lp.m = 3;
  lp.P = {0, 0, 0, 0};
  lp.q = {1, 1};
  lp.A = {1, 0, 0, 1, 1, 1};
  lp.l = {0, 0, 0};
  lp.u = {kInf, kInf, kInf};
  const Vec g = {0.3, -0.8};
  const auto grad = backward_of<T>({lp}, as_forward<T>({{0, 0}}, {{-0.5, -0.5, -0.5}}), g);
  EXPECT_EQ(grad.status[0], BackwardStatus::regularized);
  EXPECT_EQ(grad.active_rows[0], 3);
  EXPECT_TRUE(all_finite(grad));
  EXPECT_NEAR(grad.dq[0], 0.0, route_tolerance<T>());  // the vertex does not move with q
  EXPECT_NEAR(grad.dq[1], 0.0, route_tolerance<T>());

  const auto fwd = solve<T>({lp});
  ASSERT_EQ(fwd.status[0], SolveStatus::solved);
  const auto from_forward = backward_of<T>({lp}, fwd, g);
  EXPECT_TRUE(all_finite(from_forward));
  // The vertex's dual is not unique: where the forward's multipliers are nonzero on all three
  // rows, the backward meets the same degenerate active set; where the forward's polish picked
  // a basis (two rows, y = (−1, −1, 0)), the active set is regular. The gradient is 0 either way.
  int carrying = 0;
  for (int i = 0; i < 3; ++i) carrying += fwd.y_of(0)[i] != T(0);
  EXPECT_EQ(from_forward.active_rows[0], carrying);
  EXPECT_EQ(from_forward.status[0], carrying == 3 ? BackwardStatus::regularized : BackwardStatus::ok);
  EXPECT_NEAR(from_forward.dq[0], 0.0, route_tolerance<T>());
  EXPECT_NEAR(from_forward.dq[1], 0.0, route_tolerance<T>());
}

// minimize x1 s.t. x1 ≥ 0, −1 ≤ x2 ≤ 1: the optimal face is an edge (x2 is free on it),
// P = 0 on null(A_𝒜), and a loss that depends on x2 has no derivative.
TYPED_TEST(BackwardDegenerate, LpWithAnOptimalEdgeIsRegularizedAndFinite) {
  using T = TypeParam;
  DenseQp lp;
  lp.n = 2;
  lp.m = 2;
  lp.P = {0, 0, 0, 0};
  lp.q = {1, 0};
  lp.A = {1, 0, 0, 1};
  lp.l = {0, -1};
  lp.u = {kInf, 1};
  for (const Vec& g : {Vec{0.5, 0.7}, Vec{0.5, 0.0}}) {
    const auto grad = backward_of<T>({lp}, as_forward<T>({{0, 0.3}}, {{-1, 0}}), g);
    EXPECT_TRUE(all_finite(grad));
    // g with no x2 component lies in the range of the singular reduced KKT.
    EXPECT_EQ(grad.status[0], g[1] != 0 ? BackwardStatus::regularized : BackwardStatus::ok) << "g2 = " << g[1];
  }
}

// ---- LPs and smoothing.

TEST(BackwardLp, NonDegenerateVertexHasZeroDqWithoutSmoothingAndNonZeroWithIt) {
  std::vector<DenseQp> lps;
  for (int b = 0; b < 3; ++b) lps.push_back(make_planted_lp(6, 4, 120 + b).qp);
  const auto fwd = solve<double>(lps);
  const Vec g = random_vector(3 * 6, 121);
  const auto exact = backward_of<double>(lps, fwd, g);
  BackwardOptions smooth;
  smooth.lp_smoothing = 1e-2;
  const auto smoothed = backward_of<double>(lps, fwd, g, {}, smooth);
  for (int b = 0; b < 3; ++b) {
    ASSERT_EQ(fwd.status[b], SolveStatus::solved);
    EXPECT_EQ(exact.status[b], BackwardStatus::ok);
    EXPECT_EQ(smoothed.status[b], BackwardStatus::ok);
    double exact_norm = 0, smooth_norm = 0, bound_norm = 0;
    for (int j = 0; j < 6; ++j) {
      exact_norm = std::max(exact_norm, std::abs(exact.dq_of(b)[j]));
      smooth_norm = std::max(smooth_norm, std::abs(smoothed.dq_of(b)[j]));
    }
    for (int i = 0; i < 10; ++i) bound_norm = std::max(bound_norm, std::abs(exact.dl_of(b)[i] + exact.du_of(b)[i]));
    EXPECT_LT(exact_norm, 1e-12);
    EXPECT_GT(smooth_norm, 1e-4);
    EXPECT_GT(bound_norm, 1e-2);  // the vertex does move with the active bounds
  }
}

// With lp_smoothing γ the gradients are the exact derivatives of one proximal-method-of-
// multipliers step from (x*, y*) with the active set held:
//   x⁺ = argmin ½xᵀPx + qᵀx + (γ/2)‖x − x*‖² + ‖A_𝒜x − b_𝒜 + γy*_𝒜‖²/(2γ),
//   y⁺_𝒜 = (A_𝒜x⁺ − b_𝒜 + γy*_𝒜)/γ,
// whose fixed point is (x*, y*). Checked by central differences of that map.
struct ProximalStep {
  const Vec& x_star;
  const Vec& y_star;
  std::vector<int> active;  // rows, with b_i = u_i where y_i > 0, l_i where y_i < 0 or l_i = u_i
  double gamma;

  void operator()(const DenseQp& qp, Vec& x, Vec& y) const {
    const int n = qp.n, k = static_cast<int>(active.size());
    Eigen::MatrixXd H(n, n), A(k, n);
    Eigen::VectorXd rhs(n), b(k), ys(k);
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < n; ++c) H(r, c) = qp.P[r * n + c] + (r == c ? gamma : 0.0);
    for (int a = 0; a < k; ++a) {
      const int i = active[a];
      for (int j = 0; j < n; ++j) A(a, j) = qp.A[i * n + j];
      b(a) = y_star[i] > 0 ? qp.u[i] : qp.l[i];
      ys(a) = y_star[i];
    }
    for (int j = 0; j < n; ++j) rhs(j) = -qp.q[j] + gamma * x_star[j];
    H += A.transpose() * A / gamma;
    rhs += A.transpose() * (b - gamma * ys) / gamma;
    const Eigen::VectorXd xp = H.ldlt().solve(rhs);
    const Eigen::VectorXd yp = (A * xp - b + gamma * ys) / gamma;
    x.assign(xp.data(), xp.data() + n);
    y.assign(qp.m, 0.0);
    for (int a = 0; a < k; ++a) y[active[a]] = yp(a);
  }
};

TEST(BackwardSmoothing, IsTheExactDerivativeOfOneProximalStep) {
  PlantedOptions o;
  o.n = 6;
  o.m = 5;
  o.n_equality = 1;
  o.n_active = 2;
  o.n_variable_bounds = 2;
  o.seed = 130;
  std::vector<PlantedQp> cases = {make_planted_qp(o), make_planted_lp(5, 2, 131)};
  for (const PlantedQp& p : cases) {
    ProximalStep step{p.x_star, p.y_star, {}, 0.05};
    for (int i = 0; i < p.qp.m; ++i)
      if (p.row_kind[i] != RowKind::inactive) step.active.push_back(i);
    const Vec g = random_vector(p.qp.n, 132), h = random_vector(p.qp.m, 133);
    Vec x0, y0;
    step(p.qp, x0, y0);
    EXPECT_LT(rel_err(x0.data(), p.x_star), 1e-10);  // (x*, y*) is the step's fixed point
    BackwardOptions smooth;
    smooth.lp_smoothing = step.gamma;
    const auto grad = backward_of<double>({p.qp}, as_forward<double>({p.x_star}, {p.y_star}), g, h, smooth);
    EXPECT_EQ(grad.status[0], BackwardStatus::ok);
    const Differences d = central_differences(
        p.qp,
        [&](const std::vector<DenseQp>& probes) {
          Vec L;
          for (const DenseQp& q : probes) {
            Vec x, y;
            step(q, x, y);
            L.push_back(loss(x.data(), y.data(), g, h));
          }
          return L;
        },
        1e-5);
    expect_matches(grad, 0, p.qp, d, 1e-6);
  }
}

TEST(BackwardSmoothing, TendsToTheExactGradientAsGammaShrinks) {
  PlantedOptions o;
  o.n = 8;
  o.m = 6;
  o.n_active = 3;
  o.n_equality = 1;
  o.seed = 140;
  const PlantedQp p = make_planted_qp(o);
  const auto fwd = as_forward<double>({p.x_star}, {p.y_star});
  const Vec g = random_vector(o.n, 141);
  const auto exact = backward_of<double>({p.qp}, fwd, g);
  double previous = kInf;
  for (double gamma : {1e-1, 1e-2, 1e-3, 1e-4}) {
    BackwardOptions smooth;
    smooth.lp_smoothing = gamma;
    const auto grad = backward_of<double>({p.qp}, fwd, g, {}, smooth);
    const double err = rel_err(grad.dq.data(), Vec(exact.dq.begin(), exact.dq.end()));
    EXPECT_LT(err, previous * 0.5) << "gamma " << gamma;
    previous = err;
  }
  EXPECT_LT(previous, 1e-2);
}

// ---- API.

TEST(BackwardApi, MisuseThrowsInvalidArgumentNamingTheArgument) {
  QpBatch<double> batch(2, 3, 2);
  for (int b = 0; b < 2; ++b)
    for (int j = 0; j < 3; ++j) batch.P(b)[j * 3 + j] = 1;
  SolveResult<double> fwd = as_forward<double>({{0, 0, 0}, {0, 0, 0}}, {{0, 0}, {0, 0}});
  const Vec g(6, 1.0);
  auto expect_message = [&](const std::function<void()>& call, const std::string& needle) {
    try {
      call();
      FAIL() << "expected InvalidArgument mentioning " << needle;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  const auto cpu = Executor::cpu(1);
  expect_message([&] { backward(cpu, batch.view(), fwd, static_cast<const double*>(nullptr)); }, "dl_dx");
  SolveResult<double> wrong = fwd;
  wrong.batch = 3;
  expect_message([&] { backward(cpu, batch.view(), wrong, g.data()); }, "forward");
  wrong = fwd;
  wrong.y.pop_back();
  expect_message([&] { backward(cpu, batch.view(), wrong, g.data()); }, "forward.y");
  BackwardOptions o;
  o.lp_smoothing = -1;
  expect_message([&] { backward(cpu, batch.view(), fwd, g.data(), nullptr, o); }, "lp_smoothing");
  o = {};
  o.active_tolerance = -1;
  expect_message([&] { backward(cpu, batch.view(), fwd, g.data(), nullptr, o); }, "active_tolerance");
  o = {};
  o.delta = 0;
  expect_message([&] { backward(cpu, batch.view(), fwd, g.data(), nullptr, o); }, "delta");
  o = {};
  o.mode = BackwardMode::admm;
  o.admm.alpha = 3;
  expect_message([&] { backward(cpu, batch.view(), fwd, g.data(), nullptr, o); }, "alpha");
  QpBatchView<double> bad = batch.view();
  bad.A_stride = 1;
  expect_message([&] { backward(cpu, bad, fwd, g.data()); }, "A_stride");
}

TEST(BackwardApi, UnwantedGradientsAreNeitherComputedNorAllocated) {
  PlantedOptions o;
  o.seed = 150;
  const PlantedQp p = make_planted_qp(o);
  BackwardOptions only_q;
  only_q.want_P = only_q.want_A = only_q.want_l = only_q.want_u = false;
  const auto fwd = as_forward<double>({p.x_star}, {p.y_star});
  const Vec g = random_vector(o.n, 151);
  const auto all = backward_of<double>({p.qp}, fwd, g);
  const auto grad = backward_of<double>({p.qp}, fwd, g, {}, only_q);
  EXPECT_TRUE(grad.dP.empty() && grad.dA.empty() && grad.dl.empty() && grad.du.empty());
  EXPECT_EQ(grad.dq, all.dq);
}

TEST(BackwardApi, CudaExecutorWithoutAGpuFailsClearly) {
  if (cuda_available()) GTEST_SKIP() << "a CUDA device is present; tests/gpu covers the CUDA backward";
  QpBatch<double> batch(1, 2, 0);
  batch.P(0)[0] = batch.P(0)[3] = 1;
  const auto fwd = as_forward<double>({{0, 0}}, {Vec{}});
  const Vec g = {1, 1};
  try {
    backward(Executor::cuda(0), batch.view(), fwd, g.data());
    FAIL() << "expected CudaUnavailable";
  } catch (const CudaUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("Executor::cuda"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bpqp

namespace bpqp {
namespace {

// Solver::backward differentiates the last solve(): the same gradients, bit for bit, as the
// free function given that solve's batch and result (and this solver's eps_abs as the
// active-set threshold), after a second solve of other data too.
TEST(SolverBackward, DifferentiatesTheLastSolveAsTheFreeFunctionDoes) {
  std::vector<DenseQp> problems;
  for (std::uint64_t seed : {41u, 42u, 43u}) {
    PlantedOptions o;
    o.n = 6;
    o.m = 4;
    o.n_active = 2;
    o.seed = seed;
    problems.push_back(make_planted_qp(o).qp);
  }
  auto batch = QpBatch<double>::from_problems(problems);
  Settings settings = tight_settings();
  settings.eps_abs = 1e-9;
  Solver<double> solver(testing::test_executor(1), settings);
  EXPECT_THROW(solver.backward(nullptr), InvalidArgument);
  const Vec g = random_vector(3 * 6, 11);
  for (int round = 0; round < 2; ++round) {
    if (round == 1) batch.q(1)[0] += 0.5;  // new data, the same arrays
    const SolveResult<double> fwd = solver.solve(batch.view());
    const Gradients<double> stateful = solver.backward(g.data());
    BackwardOptions o;
    o.active_tolerance = 1e-9;
    const Gradients<double> free = backward(testing::test_executor(1), batch.view(), fwd, g.data(), nullptr, o);
    EXPECT_EQ(stateful.dq, free.dq) << "round " << round;
    EXPECT_EQ(stateful.dP, free.dP) << "round " << round;
    EXPECT_EQ(stateful.dA, free.dA) << "round " << round;
    EXPECT_EQ(stateful.du, free.du) << "round " << round;
    EXPECT_EQ(stateful.status, free.status) << "round " << round;
  }
}

}  // namespace
}  // namespace bpqp
