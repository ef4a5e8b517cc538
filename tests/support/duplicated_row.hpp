// A degenerate active set for the backward tests: a planted QP with one of its active
// inequality rows appended again, the row's multiplier split 30/70 between the two copies.
// A_𝒜 is then rank deficient and the backward's w is not unique, but dx is, and so are the sums
// of the gradients over the two copies.
#pragma once

#include <vector>

#include "bpqp/dense_qp.hpp"
#include "problems/problem_generators.hpp"

namespace bpqp::testing {

struct DuplicatedRow {
  DenseQp qp;            // the planted problem with the copy appended (m + 1 rows)
  std::vector<double> y;  // y* with the split multiplier (m + 1 entries)
  int row = -1;          // the duplicated row; its copy is row m of the original
};

// row = −1 when the planted problem has no active inequality row.
inline DuplicatedRow duplicate_an_active_row(const generators::PlantedQp& planted) {
  using generators::RowKind;
  DuplicatedRow d;
  const DenseQp& qp = planted.qp;
  for (int i = 0; i < qp.m && d.row < 0; ++i)
    if (planted.row_kind[i] == RowKind::active_upper || planted.row_kind[i] == RowKind::active_lower) d.row = i;
  if (d.row < 0) return d;
  const int n = qp.n, row = d.row;
  d.qp = qp;
  d.qp.m += 1;
  d.qp.A.insert(d.qp.A.end(), qp.A.begin() + row * n, qp.A.begin() + (row + 1) * n);
  d.qp.l.push_back(qp.l[row]);
  d.qp.u.push_back(qp.u[row]);
  d.y = planted.y_star;
  d.y[row] *= 0.3;
  d.y.push_back(planted.y_star[row] * 0.7);
  return d;
}

}  // namespace bpqp::testing
