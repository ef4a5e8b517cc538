#include "cpu/sparse_structure.hpp"

#include <algorithm>

#include "kernels/csc_ops.hpp"

namespace bpqp::cpu {

SharedStructure make_structure(const CscPattern& P, const CscPattern& A) {
  SharedStructure s;
  const int n = P.cols, m = A.rows;
  // The strictly upper part transposed is the strictly lower part: P_full = U + strict(U)ᵀ,
  // column j holding U's column j, then the mirrors of U's row j (strictly right of the diagonal).
  std::vector<int> t_starts(n + 1), t_rows(P.nonzeros()), t_position(P.nonzeros());
  kernels::csc_transpose_pattern(n, n, P.col_starts, P.row_indices, t_starts.data(), t_rows.data(),
                                 t_position.data());
  s.P_full.rows = s.P_full.cols = n;
  s.P_full.col_starts.assign(n + 1, 0);
  for (int j = 0; j < n; ++j) {
    int count = P.col_starts[j + 1] - P.col_starts[j];
    for (int k = t_starts[j]; k < t_starts[j + 1]; ++k) count += t_rows[k] != j;  // Uᵀ's column j, off-diagonal
    s.P_full.col_starts[j + 1] = s.P_full.col_starts[j] + count;
  }
  s.P_full.row_indices.resize(s.P_full.col_starts[n]);
  s.upper_to_full.assign(P.nonzeros(), -1);
  s.upper_to_mirror.assign(P.nonzeros(), -1);
  std::vector<int> transposed_to_upper(P.nonzeros());
  for (int k = 0; k < P.nonzeros(); ++k) transposed_to_upper[t_position[k]] = k;
  for (int j = 0; j < n; ++j) {
    int slot = s.P_full.col_starts[j];
    for (int k = P.col_starts[j]; k < P.col_starts[j + 1]; ++k) {  // rows ≤ j, increasing
      s.P_full.row_indices[slot] = P.row_indices[k];
      s.upper_to_full[k] = slot++;
    }
    for (int t = t_starts[j]; t < t_starts[j + 1]; ++t) {  // rows ≥ j, increasing: the mirrors
      if (t_rows[t] == j) continue;
      s.P_full.row_indices[slot] = t_rows[t];
      s.upper_to_mirror[transposed_to_upper[t]] = slot++;
    }
  }
  s.At.rows = n;
  s.At.cols = m;
  s.At.col_starts.resize(m + 1);
  s.At.row_indices.resize(A.nonzeros());
  s.At_position.resize(A.nonzeros());
  kernels::csc_transpose_pattern(m, n, A.col_starts, A.row_indices, s.At.col_starts.data(), s.At.row_indices.data(),
                                 s.At_position.data());
  return s;
}

void SharedStructure::place_P(const double* upper_values, double* full_values) const {
  for (std::size_t k = 0; k < upper_to_full.size(); ++k) {
    full_values[upper_to_full[k]] = upper_values[k];
    if (upper_to_mirror[k] >= 0) full_values[upper_to_mirror[k]] = upper_values[k];
  }
}

void SharedStructure::place_A(const double* values, double* A_values, double* At_values) const {
  std::copy(values, values + At_position.size(), A_values);
  for (std::size_t k = 0; k < At_position.size(); ++k) At_values[At_position[k]] = values[k];
}

void select_rows(int m, int n, const int* col_starts, const int* row_indices, const double* values, const int* rows,
                 int count, const double* row_scale, double* mark, RowSelection& out) {
  std::fill(mark, mark + m, -1.0);
  for (int a = 0; a < count; ++a) mark[rows[a]] = a;
  out.rows = count;
  out.cols = n;
  out.col_starts.assign(1, 0);
  out.row_indices.clear();
  out.values.clear();
  for (int j = 0; j < n; ++j) {
    for (int k = col_starts[j]; k < col_starts[j + 1]; ++k) {
      const double a = mark[row_indices[k]];
      if (a < 0.0) continue;
      const int row = static_cast<int>(a);
      out.row_indices.push_back(row);
      out.values.push_back(row_scale ? values[k] * row_scale[row] : values[k]);
    }
    out.col_starts.push_back(static_cast<int>(out.row_indices.size()));
  }
}

}  // namespace bpqp::cpu
