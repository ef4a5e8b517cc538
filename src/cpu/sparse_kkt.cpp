#include "cpu/sparse_kkt.hpp"

#include <Eigen/OrderingMethods>
#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>

#include <cmath>
#include <vector>

namespace bpqp::cpu {

struct SparseKkt::Impl {
  using Matrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;
  int n = 0, m = 0;
  Matrix K;                             // the upper triangle, values rewritten by factor()
  std::vector<int> P_position;          // K's value slot of each of P's entries
  std::vector<int> A_position;          // … and of each of A's (in the column n + its row)
  std::vector<int> diagonal_position;   // K's diagonal slots, n + m
  Eigen::SimplicialLDLT<Matrix, Eigen::Upper, Eigen::AMDOrdering<int>> ldlt;
  mutable Eigen::VectorXd scratch;      // [x; ν] for solve()
};

SparseKkt::SparseKkt(const CscPattern& P, const CscPattern& A) : impl_(std::make_unique<Impl>()) {
  validate_csc(P, "SparseKkt: P", -1, -1, CscShape::upper_triangle);
  validate_csc(A, "SparseKkt: A", -1, P.cols);
  Impl& s = *impl_;
  const int n = s.n = P.cols, m = s.m = A.rows, size = n + m;

  // Column j < n: P's column j (rows ≤ j, sorted), with its diagonal slot added where P has
  // none. Column n + i: A's row i (rows j of K, sorted by j), then the diagonal.
  std::vector<int> starts(size + 1, 0);
  for (int j = 0; j < n; ++j) {
    const int count = P.col_starts[j + 1] - P.col_starts[j];
    const bool has_diagonal = count > 0 && P.row_indices[P.col_starts[j + 1] - 1] == j;
    starts[j + 1] = count + (has_diagonal ? 0 : 1);
  }
  for (int k = 0; k < A.nonzeros(); ++k) ++starts[n + A.row_indices[k] + 1];
  for (int i = 0; i < m; ++i) ++starts[n + i + 1];  // the diagonal
  for (int c = 0; c < size; ++c) starts[c + 1] += starts[c];

  const int nonzeros = starts[size];
  std::vector<int> rows(nonzeros), next(starts.begin(), starts.end() - 1);
  s.P_position.resize(P.nonzeros());
  s.A_position.resize(A.nonzeros());
  s.diagonal_position.resize(size);
  for (int j = 0; j < n; ++j) {
    for (int k = P.col_starts[j]; k < P.col_starts[j + 1]; ++k) {
      s.P_position[k] = next[j];
      rows[next[j]++] = P.row_indices[k];
    }
    if (next[j] == starts[j + 1]) {
      s.diagonal_position[j] = next[j] - 1;  // P's own diagonal entry, last in its column
    } else {
      s.diagonal_position[j] = next[j];
      rows[next[j]++] = j;
    }
  }
  for (int j = 0; j < n; ++j)  // column order j keeps each column n + i sorted by row j
    for (int k = A.col_starts[j]; k < A.col_starts[j + 1]; ++k) {
      const int column = n + A.row_indices[k];
      s.A_position[k] = next[column];
      rows[next[column]++] = j;
    }
  for (int i = 0; i < m; ++i) {
    s.diagonal_position[n + i] = next[n + i];
    rows[next[n + i]++] = n + i;
  }

  s.K.resize(size, size);
  s.K.resizeNonZeros(nonzeros);
  std::copy(starts.begin(), starts.end(), s.K.outerIndexPtr());
  std::copy(rows.begin(), rows.end(), s.K.innerIndexPtr());
  std::fill(s.K.valuePtr(), s.K.valuePtr() + nonzeros, 0.0);
  s.ldlt.analyzePattern(s.K);
  s.scratch.resize(size);
}

SparseKkt::~SparseKkt() = default;
SparseKkt::SparseKkt(SparseKkt&&) noexcept = default;
SparseKkt& SparseKkt::operator=(SparseKkt&&) noexcept = default;

int SparseKkt::n() const { return impl_->n; }
int SparseKkt::m() const { return impl_->m; }
long long SparseKkt::kkt_nonzeros() const { return impl_->K.nonZeros(); }
long long SparseKkt::factor_nonzeros() const {
  // L's unit diagonal is implicit: its stored entries are the strictly lower ones, and D adds n + m.
  const Impl& s = *impl_;
  return s.ldlt.info() == Eigen::Success ? s.ldlt.matrixL().nestedExpression().nonZeros() + s.n + s.m : 0;
}

bool SparseKkt::factor(const double* P_values, const double* A_values, double sigma, const double* rho) {
  Impl& s = *impl_;
  double* values = s.K.valuePtr();
  std::fill(values, values + s.K.nonZeros(), 0.0);
  for (size_t k = 0; k < s.P_position.size(); ++k) values[s.P_position[k]] = P_values[k];
  for (size_t k = 0; k < s.A_position.size(); ++k) values[s.A_position[k]] = A_values[k];
  for (int j = 0; j < s.n; ++j) values[s.diagonal_position[j]] += sigma;
  for (int i = 0; i < s.m; ++i) {
    if (!(rho[i] > 0.0) || !std::isfinite(rho[i])) return false;
    values[s.diagonal_position[s.n + i]] = -1.0 / rho[i];
  }
  s.ldlt.factorize(s.K);
  if (s.ldlt.info() != Eigen::Success) return false;
  // A quasi-definite K has, in every ordering, a positive pivot for each of the first n
  // indices and a negative one for each of the last m (the sign of det of its leading blocks);
  // a pivot of the other sign means P + σI is not positive definite.
  const Eigen::VectorXd& d = s.ldlt.vectorD();
  const auto& order = s.ldlt.permutationP().indices();
  for (int i = 0; i < s.n + s.m; ++i) {
    const double pivot = d[order[i]];
    if (!std::isfinite(pivot) || (i < s.n ? !(pivot > 0.0) : !(pivot < 0.0))) return false;
  }
  return true;
}

void SparseKkt::solve(double* rhs_x, double* rhs_y) const {
  const Impl& s = *impl_;
  std::copy(rhs_x, rhs_x + s.n, s.scratch.data());
  std::copy(rhs_y, rhs_y + s.m, s.scratch.data() + s.n);
  s.scratch = s.ldlt.solve(s.scratch);
  std::copy(s.scratch.data(), s.scratch.data() + s.n, rhs_x);
  std::copy(s.scratch.data() + s.n, s.scratch.data() + s.n + s.m, rhs_y);
}

bool positive_semidefinite(const CscPattern& P, const double* values, double shift) {
  using Matrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;
  validate_csc(P, "positive_semidefinite: P", -1, -1, CscShape::upper_triangle);
  // P's pattern with every diagonal slot present (shift lands there).
  std::vector<Eigen::Triplet<double, int>> entries;
  entries.reserve(static_cast<size_t>(P.nonzeros()) + P.cols);
  for (int j = 0; j < P.cols; ++j) {
    for (int k = P.col_starts[j]; k < P.col_starts[j + 1]; ++k) entries.emplace_back(P.row_indices[k], j, values[k]);
    entries.emplace_back(j, j, shift);  // summed with P's own diagonal entry
  }
  Matrix M(P.rows, P.cols);
  M.setFromTriplets(entries.begin(), entries.end());
  Eigen::SimplicialLDLT<Matrix, Eigen::Upper, Eigen::AMDOrdering<int>> ldlt(M);
  if (ldlt.info() != Eigen::Success) return false;
  const Eigen::VectorXd& d = ldlt.vectorD();
  for (int i = 0; i < d.size(); ++i)
    if (!std::isfinite(d[i]) || !(d[i] > 0.0)) return false;
  return true;
}

}  // namespace bpqp::cpu
