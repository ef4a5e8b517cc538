#include "cpu/sparse_kkt.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <Eigen/OrderingMethods>
#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bpqp/errors.hpp"

namespace bpqp::cpu {
namespace {

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;

using Permutation = Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int>;

// An elimination order handed down from a parent KKT (the constructor for row subsets). Eigen
// default-constructs the ordering functor inside analyzePattern(), so the order reaches it
// through this pointer, set on this thread only around that call.
thread_local const Permutation* inherited_order = nullptr;

// AMD, or the inherited order where one is set. Eigen's ordering functors return the inverse
// of the permutation the factor applies (P̃ with P̃[i] = the position of index i).
struct AmdUnlessInherited {
  using PermutationType = Permutation;
  template <class MatrixType>
  void operator()(const MatrixType& a, PermutationType& inverse) {
    if (inherited_order != nullptr) inverse = inherited_order->inverse();
    else Eigen::AMDOrdering<int>()(a, inverse);
  }
};

// Eigen's simplicial LDLᵀ with the analysis' column counts made visible: after
// analyzePattern(), the number of entries L will have (Eigen keeps it protected).
class AnalysedLdlt : public Eigen::SimplicialLDLT<SparseMatrix, Eigen::Upper, AmdUnlessInherited> {
 public:
  long long predicted_nonzeros() const { return m_matrix.nonZeros(); }

