// Sparse problem storage: CSC validation and conversions (bpqp/csc_matrix.hpp), the owning
// SparseQp (bpqp/sparse_qp.hpp) and the shared-pattern batch view
// (bpqp/sparse_qp_batch_view.hpp).
#include <algorithm>
#include <string>

#include "bpqp/csc_matrix.hpp"
#include "bpqp/errors.hpp"
#include "bpqp/sparse_qp.hpp"
#include "bpqp/sparse_qp_batch_view.hpp"
#include "core/batch_strides.hpp"

namespace bpqp {
namespace {

std::string str(long long v) { return std::to_string(v); }

// InvalidArgument when the dense form of `what` (entries in all) is larger than allowed.
void check_dense_size(const std::string& what, long long entries, long long max_entries) {
  if (entries > max_entries)
    throw InvalidArgument(what + ": the dense form has " + str(entries) + " entries, more than the " +
                          str(max_entries) + " allowed (max_dense_entries)");
}

// Scatters column j of a pattern into the dense row-major matrix (and its mirror for a triangle).
template <class T>
void scatter(const CscPattern& p, const T* values, CscShape shape, T* dense) {
  for (int j = 0; j < p.cols; ++j)
    for (int k = p.col_starts[j]; k < p.col_starts[j + 1]; ++k) {
      const long long i = p.row_indices[k];
      dense[i * p.cols + j] = values[k];
      if (shape == CscShape::upper_triangle) dense[static_cast<long long>(j) * p.cols + i] = values[k];
    }
}

}  // namespace

void validate_csc(const CscPattern& p, const char* name, int rows, int cols, CscShape shape) {
  const std::string arg(name);
  if (p.rows < 0 || p.cols < 0)
    throw InvalidArgument(arg + " is " + str(p.rows) + "×" + str(p.cols) + ": expected sizes >= 0");
  if ((rows >= 0 && p.rows != rows) || (cols >= 0 && p.cols != cols))
    throw InvalidArgument(arg + " is " + str(p.rows) + "×" + str(p.cols) + ", expected " + str(rows) + "×" +
                          str(cols));
  if (shape == CscShape::upper_triangle && p.rows != p.cols)
    throw InvalidArgument(arg + " is " + str(p.rows) + "×" + str(p.cols) + ": an upper triangle is square");
  if (p.col_starts == nullptr) throw InvalidArgument(arg + ".col_starts is null (it has cols + 1 entries)");
  if (p.col_starts[0] != 0) throw InvalidArgument(arg + ".col_starts[0] = " + str(p.col_starts[0]) + ": expected 0");
  for (int j = 0; j < p.cols; ++j)
    if (p.col_starts[j + 1] < p.col_starts[j])
      throw InvalidArgument(arg + ".col_starts[" + str(j + 1) + "] = " + str(p.col_starts[j + 1]) + " < col_starts[" +
                            str(j) + "] = " + str(p.col_starts[j]) + ": expected non-decreasing");
  if (p.nonzeros() > 0 && p.row_indices == nullptr)
    throw InvalidArgument(arg + ".row_indices is null but the pattern has " + str(p.nonzeros()) + " entries");
  for (int j = 0; j < p.cols; ++j)
    for (int k = p.col_starts[j]; k < p.col_starts[j + 1]; ++k) {
      const int i = p.row_indices[k];
      // The message is built only for a bad entry: building it for every entry was most of the cost.
      const auto entry = [&] { return arg + ".row_indices[" + str(k) + "] = " + str(i) + " (column " + str(j) + ")"; };
      if (i < 0 || i >= p.rows) throw InvalidArgument(entry() + ": expected a row in 0 … " + str(p.rows - 1));
      if (k > p.col_starts[j] && i <= p.row_indices[k - 1])
        throw InvalidArgument(entry() + ": expected rows strictly increasing within a column (sorted, no duplicates)");
      if (shape == CscShape::upper_triangle && i > j)
        throw InvalidArgument(entry() + ": below the diagonal, expected the upper triangle only (row <= column)");
    }
}

template <class T>
void csc_to_dense(const CscPattern& p, const T* values, CscShape shape, T* dense) {
  std::fill(dense, dense + static_cast<long long>(p.rows) * p.cols, T(0));
  scatter(p, values, shape, dense);
}
template void csc_to_dense(const CscPattern&, const float*, CscShape, float*);
template void csc_to_dense(const CscPattern&, const double*, CscShape, double*);

CscMatrix dense_to_csc(const double* dense, int rows, int cols, CscShape shape) {
  CscMatrix c;
  c.rows = rows;
  c.cols = cols;
  c.col_starts.assign(1, 0);
  for (int j = 0; j < cols; ++j) {
    const int last_row = shape == CscShape::upper_triangle ? std::min(j, rows - 1) : rows - 1;
    for (int i = 0; i <= last_row; ++i) {
      const double v = dense[static_cast<long long>(i) * cols + j];
      if (v == 0.0) continue;
      c.row_indices.push_back(i);
      c.values.push_back(v);
    }
    c.col_starts.push_back(c.nonzeros());
  }
  return c;
}

void validate(const SparseQp& qp) {
  if (qp.n < 0 || qp.m < 0)  // n = 0 is a problem (the readers' empty one), which the solver refuses
    throw InvalidArgument("SparseQp '" + qp.name + "': n = " + str(qp.n) + ", m = " + str(qp.m) +
                          ": expected sizes >= 0");
  auto check_values = [&](const CscMatrix& c, const char* name) {
    if (c.rows < 0 || c.cols < 0)
      throw InvalidArgument(std::string("SparseQp::") + name + " is " + str(c.rows) + "×" + str(c.cols) +
                            ": expected sizes >= 0");
    if (static_cast<long long>(c.col_starts.size()) != static_cast<long long>(c.cols) + 1)
      throw InvalidArgument(std::string("SparseQp::") + name + ".col_starts has " + str(c.col_starts.size()) +
                            " entries, expected cols + 1 = " + str(c.cols + 1L));
    if (c.values.size() != c.row_indices.size())
      throw InvalidArgument(std::string("SparseQp::") + name + ".values has " + str(c.values.size()) +
                            " entries, row_indices " + str(c.row_indices.size()));
    if (c.col_starts.back() != c.nonzeros())
      throw InvalidArgument(std::string("SparseQp::") + name + ".col_starts.back() = " + str(c.col_starts.back()) +
                            ", but row_indices has " + str(c.nonzeros()) + " entries");
  };
  check_values(qp.P, "P");
  check_values(qp.A, "A");
  validate_csc(qp.P.pattern(), "SparseQp::P", qp.n, qp.n, CscShape::upper_triangle);
  validate_csc(qp.A.pattern(), "SparseQp::A", qp.m, qp.n);
  auto check_size = [&](const std::vector<double>& v, const char* name, int expected) {
    if (static_cast<long long>(v.size()) != expected)
      throw InvalidArgument(std::string("SparseQp::") + name + " has " + str(v.size()) + " entries, expected " +
                            str(expected));
  };
  check_size(qp.q, "q", qp.n);
  check_size(qp.l, "l", qp.m);
  check_size(qp.u, "u", qp.m);
  validate_cones(qp.cones.data(), static_cast<int>(qp.cones.size()), qp.m);
}

DenseQp to_dense(const SparseQp& qp, long long max_dense_entries) {
  validate(qp);
  const long long n = qp.n, m = qp.m;
  check_dense_size("SparseQp '" + qp.name + "' (n = " + str(n) + ", m = " + str(m) + ")", n * n + m * n,
                   max_dense_entries);
  DenseQp d;
  d.name = qp.name;
  d.n = qp.n;
  d.m = qp.m;
  d.P.resize(n * n);
  csc_to_dense(qp.P.pattern(), qp.P.values.data(), CscShape::upper_triangle, d.P.data());
  d.q = qp.q;
  d.A.resize(m * n);
  csc_to_dense(qp.A.pattern(), qp.A.values.data(), CscShape::general, d.A.data());
  d.l = qp.l;
  d.u = qp.u;
  d.cones = qp.cones;
  d.objective_constant = qp.objective_constant;
  return d;
}

SparseQp to_sparse(const DenseQp& qp) {
  SparseQp s;
  s.name = qp.name;
  s.n = qp.n;
  s.m = qp.m;
  s.P = dense_to_csc(qp.P.data(), qp.n, qp.n, CscShape::upper_triangle);
  s.q = qp.q;
  s.A = dense_to_csc(qp.A.data(), qp.m, qp.n);
  s.l = qp.l;
  s.u = qp.u;
  s.cones = qp.cones;
  s.objective_constant = qp.objective_constant;
  return s;
}

SparseQpBatchView<double> batch_view(const SparseQp& qp) {
  SparseQpBatchView<double> v;
  v.batch = 1;
  v.n = qp.n;
  v.m = qp.m;
  v.P_pattern = qp.P.pattern();
  v.P_values = qp.P.values.data();
  v.q = qp.q.data();
  v.A_pattern = qp.A.pattern();
  v.A_values = qp.A.values.data();
  v.l = qp.l.data();
  v.u = qp.u.data();
  v.cones = qp.cones.data();
  v.cone_count = static_cast<int>(qp.cones.size());
  return v;
}

template <class T>
void validate(const SparseQpBatchView<T>& v) {
  const std::string view = "SparseQpBatchView";
  if (v.batch < 0) throw InvalidArgument(view + "::batch = " + str(v.batch) + ": expected >= 0");
  if (v.n < 1) throw InvalidArgument(view + "::n = " + str(v.n) + ": expected >= 1");
  if (v.m < 0) throw InvalidArgument(view + "::m = " + str(v.m) + ": expected >= 0");
  validate_csc(v.P_pattern, "SparseQpBatchView::P_pattern", v.n, v.n, CscShape::upper_triangle);
  validate_csc(v.A_pattern, "SparseQpBatchView::A_pattern", v.m, v.n);
  check_stride("SparseQpBatchView", "P_values", v.P_values, v.P_stride, v.P_pattern.nonzeros(), v.batch);
  check_stride("SparseQpBatchView", "q", v.q, v.q_stride, v.n, v.batch);
  check_stride("SparseQpBatchView", "A_values", v.A_values, v.A_stride, v.A_pattern.nonzeros(), v.batch);
  check_stride("SparseQpBatchView", "l", v.l, v.l_stride, v.m, v.batch);
  check_stride("SparseQpBatchView", "u", v.u, v.u_stride, v.m, v.batch);
  validate_cones(v.cones, v.cone_count, v.m);
}
template void validate(const SparseQpBatchView<float>&);
template void validate(const SparseQpBatchView<double>&);

template <class T>
QpBatch<T> densify(const SparseQpBatchView<T>& v, long long max_dense_entries) {
  validate(v);
  typename QpBatch<T>::Sharing sharing;
  sharing.P = v.P_stride == 0;
  sharing.q = v.q_stride == 0;
  sharing.A = v.A_stride == 0;
  sharing.l = v.l_stride == 0;
  sharing.u = v.u_stride == 0;
  const long long n = v.n, m = v.m, copies_P = sharing.P ? 1 : v.batch, copies_A = sharing.A ? 1 : v.batch;
  check_dense_size("densify(SparseQpBatchView: batch = " + str(v.batch) + ", n = " + str(n) + ", m = " + str(m) + ")",
                   copies_P * n * n + copies_A * m * n, max_dense_entries);
  QpBatch<T> out(v.batch, v.n, v.m, sharing);
  for (int b = 0; b < v.batch; ++b) {
    if (b == 0 || !sharing.P) scatter(v.P_pattern, v.P_values_of(b), CscShape::upper_triangle, out.P(b));
    if (b == 0 || !sharing.A) scatter(v.A_pattern, v.A_values_of(b), CscShape::general, out.A(b));
    if (b == 0 || !sharing.q) std::copy(v.q_of(b), v.q_of(b) + n, out.q(b));
    if (b == 0 || !sharing.l) std::copy(v.l_of(b), v.l_of(b) + m, out.l(b));
    if (b == 0 || !sharing.u) std::copy(v.u_of(b), v.u_of(b) + m, out.u(b));
  }
  out.set_cones(std::vector<ConeBlock>(v.cones, v.cones + v.cone_count));
  return out;
}
template QpBatch<float> densify(const SparseQpBatchView<float>&, long long);
template QpBatch<double> densify(const SparseQpBatchView<double>&, long long);

}  // namespace bpqp
