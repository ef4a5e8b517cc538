// Compressed sparse column (CSC) storage: the layout of OSQP, SciPy's csc_matrix, Eigen's
// default SparseMatrix and the MPS/QPS column order. Column j's entries are
// row_indices[col_starts[j] … col_starts[j+1]−1], with their values at the same positions;
// row indices increase strictly within a column (sorted, no duplicates). An entry may hold
// an explicit zero: the pattern is the structure, the values are the numbers.
#pragma once

#include <vector>

namespace bpqp {

// A CSC pattern that the caller owns: col_starts has cols + 1 entries, starting at 0;
// row_indices has col_starts[cols] entries.
struct CscPattern {
  int rows = 0;
  int cols = 0;
  const int* col_starts = nullptr;
  const int* row_indices = nullptr;

  int nonzeros() const { return cols > 0 && col_starts ? col_starts[cols] : 0; }
};

// Which entries a pattern may hold.
enum class CscShape {
  general,         // any
  upper_triangle,  // square, row ≤ column only: the upper triangle of a symmetric matrix
};

// Throws InvalidArgument, naming `name` and the first offending column or entry, unless the
// pattern is well formed: rows, cols ≥ 0 as `rows` × `cols` expects (−1: not checked),
// col_starts present, starting at 0 and non-decreasing, row indices in range and strictly
// increasing within each column, and (upper_triangle) none below the diagonal.
void validate_csc(const CscPattern& pattern, const char* name, int rows, int cols, CscShape shape = CscShape::general);

// An owning CSC matrix in double precision (what the file readers produce).
struct CscMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<int> col_starts = {0};  // cols + 1
  std::vector<int> row_indices;       // nonzeros()
  std::vector<double> values;         // nonzeros()

  int nonzeros() const { return static_cast<int>(row_indices.size()); }
  CscPattern pattern() const { return {rows, cols, col_starts.data(), row_indices.data()}; }
};

// The dense row-major rows × cols matrix of a CSC pattern and its values (entries not in the
// pattern are zero). With CscShape::upper_triangle, each off-diagonal entry is also written
// at its mirror position: the full symmetric matrix.
template <class T>
void csc_to_dense(const CscPattern& pattern, const T* values, CscShape shape, T* dense);

// The CSC form of a dense row-major matrix: every non-zero entry (an exact zero is left out),
// and with CscShape::upper_triangle only those on or above the diagonal (the matrix is taken
// to be symmetric; its lower triangle is not read).
CscMatrix dense_to_csc(const double* dense, int rows, int cols, CscShape shape = CscShape::general);

}  // namespace bpqp
