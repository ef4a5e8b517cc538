// Products, norms and scalings of a matrix in compressed sparse columns (CSC), for the sparse
// path's linear-algebra layer: each one a function of the group, parallel over columns, so
// that every rank writes only its own columns' outputs (no atomics, no scatter across ranks).
// A product Mx is taken as (Mᵀ)ᵀx: the caller keeps the transpose's CSC beside M's (its
// pattern from csc_transpose_pattern, its values from csc_copy_to_transpose) and gathers over
// its columns; a symmetric matrix is its own transpose, so P is kept in full.
#pragma once

#include "kernels/config.hpp"
#include "kernels/scalar_math.hpp"

namespace bpqp::kernels {

// A CSC matrix (bpqp/csc_matrix.hpp's layout) with its values: column j's entries are
// row_indices[col_starts[j] … col_starts[j+1]−1], rows strictly increasing. V is T, or const T
// for a matrix the kernel only reads.
template <class V>
struct CscRef {
  int rows;
  int cols;
  const int* col_starts;
  const int* row_indices;
  V* values;
};

// out_j = Σ_k M_kj·x_k for every column j: out = Mᵀx (cols entries).
template <class Group, class V, class T>
BPQP_HD void csc_transposed_multiply(const Group& g, const CscRef<V>& M, const T* x, T* out) {
  for (int j = g.rank(); j < M.cols; j += g.size()) {
    T sum = T(0);
    for (int k = M.col_starts[j]; k < M.col_starts[j + 1]; ++k) sum += M.values[k] * x[M.row_indices[k]];
    out[j] = sum;
  }
  g.sync();
}

// out_j = Σ_k |M_kj·x_k|: the magnitude of the terms of (Mᵀx)_j, for rounding bounds.
template <class Group, class V, class T>
BPQP_HD void csc_transposed_abs_multiply(const Group& g, const CscRef<V>& M, const T* x, T* out) {
  for (int j = g.rank(); j < M.cols; j += g.size()) {
    T sum = T(0);
    for (int k = M.col_starts[j]; k < M.col_starts[j + 1]; ++k) sum += abs_of(M.values[k] * x[M.row_indices[k]]);
    out[j] = sum;
  }
  g.sync();
}

// out_j = max(out_j, max_k |M_kj|): column inf-norms folded into what out holds (Ruiz takes
// a KKT column's norm over two blocks: P's column and A's).
template <class Group, class V, class T>
BPQP_HD void csc_fold_column_max_abs(const Group& g, const CscRef<V>& M, T* out) {
  for (int j = g.rank(); j < M.cols; j += g.size()) {
    T largest = out[j];
    for (int k = M.col_starts[j]; k < M.col_starts[j + 1]; ++k) largest = max_of(largest, abs_of(M.values[k]));
    out[j] = largest;
  }
  g.sync();
}

// M ← diag(left)·M·diag(right); a null side is the identity.
template <class Group, class T>
BPQP_HD void csc_scale(const Group& g, const CscRef<T>& M, const T* left, const T* right) {
  for (int j = g.rank(); j < M.cols; j += g.size()) {
    const T column_factor = right ? right[j] : T(1);
    for (int k = M.col_starts[j]; k < M.col_starts[j + 1]; ++k)
      M.values[k] *= (left ? left[M.row_indices[k]] : T(1)) * column_factor;
  }
  g.sync();
}

// The transpose's values from M's: entry k of M is entry position[k] of Mᵀ.
template <class Group, class T>
BPQP_HD void csc_copy_to_transpose(const Group& g, const T* values, int nonzeros, const int* position,
                                   T* transposed_values) {
  for (int k = g.rank(); k < nonzeros; k += g.size()) transposed_values[position[k]] = values[k];
  g.sync();
}

// The pattern of Mᵀ (cols × rows: a CSC with `rows` columns) and, for each entry k of M, its
// position in Mᵀ. Serial (once per pattern, by the host); the caller supplies
// t_col_starts (M.rows + 1), t_row_indices and position (M's nonzeros each).
BPQP_HD inline void csc_transpose_pattern(int rows, int cols, const int* col_starts, const int* row_indices,
                                          int* t_col_starts, int* t_row_indices, int* position) {
  for (int i = 0; i <= rows; ++i) t_col_starts[i] = 0;
  for (int k = 0; k < col_starts[cols]; ++k) ++t_col_starts[row_indices[k] + 1];
  for (int i = 0; i < rows; ++i) t_col_starts[i + 1] += t_col_starts[i];
  // Columns of M in order fill each column of Mᵀ in increasing row (M's column) order;
  // t_col_starts[i] serves as column i's cursor and is restored after.
  for (int j = 0; j < cols; ++j)
    for (int k = col_starts[j]; k < col_starts[j + 1]; ++k) {
      const int slot = t_col_starts[row_indices[k]]++;
      t_row_indices[slot] = j;
      position[k] = slot;
    }
  for (int i = rows; i > 0; --i) t_col_starts[i] = t_col_starts[i - 1];
  t_col_starts[0] = 0;
}

}  // namespace bpqp::kernels
