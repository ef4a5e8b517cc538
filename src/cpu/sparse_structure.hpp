// What every problem of a sparse batch shares (one pattern, values per problem): P in full from
// its upper triangle, Aᵀ's pattern, and where each user entry lands in them. The forward and
// the backward of the sparse path build it once per batch.
#pragma once

#include <vector>

#include "bpqp/csc_matrix.hpp"

namespace bpqp::cpu {

// A pattern with its own arrays.
struct OwnedPattern {
  int rows = 0, cols = 0;
  std::vector<int> col_starts, row_indices;
};

// P's full pattern and where each upper-triangle entry lands in it (once, or twice off the
// diagonal), Aᵀ's pattern and A's entries' places in it.
struct SharedStructure {
  OwnedPattern P_full, At;
  std::vector<int> upper_to_full, upper_to_mirror;  // mirror: −1 on the diagonal
  std::vector<int> At_position;

  // The upper triangle's values (on P's pattern) onto P_full's pattern.
  void place_P(const double* upper_values, double* full_values) const;
  // A's values (on A's pattern) copied, and onto Aᵀ's pattern.
  void place_A(const double* values, double* A_values, double* At_values) const;
};

SharedStructure make_structure(const CscPattern& P_upper, const CscPattern& A);

// Some rows of a CSC matrix as a matrix of their own, in CSC: the columns keeping those rows,
// renumbered 0 … count − 1 in the order given (increasing rows keep every column sorted).
struct RowSelection {
  int rows = 0, cols = 0;
  std::vector<int> col_starts, row_indices;
  std::vector<double> values;
  CscPattern pattern() const { return {rows, cols, col_starts.data(), row_indices.data()}; }
};

// rows[0, count): increasing row indices of M (m×n: m rows, n columns). Each kept value is
// multiplied by row_scale[its new index] when row_scale is given. mark: scratch of m entries.
void select_rows(int m, int n, const int* col_starts, const int* row_indices, const double* values, const int* rows,
                 int count, const double* row_scale, double* mark, RowSelection& out);

}  // namespace bpqp::cpu
