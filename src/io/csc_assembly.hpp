// The file readers' last step: entries collected as (row, column, value) become a CSC matrix,
// sorted by column, then row (duplicates are the reader's to refuse before this).
#pragma once

#include <algorithm>
#include <cstddef>
#include <tuple>
#include <vector>

#include "bpqp/csc_matrix.hpp"

namespace bpqp::io {

struct Triplet {
  int row, column;
  double value;
};

inline CscMatrix csc_of(std::vector<Triplet>& entries, int rows, int cols) {
  std::sort(entries.begin(), entries.end(),
            [](const Triplet& a, const Triplet& b) { return std::tie(a.column, a.row) < std::tie(b.column, b.row); });
  CscMatrix c;
  c.rows = rows;
  c.cols = cols;
  c.col_starts.assign(static_cast<std::size_t>(cols) + 1, 0);
  c.row_indices.reserve(entries.size());
  c.values.reserve(entries.size());
  for (const Triplet& t : entries) {
    ++c.col_starts[t.column + 1];
    c.row_indices.push_back(t.row);
    c.values.push_back(t.value);
  }
  for (int j = 0; j < cols; ++j) c.col_starts[j + 1] += c.col_starts[j];
  return c;
}

}  // namespace bpqp::io
