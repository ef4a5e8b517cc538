// Sparse problem storage: CSC validation (each malformed pattern names its argument and
// entry), the conversions between dense and CSC forms, SparseQp, and the shared-pattern batch
// view with its dense form.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bpqp/csc_matrix.hpp"
#include "bpqp/errors.hpp"
#include "bpqp/sparse_qp.hpp"
#include "bpqp/sparse_qp_batch_view.hpp"
#include "problems/problem_generators.hpp"

namespace {

using bpqp::CscMatrix;
using bpqp::CscPattern;
using bpqp::CscShape;
using bpqp::DenseQp;
using bpqp::InvalidArgument;
using bpqp::SparseQp;

constexpr double kInf = std::numeric_limits<double>::infinity();

// A rows × cols row-major matrix with about `density` of its entries non-zero (symmetric
// when `symmetric`).
std::vector<double> random_sparse_dense(int rows, int cols, double density, bool symmetric, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(-1.0, 1.0), coin(0.0, 1.0);
  std::vector<double> d(static_cast<size_t>(rows) * cols, 0.0);
  for (int i = 0; i < rows; ++i)
    for (int j = symmetric ? i : 0; j < cols; ++j)
      if (coin(rng) < density) {
        d[i * cols + j] = value(rng);
        if (symmetric) d[j * cols + i] = d[i * cols + j];
      }
  return d;
}

// Runs f, which must throw InvalidArgument with every one of `parts` in its message.
template <class F>
void expect_invalid(F f, std::vector<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no InvalidArgument; expected one naming " << parts[0];
  } catch (const InvalidArgument& e) {
    for (const std::string& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
        << "'" << e.what() << "' lacks '" << part << "'";
  }
}

TEST(CscMatrix, DenseToCscAndBackIsTheSameMatrixWithoutItsZeros) {
  const int rows = 13, cols = 7;
  const std::vector<double> dense = random_sparse_dense(rows, cols, 0.3, false, 1);
  const CscMatrix c = bpqp::dense_to_csc(dense.data(), rows, cols);
  bpqp::validate_csc(c.pattern(), "c", rows, cols);
  int nonzero = 0;
  for (double v : dense) nonzero += v != 0.0;
  EXPECT_EQ(c.nonzeros(), nonzero);
  for (double v : c.values) EXPECT_NE(v, 0.0);
  std::vector<double> back(dense.size(), 42.0);
  bpqp::csc_to_dense(c.pattern(), c.values.data(), CscShape::general, back.data());
  EXPECT_EQ(back, dense);
}

TEST(CscMatrix, UpperTriangleHoldsRowsUpToTheColumnAndMirrorsBack) {
  const int n = 9;
  const std::vector<double> dense = random_sparse_dense(n, n, 0.4, true, 2);
  const CscMatrix c = bpqp::dense_to_csc(dense.data(), n, n, CscShape::upper_triangle);
  bpqp::validate_csc(c.pattern(), "c", n, n, CscShape::upper_triangle);
  for (int j = 0; j < n; ++j)
    for (int k = c.col_starts[j]; k < c.col_starts[j + 1]; ++k) EXPECT_LE(c.row_indices[k], j);
  std::vector<double> back(dense.size(), 42.0);
  bpqp::csc_to_dense(c.pattern(), c.values.data(), CscShape::upper_triangle, back.data());
  EXPECT_EQ(back, dense);
  // In float too: the conversion is a template on the value type.
  const std::vector<float> values(c.values.begin(), c.values.end());
  std::vector<float> back_float(dense.size());
  bpqp::csc_to_dense(c.pattern(), values.data(), CscShape::upper_triangle, back_float.data());
  for (size_t i = 0; i < dense.size(); ++i) EXPECT_EQ(back_float[i], static_cast<float>(dense[i]));
}

TEST(CscMatrix, EachMalformedPatternNamesItsArgumentAndEntry) {
  // A 3×3 pattern: column 0 {0, 1}, column 1 {1}, column 2 {0, 2}.
  std::vector<int> starts = {0, 2, 3, 5}, rows = {0, 1, 1, 0, 2};
  auto check = [&](CscShape shape = CscShape::general) {
    bpqp::validate_csc(CscPattern{3, 3, starts.data(), rows.data()}, "M", 3, 3, shape);
  };
  EXPECT_NO_THROW(check());
  expect_invalid([&] { check(CscShape::upper_triangle); }, {"M.row_indices[1] = 1 (column 0)", "below the diagonal"});
  expect_invalid([&] { bpqp::validate_csc(CscPattern{3, 3, starts.data(), rows.data()}, "M", 4, 3); },
                 {"M is 3×3, expected 4×3"});
  expect_invalid([&] { bpqp::validate_csc(CscPattern{2, 3, starts.data(), rows.data()}, "M", -1, -1,
                                          CscShape::upper_triangle); },
                 {"M is 2×3", "square"});
  expect_invalid([&] { bpqp::validate_csc(CscPattern{3, 3, nullptr, rows.data()}, "M", 3, 3); },
                 {"M.col_starts is null"});
  expect_invalid([&] { bpqp::validate_csc(CscPattern{3, 3, starts.data(), nullptr}, "M", 3, 3); },
                 {"M.row_indices is null", "5 entries"});
  starts = {1, 2, 3, 5};
  expect_invalid([&] { check(); }, {"M.col_starts[0] = 1", "expected 0"});
  starts = {0, 3, 2, 5};
  expect_invalid([&] { check(); }, {"M.col_starts[2] = 2 < col_starts[1] = 3"});
  starts = {0, 2, 3, 5};
  rows = {0, 3, 1, 0, 2};
  expect_invalid([&] { check(); }, {"M.row_indices[1] = 3 (column 0)", "0 … 2"});
  rows = {0, 1, 1, 2, 0};
  expect_invalid([&] { check(); }, {"M.row_indices[4] = 0 (column 2)", "strictly increasing"});
  rows = {1, 1, 1, 0, 2};
  expect_invalid([&] { check(); }, {"M.row_indices[1] = 1 (column 0)", "no duplicates"});
}

TEST(SparseQp, ToSparseAndBackGivesTheSameProblem) {
  DenseQp dense = bpqp::generators::make_random_feasible_qp(12, 8, 3);
  dense.name = "random";
  dense.objective_constant = 2.5;
  const SparseQp sparse = bpqp::to_sparse(dense);
  EXPECT_NO_THROW(bpqp::validate(sparse));
  const DenseQp back = bpqp::to_dense(sparse);
  EXPECT_EQ(back.name, dense.name);
  EXPECT_EQ(back.n, dense.n);
  EXPECT_EQ(back.m, dense.m);
  EXPECT_EQ(back.P, dense.P);
  EXPECT_EQ(back.q, dense.q);
  EXPECT_EQ(back.A, dense.A);
  EXPECT_EQ(back.l, dense.l);
  EXPECT_EQ(back.u, dense.u);
  EXPECT_EQ(back.objective_constant, dense.objective_constant);
}

TEST(SparseQp, MismatchedSizesAndTheDenseLimitAreNamed) {
  SparseQp qp = bpqp::to_sparse(bpqp::generators::make_random_feasible_qp(6, 4, 4));
  SparseQp bad = qp;
  bad.q.pop_back();
  expect_invalid([&] { bpqp::validate(bad); }, {"SparseQp::q has 5 entries, expected 6"});
  bad = qp;
  bad.A.values.pop_back();
  expect_invalid([&] { bpqp::validate(bad); }, {"SparseQp::A.values"});
  bad = qp;
  bad.A.cols = -1;
  bad.A.col_starts.clear();  // cols + 1 = 0 entries: sizes are checked before col_starts is read
  expect_invalid([&] { bpqp::validate(bad); }, {"SparseQp::A is 4×-1", "expected sizes >= 0"});
  bad = qp;
  bad.A.col_starts.back() += 1;
  expect_invalid([&] { bpqp::validate(bad); }, {"SparseQp::A.col_starts.back()"});
  bad = qp;
  bad.P = bpqp::dense_to_csc(bpqp::to_dense(qp).P.data(), 6, 6);  // both triangles
  expect_invalid([&] { bpqp::validate(bad); }, {"SparseQp::P.row_indices", "below the diagonal"});
  expect_invalid([&] { bpqp::to_dense(qp, 6 * 6 + 4 * 6 - 1); }, {"max_dense_entries", "60 entries"});
  EXPECT_NO_THROW(bpqp::to_dense(qp, 6 * 6 + 4 * 6));
}

// A batch of `batch` problems on one pattern: P and A values per problem, q per problem, l and
// u shared (stride 0); the dense problems it stands for in `expected`.
struct SharedPatternBatch {
  CscMatrix P, A;
  std::vector<double> P_values, A_values, q, l, u;
  std::vector<DenseQp> expected;
  bpqp::SparseQpBatchView<double> view;
};

SharedPatternBatch make_shared_pattern_batch(int batch, int n, int m) {
  SharedPatternBatch s;
  std::vector<double> P_dense = random_sparse_dense(n, n, 0.3, true, 5), A_dense = random_sparse_dense(m, n, 0.3, false, 6);
  for (int j = 0; j < n; ++j) P_dense[j * n + j] = 1.0 + j;
  s.P = bpqp::dense_to_csc(P_dense.data(), n, n, CscShape::upper_triangle);
  s.A = bpqp::dense_to_csc(A_dense.data(), m, n);
  s.l.assign(m, -1.0);
  s.u.assign(m, 1.0);
  s.l[0] = -kInf;
  for (int b = 0; b < batch; ++b) {
    SparseQp p;
    p.n = n;
    p.m = m;
    p.P = s.P;
    p.A = s.A;
    for (double& v : p.P.values) v *= 1.0 + 0.1 * b;
    for (double& v : p.A.values) v += 0.01 * b;
    p.q.assign(n, 0.0);
    for (int j = 0; j < n; ++j) p.q[j] = std::sin(b + 0.5 * j);
    p.l = s.l;
    p.u = s.u;
    s.P_values.insert(s.P_values.end(), p.P.values.begin(), p.P.values.end());
    s.A_values.insert(s.A_values.end(), p.A.values.begin(), p.A.values.end());
    s.q.insert(s.q.end(), p.q.begin(), p.q.end());
    s.expected.push_back(bpqp::to_dense(p));
  }
  bpqp::SparseQpBatchView<double>& v = s.view;
  v.batch = batch;
  v.n = n;
  v.m = m;
  v.P_pattern = s.P.pattern();
  v.P_values = s.P_values.data();
  v.P_stride = s.P.nonzeros();
  v.q = s.q.data();
  v.q_stride = n;
  v.A_pattern = s.A.pattern();
  v.A_values = s.A_values.data();
  v.A_stride = s.A.nonzeros();
  v.l = s.l.data();
  v.u = s.u.data();
  return s;
}

TEST(SparseQpBatchView, DensifyGivesEachProblemsDenseFormAndKeepsSharedArraysShared) {
  const int batch = 4, n = 10, m = 7;
  const SharedPatternBatch s = make_shared_pattern_batch(batch, n, m);
  ASSERT_NO_THROW(bpqp::validate(s.view));
  const bpqp::QpBatch<double> dense = bpqp::densify(s.view);
  const bpqp::QpBatchView<double> d = dense.view();
  EXPECT_EQ(d.P_stride, n * n);
  EXPECT_EQ(d.A_stride, m * n);
  EXPECT_EQ(d.q_stride, n);
  EXPECT_EQ(d.l_stride, 0);
  EXPECT_EQ(d.u_stride, 0);
  for (int b = 0; b < batch; ++b) {
    const DenseQp& e = s.expected[b];
    EXPECT_EQ(std::vector<double>(d.P_of(b), d.P_of(b) + n * n), e.P) << b;
    EXPECT_EQ(std::vector<double>(d.A_of(b), d.A_of(b) + m * n), e.A) << b;
    EXPECT_EQ(std::vector<double>(d.q_of(b), d.q_of(b) + n), e.q) << b;
    EXPECT_EQ(std::vector<double>(d.l_of(b), d.l_of(b) + m), e.l) << b;
    EXPECT_EQ(std::vector<double>(d.u_of(b), d.u_of(b) + m), e.u) << b;
  }
  // Shared values stay one copy.
  bpqp::SparseQpBatchView<double> shared = s.view;
  shared.P_stride = 0;
  shared.A_stride = 0;
  const bpqp::QpBatch<double> dense_shared = bpqp::densify(shared);
  const bpqp::QpBatchView<double> ds = dense_shared.view();
  EXPECT_EQ(ds.P_stride, 0);
  EXPECT_EQ(ds.A_stride, 0);
  EXPECT_EQ(std::vector<double>(ds.P, ds.P + n * n), s.expected[0].P);
}

TEST(SparseQpBatchView, BatchViewOfOneProblemDensifiesToItsDenseForm) {
  const SparseQp qp = bpqp::to_sparse(bpqp::generators::make_random_feasible_qp(7, 5, 9));
  const bpqp::SparseQpBatchView<double> v = bpqp::batch_view(qp);
  ASSERT_NO_THROW(bpqp::validate(v));
  const bpqp::QpBatch<double> dense = bpqp::densify(v);
  const DenseQp expected = bpqp::to_dense(qp);
  EXPECT_EQ(dense.batch(), 1);
  EXPECT_EQ(std::vector<double>(dense.view().P, dense.view().P + 49), expected.P);
  EXPECT_EQ(std::vector<double>(dense.view().A, dense.view().A + 35), expected.A);
  EXPECT_EQ(std::vector<double>(dense.view().u, dense.view().u + 5), expected.u);
}

TEST(SparseQpBatchView, MalformedViewsNameTheirField) {
  const SharedPatternBatch s = make_shared_pattern_batch(3, 6, 4);
  bpqp::SparseQpBatchView<double> v = s.view;
  v.A_stride = s.A.nonzeros() - 1;
  expect_invalid([&] { bpqp::validate(v); }, {"SparseQpBatchView::A_values_stride"});
  v = s.view;
  v.P_values = nullptr;
  expect_invalid([&] { bpqp::validate(v); }, {"SparseQpBatchView::P_values is null"});
  v = s.view;
  v.A_pattern.rows = 5;
  expect_invalid([&] { bpqp::validate(v); }, {"SparseQpBatchView::A_pattern is 5×6, expected 4×6"});
  v = s.view;
  v.m = -1;
  expect_invalid([&] { bpqp::validate(v); }, {"SparseQpBatchView::m = -1"});
  v = s.view;
  const bpqp::ConeBlock past_m{3, 2, bpqp::ConeKind::second_order};
  v.cones = &past_m;
  v.cone_count = 1;
  expect_invalid([&] { bpqp::validate(v); }, {"cones[0]"});
  expect_invalid([&] { bpqp::densify(s.view, 3 * 36 + 3 * 24 - 1); }, {"max_dense_entries"});
}

}  // namespace