  // K v = b in place through the factor P K Pᵀ = L D Lᵀ, with `work` (size entries) for P v.
  // Eigen's solve() takes the same steps (it multiplies by D's inverse where this divides by D)
  // but allocates on each call (a temporary, and a mask for the in-place inverse permutation),
  // which was half of a solve's time on ADMM's small factors; ADMM runs one solve an iteration.
  // Only after a successful factorize(): a failed one leaves L's later columns unset.
  void solve_in_place(double* v, double* work) const {
    const int size = static_cast<int>(m_matrix.rows());
    const int* start = m_matrix.outerIndexPtr();
    const int* row = m_matrix.innerIndexPtr();
    const double* value = m_matrix.valuePtr();
    const int* position = m_P.indices().data();  // our ordering always sets one (size 0: empty)
    for (int i = 0; i < size; ++i) work[position[i]] = v[i];
    for (int j = 0; j < size; ++j) {  // L w = P b, column by column (L has a unit diagonal)
      const double w_j = work[j];
      if (w_j != 0.0)
        for (int k = start[j]; k < start[j + 1]; ++k) work[row[k]] -= value[k] * w_j;
    }
    for (int j = 0; j < size; ++j) work[j] /= m_diag[j];
    for (int j = size - 1; j >= 0; --j) {  // Lᵀ u = D⁻¹w, by dot products with L's columns
      double u_j = work[j];
      for (int k = start[j]; k < start[j + 1]; ++k) u_j -= value[k] * work[row[k]];
      work[j] = u_j;
    }
    for (int i = 0; i < size; ++i) v[i] = work[position[i]];
  }
};

// analyzePattern(K) in the given order (positions[i] = where index i is eliminated), or with AMD.
void analyse(AnalysedLdlt& ldlt, const SparseMatrix& K, const std::vector<int>* positions) {
  Permutation order;
  if (positions != nullptr) {
    order.resize(static_cast<Eigen::Index>(positions->size()));
    std::copy(positions->begin(), positions->end(), order.indices().data());
  }
  inherited_order = positions != nullptr ? &order : nullptr;
  try {
    ldlt.analyzePattern(K);
  } catch (...) {
    inherited_order = nullptr;
    throw;
  }
  inherited_order = nullptr;
}

// An elimination order with K's long columns last; their number (0: K has none, no order). A
// column is long when its vertex meets more than ten times the mean number of neighbours (and
// over 16): the data columns of a fitting problem (Lasso, Huber, SVM: a feature's column meets
// every data row it is nonzero in). AMD's degree updates rescan such columns at every
// neighbour's elimination, and below its own dense cut-off (10·√N) it spent ~0.3 s on K of
// 2·10⁴ rows whose factor takes 5 ms; ordered last, the long columns end as the factor's
// trailing block. The order is the AMD order of the graph without them, then the long columns
// by increasing degree. Only a speed choice: analyse_kkt keeps it only when its factor is small.
int long_columns_last(const SparseMatrix& K, std::vector<int>& positions) {
  const int size = static_cast<int>(K.cols());
  std::vector<long long> degree(size, 0);
  long long off_diagonal = 0;
  for (int c = 0; c < size; ++c)
    for (SparseMatrix::InnerIterator it(K, c); it; ++it)
      if (it.row() != c) {
        ++degree[c];
        ++degree[it.row()];
        ++off_diagonal;
      }
  if (size == 0) return 0;
  const double cut = std::max(16.0, 10.0 * 2.0 * static_cast<double>(off_diagonal) / size);
  std::vector<int> kept_index(size, -1), kept, long_ones;
  for (int v = 0; v < size; ++v) {
    if (degree[v] > cut) {
      long_ones.push_back(v);
    } else {
      kept_index[v] = static_cast<int>(kept.size());
      kept.push_back(v);
    }
  }
  if (long_ones.empty() || kept.empty()) return 0;
  // The kept vertices' graph (upper triangle: AMD symmetrizes it).
  std::vector<Eigen::Triplet<double, int>> entries;
  entries.reserve(static_cast<std::size_t>(K.nonZeros()));
  for (int c = 0; c < size; ++c) {
    if (kept_index[c] < 0) continue;
    for (SparseMatrix::InnerIterator it(K, c); it; ++it)
      if (kept_index[it.row()] >= 0) entries.emplace_back(kept_index[it.row()], kept_index[c], 1.0);
  }
  SparseMatrix graph(static_cast<int>(kept.size()), static_cast<int>(kept.size()));
  graph.setFromTriplets(entries.begin(), entries.end());
  Permutation elimination;  // AMD's: the kept vertices in elimination order
  Eigen::AMDOrdering<int>()(graph.selfadjointView<Eigen::Upper>(), elimination);
  positions.assign(size, 0);
  for (int t = 0; t < static_cast<int>(kept.size()); ++t) positions[kept[elimination.indices()[t]]] = t;
  std::stable_sort(long_ones.begin(), long_ones.end(), [&](int a, int b) { return degree[a] < degree[b]; });
  for (std::size_t t = 0; t < long_ones.size(); ++t) positions[long_ones[t]] = static_cast<int>(kept.size() + t);
  return static_cast<int>(long_ones.size());
}

// The entries below the diagonal of L for K eliminated in `positions`, counted with the
// elimination tree as Eigen's analysis counts them, in 64 bits; the count stops (and is
// returned) once past `limit`, so a poor order costs no more than the limit's worth of work.
long long factor_entries_up_to(const SparseMatrix& K, const std::vector<int>& positions, long long limit) {
  const int size = static_cast<int>(K.cols());
  // The upper triangle of K permuted: entry (r, c) lands in column max(p_r, p_c).
  std::vector<int> starts(size + 1, 0);
  for (int c = 0; c < size; ++c)
    for (SparseMatrix::InnerIterator it(K, c); it; ++it)
      ++starts[std::max(positions[it.row()], positions[c]) + 1];
  for (int c = 0; c < size; ++c) starts[c + 1] += starts[c];
  std::vector<int> rows(starts[size]), next(starts.begin(), starts.end() - 1);
  for (int c = 0; c < size; ++c)
    for (SparseMatrix::InnerIterator it(K, c); it; ++it) {
      const int a = positions[it.row()], b = positions[c];
      rows[next[std::max(a, b)]++] = std::min(a, b);
    }
  std::vector<int> parent(size, -1), tag(size, -1);
  long long entries = 0;
  for (int k = 0; k < size; ++k) {  // row k of L: the tree paths from K's entries up to k
    tag[k] = k;
    for (int e = starts[k]; e < starts[k + 1]; ++e)
      for (int i = rows[e]; tag[i] != k; i = parent[i]) {
        if (parent[i] == -1) parent[i] = k;
        ++entries;
        tag[i] = k;
      }
    if (entries > limit) return entries;
  }
  return entries;
}

// analyzePattern(K): in `positions` where given (an inherited order), else long columns last
// where its factor has at most twice the entries of K below the diagonal plus a dense block of
// the long columns (K's own entries are a lower bound for every order), else AMD.
void analyse_kkt(AnalysedLdlt& ldlt, const SparseMatrix& K, const std::vector<int>* positions) {
  if (positions != nullptr) return analyse(ldlt, K, positions);
  std::vector<int> order;
  if (const long long long_count = long_columns_last(K, order); long_count > 0) {
    const long long strictly_lower = K.nonZeros() - K.cols();  // K stores every diagonal slot
    const long long limit = 2 * (strictly_lower + long_count * (long_count - 1) / 2);
    if (factor_entries_up_to(K, order, limit) <= limit) return analyse(ldlt, K, &order);
  }
  analyse(ldlt, K, nullptr);
}

// Whether a factor of dimension `size` with `nonzeros` entries below the diagonal is better
// done dense: from a fifth of a dense triangle on (simplicial LDLᵀ then runs at a few GFLOP/s,
// blocked dense Cholesky at several times that), and only where dense storage is no burden to
// build (small factors are fast either way).
bool dense_is_faster(long long size, long long nonzeros) {
  return size >= 1000 && nonzeros >= 0.2 * (size * (size - 1) / 2);
}

}  // namespace

// K factored dense by blocks (sparse_kkt.hpp): H = LLᵀ, W = L⁻¹Aᵀ, S = diag(1/ρ) + WᵀW = MMᵀ.
struct DenseBlocks {
  Eigen::MatrixXd H, W, S;  // H and S: their Cholesky factors in place (lower triangles)
  std::optional<Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>>> H_factor, S_factor;
  mutable Eigen::VectorXd z, t;
};

struct SparseKkt::Impl {
  using Matrix = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;
  int n = 0, m = 0;
  Matrix K;                             // the upper triangle, values rewritten by factor()
  std::vector<int> P_position;          // K's value slot of each of P's entries
  std::vector<int> A_position;          // … and of each of A's (in the column n + its row)
  std::vector<int> diagonal_position;   // K's diagonal slots, n + m
  std::unique_ptr<AnalysedLdlt> ldlt;   // set when K is factored sparse
  std::unique_ptr<DenseBlocks> dense;   // … or dense
  bool factored = false;
  mutable Eigen::VectorXd scratch, work;  // [x; ν] for solve(), and its permuted copy
};

SparseKkt::SparseKkt(const CscPattern& P, const CscPattern& A, KktFactorization how)
    : impl_(std::make_unique<Impl>()) {
  build(P, A, how, nullptr);
}

SparseKkt::SparseKkt(const CscPattern& P, const CscPattern& A, const SparseKkt& parent, const int* parent_rows,
                     KktFactorization how)
    : impl_(std::make_unique<Impl>()) {
  const Impl& up = *parent.impl_;
  validate_csc(A, "SparseKkt: A", -1, P.cols);
  if (P.cols != up.n)
    throw InvalidArgument("SparseKkt: P has " + std::to_string(P.cols) + " columns, the parent's " +
                          std::to_string(up.n));
  if (up.ldlt == nullptr) {  // a dense parent has no order to give
    build(P, A, how, nullptr);
    return;
  }
  // Each parent index's place in the child (−1: not kept): the n variables, then the kept rows.
  const int n = P.cols, size = n + A.rows;
  std::vector<int> child_of(static_cast<std::size_t>(up.n) + up.m, -1);
  for (int j = 0; j < n; ++j) child_of[j] = j;
  for (int a = 0; a < A.rows; ++a) {
    const int row = parent_rows[a];
    if (row < 0 || row >= up.m || (a > 0 && row <= parent_rows[a - 1]))
      throw InvalidArgument("SparseKkt: parent_rows[" + std::to_string(a) + "] = " + std::to_string(row) +
                            ": expected increasing rows of the parent's " + std::to_string(up.m));
    child_of[n + row] = n + a;
  }
  // The kept indices numbered in the order the parent eliminates them.
  const auto& parent_order = up.ldlt->permutationPinv().indices();  // the parent's index at each position
  std::vector<int> positions(size);
  int next = 0;
  for (int t = 0; t < up.n + up.m; ++t)
    if (const int c = child_of[parent_order[t]]; c >= 0) positions[c] = next++;
  build(P, A, how, &positions);
}

void SparseKkt::build(const CscPattern& P, const CscPattern& A, KktFactorization how,
                      const std::vector<int>* positions) {
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
  s.scratch.resize(size);
  s.work.resize(size);
  if (how != KktFactorization::dense) {
    s.ldlt = std::make_unique<AnalysedLdlt>();
    analyse_kkt(*s.ldlt, s.K, positions);  // it sizes L, so it goes once dense is chosen
  }
  if (how == KktFactorization::dense ||
      (how == KktFactorization::automatic && dense_is_faster(size, s.ldlt->predicted_nonzeros()))) {
    s.ldlt.reset();
    s.dense = std::make_unique<DenseBlocks>();
  }
}

SparseKkt::~SparseKkt() = default;
SparseKkt::SparseKkt(SparseKkt&&) noexcept = default;
SparseKkt& SparseKkt::operator=(SparseKkt&&) noexcept = default;

int SparseKkt::n() const { return impl_->n; }
int SparseKkt::m() const { return impl_->m; }
bool SparseKkt::dense() const { return impl_->dense != nullptr; }
long long SparseKkt::kkt_nonzeros() const { return impl_->K.nonZeros(); }
long long SparseKkt::factor_nonzeros() const {
  // L's unit diagonal is implicit: its stored entries are the strictly lower ones, and D adds n + m.
  const Impl& s = *impl_;
  if (!s.factored) return 0;
  if (s.dense) return static_cast<long long>(s.n) * (s.n + 1) / 2 + static_cast<long long>(s.n) * s.m +
                      static_cast<long long>(s.m) * (s.m + 1) / 2;
  return s.ldlt->matrixL().nestedExpression().nonZeros() + s.n + s.m;
}

namespace {

// The dense blocks of K from its upper triangle (whose diagonal holds σ and −1/ρ already).
// False when H or S is not positive definite (or not finite): K is not quasi-definite.
bool factor_dense(const SparseMatrix& K, int n, int m, DenseBlocks& d) {
  d.H.setZero(n, n);
  d.W.setZero(n, m);
  d.S.setZero(m, m);
  for (int c = 0; c < n + m; ++c)
    for (SparseMatrix::InnerIterator it(K, c); it; ++it) {
      const int r = static_cast<int>(it.row());
      if (c < n) d.H(c, r) = it.value();            // lower triangle: H(c, r) for r ≤ c
      else if (r < n) d.W(r, c - n) = it.value();   // Aᵀ
      else d.S(r - n, r - n) = -it.value();         // 1/ρ
    }
  d.S_factor.reset();
  d.H_factor.emplace(d.H);
  if (d.H_factor->info() != Eigen::Success || !d.H.diagonal().allFinite()) return false;
  if (m == 0) return true;  // (Eigen's triangular solve reads an entry of an empty W)
  d.H_factor->matrixL().solveInPlace(d.W);
  d.S.selfadjointView<Eigen::Lower>().rankUpdate(d.W.transpose());
  d.S_factor.emplace(d.S);
  return d.S_factor->info() == Eigen::Success && d.S.diagonal().allFinite();
}

// K [x; ν] = [r; s] through the blocks: with z = L⁻¹r, ν = S⁻¹(Wᵀz − s) and x = L⁻ᵀ(z − Wν).
void solve_dense(const DenseBlocks& d, double* rhs_x, double* rhs_y) {
  const Eigen::Index n = d.H.rows(), m = d.S.rows();
  d.z = Eigen::Map<const Eigen::VectorXd>(rhs_x, n);
  d.H_factor->matrixL().solveInPlace(d.z);
  if (m > 0) {
    d.t.noalias() = d.W.transpose() * d.z;
    d.t -= Eigen::Map<const Eigen::VectorXd>(rhs_y, m);
    d.S_factor->solveInPlace(d.t);
    d.z.noalias() -= d.W * d.t;
    Eigen::Map<Eigen::VectorXd>(rhs_y, m) = d.t;
  }
  d.H_factor->matrixU().solveInPlace(d.z);
  Eigen::Map<Eigen::VectorXd>(rhs_x, n) = d.z;
}

}  // namespace

bool SparseKkt::factor(const double* P_values, const double* A_values, double sigma, const double* rho) {
  Impl& s = *impl_;
  s.factored = false;
  double* values = s.K.valuePtr();
  std::fill(values, values + s.K.nonZeros(), 0.0);
  for (size_t k = 0; k < s.P_position.size(); ++k) values[s.P_position[k]] = P_values[k];
  for (size_t k = 0; k < s.A_position.size(); ++k) values[s.A_position[k]] = A_values[k];
  for (int j = 0; j < s.n; ++j) values[s.diagonal_position[j]] += sigma;
  for (int i = 0; i < s.m; ++i) {
    if (!(rho[i] > 0.0) || !std::isfinite(rho[i])) return false;
    values[s.diagonal_position[s.n + i]] = -1.0 / rho[i];
  }
  if (s.dense) return s.factored = factor_dense(s.K, s.n, s.m, *s.dense);
  s.ldlt->factorize(s.K);
  if (s.ldlt->info() != Eigen::Success) return false;
  // A quasi-definite K has, in every ordering, a positive pivot for each of the first n
  // indices and a negative one for each of the last m (the sign of det of its leading blocks);
  // a pivot of the other sign means P + σI is not positive definite.
  const Eigen::VectorXd& d = s.ldlt->vectorD();
  const auto& order = s.ldlt->permutationP().indices();
  for (int i = 0; i < s.n + s.m; ++i) {
    const double pivot = d[order[i]];
    if (!std::isfinite(pivot) || (i < s.n ? !(pivot > 0.0) : !(pivot < 0.0))) return false;
  }
  return s.factored = true;
}

void SparseKkt::solve(double* rhs_x, double* rhs_y) const {
  const Impl& s = *impl_;
  if (!s.factored) throw std::logic_error("SparseKkt::solve without a successful factor()");
  if (s.dense) return solve_dense(*s.dense, rhs_x, rhs_y);
  std::copy(rhs_x, rhs_x + s.n, s.scratch.data());
  std::copy(rhs_y, rhs_y + s.m, s.scratch.data() + s.n);
  s.ldlt->solve_in_place(s.scratch.data(), s.work.data());
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
  AnalysedLdlt ldlt;
  ldlt.analyzePattern(M);
  if (dense_is_faster(P.cols, ldlt.predicted_nonzeros())) {
    Eigen::MatrixXd dense = Eigen::MatrixXd(M).selfadjointView<Eigen::Upper>();
    Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>> cholesky(dense);
    return cholesky.info() == Eigen::Success && dense.diagonal().allFinite();
  }
  ldlt.factorize(M);
  if (ldlt.info() != Eigen::Success) return false;
  const Eigen::VectorXd& d = ldlt.vectorD();
  for (int i = 0; i < d.size(); ++i)
    if (!std::isfinite(d[i]) || !(d[i] > 0.0)) return false;
  return true;
}

}  // namespace bpqp::cpu
