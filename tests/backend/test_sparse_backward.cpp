// The sparse path's backward (bpqp/sparse_backward.hpp) against the dense path's, on the same
// forward solutions: the same statuses and active sets, and the same gradients once the dense
// ones are read on the input's patterns — the dense path's gradients are themselves checked
// against central differences (test_backward.cpp). Then central differences of the sparse
// path's own solves with respect to stored values, the degenerate cases, per-problem
// statuses in one batch, shared inputs, and misuse.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "bpqp/bpqp.hpp"
#include "problems/problem_generators.hpp"
#include "support/duplicated_row.hpp"
#include "support/union_batch.hpp"

namespace {

using bpqp::BackwardOptions;
using bpqp::BackwardStatus;
using bpqp::DenseQp;
using bpqp::Gradients;
using bpqp::SolveResult;
using bpqp::SolveStatus;
using bpqp::testing::union_batch;
using bpqp::testing::UnionBatch;
using Vec = std::vector<double>;
constexpr double kInf = std::numeric_limits<double>::infinity();

Vec wave(int size, double phase) {
  Vec v(size);
  for (int i = 0; i < size; ++i) v[i] = std::sin(phase + 1.7 * i) + 0.25;
  return v;
}

// Where entry (i, j) is stored in M, or −1.
int stored_entry(const bpqp::CscMatrix& M, int i, int j) {
  for (int k = M.col_starts[j]; k < M.col_starts[j + 1]; ++k)
    if (M.row_indices[k] == i) return k;
  return -1;
}

// A forward result holding the given solutions (status solved).
SolveResult<double> as_forward(const std::vector<Vec>& xs, const std::vector<Vec>& ys, int n, int m) {
  SolveResult<double> r;
  r.batch = static_cast<int>(xs.size());
  r.n = n;
  r.m = m;
  for (const Vec& x : xs) r.x.insert(r.x.end(), x.begin(), x.end());
  for (const Vec& y : ys) r.y.insert(r.y.end(), y.begin(), y.end());
  r.status.assign(xs.size(), SolveStatus::solved);
  return r;
}

SolveResult<double> solve_dense(const std::vector<DenseQp>& problems, double eps) {
  bpqp::Settings s;
  s.eps_abs = s.eps_rel = eps;
  return bpqp::Solver<double>(bpqp::Executor::cpu(), s).solve(bpqp::QpBatch<double>::from_problems(problems).view());
}

double largest(const Vec& v) {
  double s = 0.0;
  for (double e : v) s = std::max(s, std::abs(e));
  return s;
}

// The sparse gradients of problem b against the dense ones read on the patterns: dA at A's
// stored entries, dP at P's stored upper entries as the derivative of the stored value (both
// mirrored dense entries off the diagonal).
void expect_same_gradients(const UnionBatch& u, const Gradients<double>& sparse, const Gradients<double>& dense, int b,
                           double tol) {
  const int n = u.view.n, m = u.view.m;
  EXPECT_EQ(sparse.status[b], dense.status[b]);
  EXPECT_EQ(sparse.active_rows[b], dense.active_rows[b]);
  const Vec dq(dense.dq_of(b), dense.dq_of(b) + n), dl(dense.dl_of(b), dense.dl_of(b) + m),
      du(dense.du_of(b), dense.du_of(b) + m), dP(dense.dP_of(b), dense.dP_of(b) + n * n),
      dA(dense.dA_of(b), dense.dA_of(b) + m * n);
  const double scale = 1.0 + std::max({largest(dq), largest(dl), largest(du), largest(dP), largest(dA)});
  for (int j = 0; j < n; ++j) EXPECT_NEAR(sparse.dq_of(b)[j], dq[j], tol * scale) << "dq " << j;
  for (int i = 0; i < m; ++i) {
    EXPECT_NEAR(sparse.dl_of(b)[i], dl[i], tol * scale) << "dl " << i;
    EXPECT_NEAR(sparse.du_of(b)[i], du[i], tol * scale) << "du " << i;
  }
  for (int j = 0; j < n; ++j)
    for (int k = u.P.col_starts[j]; k < u.P.col_starts[j + 1]; ++k) {
      const int i = u.P.row_indices[k];
      const double expected = i == j ? dP[i * n + i] : dP[i * n + j] + dP[j * n + i];
      EXPECT_NEAR(sparse.dP_of(b)[k], expected, tol * scale) << "dP (" << i << ", " << j << ")";
    }
  for (int j = 0; j < n; ++j)
    for (int k = u.A.col_starts[j]; k < u.A.col_starts[j + 1]; ++k) {
      const int i = u.A.row_indices[k];
      EXPECT_NEAR(sparse.dA_of(b)[k], dA[i * n + j], tol * scale) << "dA (" << i << ", " << j << ")";
    }
}

// Both backward passes of the same forward result; every problem compared.
void expect_paths_agree(const std::vector<DenseQp>& problems, const SolveResult<double>& fwd, bool with_dual_loss,
                        const BackwardOptions& options = {}, double tol = 1e-9) {
  const int n = problems[0].n, m = problems[0].m, count = static_cast<int>(problems.size());
  Vec g, h;
  for (int b = 0; b < count; ++b) {
    const Vec gb = wave(n, 0.3 + b), hb = wave(m, 1.1 + b);
    g.insert(g.end(), gb.begin(), gb.end());
    h.insert(h.end(), hb.begin(), hb.end());
  }
  const double* h_ptr = with_dual_loss ? h.data() : nullptr;
  const UnionBatch u = union_batch(problems);
  const auto dense_batch = bpqp::QpBatch<double>::from_problems(problems);
  const auto dense = bpqp::backward(bpqp::Executor::cpu(), dense_batch.view(), fwd, g.data(), h_ptr, options);
  const auto sparse = bpqp::backward_sparse(u.view, fwd, g.data(), h_ptr, options);
  ASSERT_EQ(sparse.dP.size(), static_cast<std::size_t>(count) * u.P.nonzeros());
  ASSERT_EQ(sparse.dA.size(), static_cast<std::size_t>(count) * u.A.nonzeros());
  for (int b = 0; b < count; ++b) {
    SCOPED_TRACE("problem " + std::to_string(b) + " (" + problems[b].name + ")");
    expect_same_gradients(u, sparse, dense, b, tol);
  }
}

std::vector<DenseQp> planted_problems() {
  std::vector<DenseQp> out;
  for (int seed = 1; seed <= 4; ++seed) {
    bpqp::generators::PlantedOptions o;
    o.n = 16;
    o.m = 12;
    o.n_equality = seed % 3;
    o.n_active = 3 + seed % 2;
    o.n_variable_bounds = seed % 2 ? 5 : 0;
    o.m -= o.n_variable_bounds;
    o.seed = 40 + seed;
    out.push_back(bpqp::generators::make_planted_qp(o).qp);
  }
  return out;
}

// A problem with real structure: a tridiagonal positive definite P, a sparse A (a third of
// the entries), two equality rows and bounds on every variable.
DenseQp sparse_problem(int n, int m, int seed) {
  DenseQp qp;
  qp.n = n;
  qp.m = m + n;
  qp.P.assign(n * n, 0.0);
  for (int i = 0; i < n; ++i) {
    qp.P[i * n + i] = 2.0 + 0.1 * std::cos(seed + i);
    if (i + 1 < n) qp.P[i * n + i + 1] = qp.P[(i + 1) * n + i] = -0.6;
  }
  qp.q = wave(n, seed);
  for (double& v : qp.q) v *= 3.0;
  qp.A.assign(static_cast<std::size_t>(qp.m) * n, 0.0);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      if ((i * 7 + j * 5 + seed) % 3 == 0) qp.A[i * n + j] = std::sin(seed + 0.37 * (i * n + j));
  for (int j = 0; j < n; ++j) qp.A[(m + j) * n + j] = 1.0;
  // Bounds around a point x0 inside the variable bounds: feasible, the inequality rows' upper
  // bounds close enough to it to be reached.
  const Vec x0 = wave(n, 2.0 * seed);
  for (int i = 0; i < m; ++i) {
    double ax = 0.0;
    for (int j = 0; j < n; ++j) ax += qp.A[i * n + j] * 0.1 * x0[j];
    qp.l.push_back(i < 2 ? ax : (i % 4 == 0 ? -kInf : ax - 0.3));
    qp.u.push_back(i < 2 ? ax : ax + 0.02);
  }
  for (int j = 0; j < n; ++j) {
    qp.l.push_back(-0.8);
    qp.u.push_back(j % 3 == 0 ? kInf : 0.3);
  }
  qp.name = "sparse " + std::to_string(seed);
  return qp;
}

TEST(SparseBackward, MatchesTheDensePathOnPlantedQps) {
  const auto problems = planted_problems();
  const auto fwd = solve_dense(problems, 1e-9);
  for (int b = 0; b < fwd.batch; ++b) ASSERT_EQ(fwd.status[b], SolveStatus::solved) << b;
  expect_paths_agree(problems, fwd, false);
  expect_paths_agree(problems, fwd, true);
}

// On the sparse path's own solutions of structured problems, with bounds active and inactive.
TEST(SparseBackward, MatchesTheDensePathOnStructuredProblems) {
  std::vector<DenseQp> problems;
  for (int seed = 1; seed <= 3; ++seed) problems.push_back(sparse_problem(30, 14, seed));
  const UnionBatch u = union_batch(problems);
  bpqp::Settings s;
  s.eps_abs = s.eps_rel = 1e-9;
  const auto fwd = bpqp::solve_sparse(u.view, s);
  for (int b = 0; b < fwd.batch; ++b) {
    ASSERT_EQ(fwd.status[b], SolveStatus::solved) << b;
    int active = 0;
    for (int i = 0; i < problems[b].m; ++i) active += fwd.y_of(b)[i] != 0.0;
    EXPECT_GT(active, 3) << "a test of active rows needs some";
  }
  expect_paths_agree(problems, fwd, true);
}

// The derivative of the stored values, by central differences of the sparse path's own
// solves: an off-diagonal stored P value (which is P_ij and P_ji), a diagonal one, stored A
// values and q.
TEST(SparseBackward, GradientsAreTheDerivativesOfTheStoredValues) {
  const DenseQp qp = sparse_problem(24, 10, 7);
  UnionBatch u = union_batch({qp});
  bpqp::Settings s;
  s.eps_abs = s.eps_rel = 1e-11;
  const Vec g = wave(qp.n, 0.9);
  auto loss = [&]() {
    const auto r = bpqp::solve_sparse(u.view, s);
    EXPECT_EQ(r.status[0], SolveStatus::solved);
    double L = 0.0;
    for (int j = 0; j < qp.n; ++j) L += g[j] * r.x_of(0)[j];
    return L;
  };
  const auto fwd = bpqp::solve_sparse(u.view, s);
  ASSERT_EQ(fwd.status[0], SolveStatus::solved);
  const auto grad = bpqp::backward_sparse(u.view, fwd, g.data());
  const auto dense =
      bpqp::backward(bpqp::Executor::cpu(), bpqp::QpBatch<double>::from_problems({qp}).view(), fwd, g.data());
  ASSERT_EQ(dense.status[0], BackwardStatus::ok);
  ASSERT_EQ(grad.status[0], BackwardStatus::ok);
  const double step = 1e-6;
  auto difference = [&](double& value) {
    const double saved = value;
    value = saved + step;
    const double up = loss();
    value = saved - step;
    const double down = loss();
    value = saved;
    return (up - down) / (2 * step);
  };
  std::vector<int> P_entries;  // one off-diagonal and one diagonal entry
  for (int k = 0; k < u.P.nonzeros() && P_entries.size() < 2; ++k) {
    const int column = static_cast<int>(std::upper_bound(u.P.col_starts.begin(), u.P.col_starts.end(), k) -
                                         u.P.col_starts.begin()) - 1;
    const bool diagonal = u.P.row_indices[k] == column;
    if (P_entries.empty() ? !diagonal : diagonal) P_entries.push_back(k);
  }
  ASSERT_EQ(P_entries.size(), 2u);
  for (int k : P_entries)
    EXPECT_NEAR(grad.dP[k], difference(u.P_values[k]), 1e-5 * (1 + std::abs(grad.dP[k]))) << "P entry " << k;
  for (int k = 0; k < u.A.nonzeros(); k += 9)
    EXPECT_NEAR(grad.dA[k], difference(u.A_values[k]), 1e-5 * (1 + std::abs(grad.dA[k]))) << "A entry " << k;
  for (int j = 0; j < qp.n; j += 5) EXPECT_NEAR(grad.dq[j], difference(u.q[j]), 1e-5) << "q " << j;
}

// Two copies of an active row (tests/support/duplicated_row.hpp): A_𝒜 is rank deficient. Both
// paths say regularized, and agree where the gradients are unique.
TEST(SparseBackward, DependentActiveRowsAreRegularizedAsOnTheDensePath) {
  bpqp::generators::PlantedOptions o;
  o.n = 10;
  o.m = 7;
  o.n_active = 3;
  o.n_equality = 1;
  o.seed = 110;
  const auto planted = bpqp::generators::make_planted_qp(o);
  const bpqp::testing::DuplicatedRow d = bpqp::testing::duplicate_an_active_row(planted);
  ASSERT_GE(d.row, 0);
  const int row = d.row;
  const DenseQp& dup = d.qp;
  const Vec& y = d.y;
  const auto fwd = as_forward({planted.x_star}, {y}, o.n, dup.m);
  const UnionBatch u = union_batch({dup});
  const Vec g = wave(o.n, 0.2);
  const auto sparse = bpqp::backward_sparse(u.view, fwd, g.data());
  EXPECT_EQ(sparse.status[0], BackwardStatus::regularized);
  // w is not unique: each path may split it differently between the copies; dx is unique, and
  // so are the sums over the two copies.
  const auto dense =
      bpqp::backward(bpqp::Executor::cpu(), bpqp::QpBatch<double>::from_problems({dup}).view(), fwd, g.data());
  EXPECT_EQ(dense.status[0], BackwardStatus::regularized);
  for (int j = 0; j < o.n; ++j) EXPECT_NEAR(sparse.dq[j], dense.dq[j], 1e-8) << j;
  const int last = o.m;
  for (int j = 0; j < o.n; ++j) {
    const int k_row = stored_entry(u.A, row, j), k_last = stored_entry(u.A, last, j);
    if (k_row < 0) continue;
    EXPECT_NEAR(sparse.dA[k_row] + sparse.dA[k_last], dense.dA[row * o.n + j] + dense.dA[last * o.n + j], 1e-8) << j;
  }
  EXPECT_NEAR(sparse.dl[row] + sparse.dl[last], dense.dl[row] + dense.dl[last], 1e-8);
  EXPECT_NEAR(sparse.du[row] + sparse.du[last], dense.du[row] + dense.du[last], 1e-8);
  // Without the copy the same point is regular on both paths.
  const auto regular = as_forward({planted.x_star}, {planted.y_star}, o.n, o.m);
  EXPECT_EQ(bpqp::backward_sparse(union_batch({planted.qp}).view, regular, g.data()).status[0], BackwardStatus::ok);
}

// LPs: a degenerate vertex (three active rows in R²) and an optimal edge (P = 0 on null(A_𝒜))
// are regularized on both paths; smoothing makes a vertex's gradients informative, alike.
TEST(SparseBackward, LpDegeneraciesAndSmoothingAsOnTheDensePath) {
  DenseQp vertex;
  vertex.n = 2;
  vertex.m = 3;
  vertex.P = {0, 0, 0, 0};
  vertex.q = {1, 1};
  vertex.A = {1, 0, 0, 1, 1, 1};
  vertex.l = {0, 0, 0};
  vertex.u = {kInf, kInf, kInf};
  const auto at_vertex = as_forward({{0, 0}}, {{-0.5, -0.5, -0.5}}, 2, 3);
  const Vec g = {0.3, -0.8};
  EXPECT_EQ(bpqp::backward_sparse(union_batch({vertex}).view, at_vertex, g.data()).status[0],
            BackwardStatus::regularized);
  const auto sparse_vertex = bpqp::backward_sparse(union_batch({vertex}).view, at_vertex, g.data());
  EXPECT_NEAR(sparse_vertex.dq[0], 0.0, 1e-8);  // the vertex does not move with q
  EXPECT_NEAR(sparse_vertex.dq[1], 0.0, 1e-8);

  DenseQp edge;
  edge.n = 2;
  edge.m = 2;
  edge.P = {0, 0, 0, 0};
  edge.q = {1, 0};
  edge.A = {1, 0, 0, 1};
  edge.l = {0, -1};
  edge.u = {kInf, 1};
  const auto on_edge = as_forward({{0, 0.3}}, {{-1, 0}}, 2, 2);
  const Vec g_edge = {0.5, 0.7};
  EXPECT_EQ(bpqp::backward_sparse(union_batch({edge}).view, on_edge, g_edge.data()).status[0],
            BackwardStatus::regularized);

  // The same degeneracy in R⁶⁰: x ≥ 0 and Σx ≥ 0, all 61 rows active at the vertex x = 0.
  DenseQp wide;
  wide.n = 60;
  wide.m = 61;
  wide.P.assign(60 * 60, 0.0);
  wide.q.assign(60, 1.0);
  wide.A.assign(61 * 60, 0.0);
  for (int j = 0; j < 60; ++j) wide.A[j * 60 + j] = wide.A[60 * 60 + j] = 1.0;
  wide.l.assign(61, 0.0);
  wide.u.assign(61, kInf);
  const auto at_wide_vertex = as_forward({Vec(60, 0.0)}, {Vec(61, -0.5)}, 60, 61);
  const Vec g_wide = wave(60, 0.1);
  const auto dense_wide = bpqp::backward(bpqp::Executor::cpu(), bpqp::QpBatch<double>::from_problems({wide}).view(),
                                         at_wide_vertex, g_wide.data());
  EXPECT_EQ(dense_wide.status[0], BackwardStatus::regularized);
  EXPECT_EQ(bpqp::backward_sparse(union_batch({wide}).view, at_wide_vertex, g_wide.data()).status[0],
            BackwardStatus::regularized);

  const auto lp = bpqp::generators::make_planted_lp(6, 3, 24);
  const auto fwd = as_forward({lp.x_star}, {lp.y_star}, lp.qp.n, lp.qp.m);
  BackwardOptions smoothed;
  smoothed.lp_smoothing = 1e-2;
  expect_paths_agree({lp.qp}, fwd, true, smoothed);
  const auto sparse = bpqp::backward_sparse(union_batch({lp.qp}).view, fwd, wave(lp.qp.n, 0.4).data(), nullptr,
                                            smoothed);
  EXPECT_GT(largest(sparse.dq), 1e-3) << "smoothing gives a vertex's q a gradient";
}

// One batch: a solved problem, one whose forward did not solve, one with a NaN in ∂L/∂x, and
// one whose multipliers are not finite. Each gets its own status; the bad ones zero gradients.
TEST(SparseBackward, EachProblemGetsItsOwnStatus) {
  auto problems = planted_problems();
  auto fwd = solve_dense(problems, 1e-9);
  const int n = problems[0].n, m = problems[0].m;
  fwd.status[1] = SolveStatus::max_iterations;
  fwd.y[3 * m + 2] = std::numeric_limits<double>::quiet_NaN();
  Vec g;
  for (int b = 0; b < 4; ++b) {
    const Vec gb = wave(n, b);
    g.insert(g.end(), gb.begin(), gb.end());
  }
  g[2 * n + 1] = std::numeric_limits<double>::quiet_NaN();
  const UnionBatch u = union_batch(problems);
  const auto grad = bpqp::backward_sparse(u.view, fwd, g.data());
  EXPECT_EQ(grad.status[0], BackwardStatus::ok);
  EXPECT_EQ(grad.status[1], BackwardStatus::forward_not_solved);
  EXPECT_EQ(grad.status[2], BackwardStatus::non_finite_input);
  EXPECT_EQ(grad.status[3], BackwardStatus::non_finite_input);
  for (int b = 1; b < 4; ++b) {
    EXPECT_EQ(largest(Vec(grad.dq_of(b), grad.dq_of(b) + n)), 0.0) << b;
    EXPECT_EQ(largest(Vec(grad.dA_of(b), grad.dA_of(b) + u.A.nonzeros())), 0.0) << b;
  }
  // Problem 0's gradients are those it gets alone.
  const UnionBatch alone = union_batch({problems[0]});
  const auto by_itself = bpqp::backward_sparse(alone.view, solve_dense({problems[0]}, 1e-9), g.data());
  for (int j = 0; j < n; ++j) EXPECT_NEAR(grad.dq_of(0)[j], by_itself.dq[j], 1e-9) << j;
  BackwardOptions strict;
  strict.error_if_unsolved = true;
  EXPECT_THROW(bpqp::backward_sparse(u.view, fwd, g.data(), nullptr, strict), bpqp::ForwardNotSolved);
}

// P and A shared by the batch (stride 0): one block each, the sum of the problems' gradients.
TEST(SparseBackward, SharedInputsGetTheSumOverTheBatch) {
  std::vector<DenseQp> problems(3, sparse_problem(20, 8, 3));
  for (int b = 0; b < 3; ++b) problems[b].q = wave(20, 0.5 * b);
  UnionBatch u = union_batch(problems);
  u.view.P_stride = 0;
  u.view.A_stride = 0;
  bpqp::Settings s;
  s.eps_abs = s.eps_rel = 1e-9;
  const auto fwd = bpqp::solve_sparse(u.view, s);
  Vec g;
  for (int b = 0; b < 3; ++b) {
    const Vec gb = wave(20, 2.0 + b);
    g.insert(g.end(), gb.begin(), gb.end());
  }
  const auto grad = bpqp::backward_sparse(u.view, fwd, g.data());
  EXPECT_EQ(grad.dP_stride, 0);
  EXPECT_EQ(grad.dA_stride, 0);
  ASSERT_EQ(grad.dA.size(), static_cast<std::size_t>(u.A.nonzeros()));
  Vec sum_P(u.P.nonzeros(), 0.0), sum_A(u.A.nonzeros(), 0.0);
  for (int b = 0; b < 3; ++b) {
    ASSERT_EQ(fwd.status[b], SolveStatus::solved);
    const UnionBatch one = union_batch({problems[b]});
    const auto single = as_forward({Vec(fwd.x_of(b), fwd.x_of(b) + 20)}, {Vec(fwd.y_of(b), fwd.y_of(b) + 28)}, 20, 28);
    const auto each = bpqp::backward_sparse(one.view, single, g.data() + b * 20);
    ASSERT_EQ(each.dA.size(), sum_A.size());
    for (std::size_t k = 0; k < sum_P.size(); ++k) sum_P[k] += each.dP[k];
    for (std::size_t k = 0; k < sum_A.size(); ++k) sum_A[k] += each.dA[k];
  }
  for (std::size_t k = 0; k < sum_P.size(); ++k) EXPECT_NEAR(grad.dP[k], sum_P[k], 1e-10 * (1 + largest(sum_P)));
  for (std::size_t k = 0; k < sum_A.size(); ++k) EXPECT_NEAR(grad.dA[k], sum_A[k], 1e-10 * (1 + largest(sum_A)));
}

// Shared P and A with problem 0 unsolved: the others still see the shared values (placed once,
// whatever problem 0's status) and get the gradients they get alone.
TEST(SparseBackward, SharedInputsServeTheBatchWhenTheFirstProblemIsUnsolved) {
  std::vector<DenseQp> problems(2, sparse_problem(20, 8, 5));
  problems[1].q = wave(20, 1.3);
  UnionBatch u = union_batch(problems);
  u.view.P_stride = 0;
  u.view.A_stride = 0;
  bpqp::Settings s;
  s.eps_abs = s.eps_rel = 1e-9;
  auto fwd = bpqp::solve_sparse(u.view, s);
  ASSERT_EQ(fwd.status[1], SolveStatus::solved);
  fwd.status[0] = SolveStatus::max_iterations;
  Vec g = wave(40, 0.7);
  const auto grad = bpqp::backward_sparse(u.view, fwd, g.data());
  EXPECT_EQ(grad.status[0], BackwardStatus::forward_not_solved);
  ASSERT_EQ(grad.status[1], BackwardStatus::ok);
  const UnionBatch one = union_batch({problems[1]});
  const auto alone = bpqp::backward_sparse(
      one.view, as_forward({Vec(fwd.x_of(1), fwd.x_of(1) + 20)}, {Vec(fwd.y_of(1), fwd.y_of(1) + 28)}, 20, 28),
      g.data() + 20);
  EXPECT_EQ(grad.active_rows[1], alone.active_rows[0]);
  for (std::size_t k = 0; k < alone.dA.size(); ++k) EXPECT_NEAR(grad.dA[k], alone.dA[k], 1e-10) << k;
}

TEST(SparseBackward, MisuseThrowsInvalidArgumentNamingTheArgument) {
  const auto problems = planted_problems();
  const UnionBatch u = union_batch(problems);
  const auto fwd = solve_dense(problems, 1e-8);
  const Vec g(static_cast<std::size_t>(u.view.batch) * u.view.n, 1.0);
  auto message_of = [&](const SolveResult<double>& f, const double* dl_dx, const BackwardOptions& o) {
    try {
      bpqp::backward_sparse(u.view, f, dl_dx, nullptr, o);
    } catch (const bpqp::InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_NE(message_of(fwd, nullptr, {}).find("dl_dx"), std::string::npos);
  BackwardOptions admm;
  admm.mode = bpqp::BackwardMode::admm;
  EXPECT_NE(message_of(fwd, g.data(), admm).find("mode"), std::string::npos);
  BackwardOptions bad_delta;
  bad_delta.delta = -1.0;
  EXPECT_NE(message_of(fwd, g.data(), bad_delta).find("delta"), std::string::npos);
  SolveResult<double> short_fwd = fwd;
  short_fwd.batch -= 1;
  EXPECT_NE(message_of(short_fwd, g.data(), {}).find("forward"), std::string::npos);
  BackwardOptions only_q;
  only_q.want_P = only_q.want_A = only_q.want_l = only_q.want_u = false;
  const auto grad = bpqp::backward_sparse(u.view, fwd, g.data(), nullptr, only_q);
  EXPECT_TRUE(grad.dP.empty() && grad.dA.empty() && grad.dl.empty() && grad.du.empty());
  EXPECT_EQ(grad.dq.size(), g.size());
}

}  // namespace
