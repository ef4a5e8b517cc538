// A sparse batch over dense test problems: their union pattern (one problem's zero where
// another has an entry is an explicit zero), values per problem. The sparse path's tests
// build their batches with it.
#pragma once

#include <vector>

#include "bpqp/csc_matrix.hpp"
#include "bpqp/dense_qp.hpp"
#include "bpqp/sparse_qp_batch_view.hpp"

namespace bpqp::testing {

// The arrays, kept alive with their view.
struct UnionBatch {
  bpqp::CscMatrix P, A;  // patterns (values unused)
  std::vector<double> P_values, A_values, q, l, u;
  bpqp::SparseQpBatchView<double> view;
};

inline UnionBatch union_batch(const std::vector<bpqp::DenseQp>& problems) {
  UnionBatch u;
  const int n = problems[0].n, m = problems[0].m;
  std::vector<double> P_mask(n * n, 0.0), A_mask(m * n, 0.0);
  for (const bpqp::DenseQp& p : problems) {
    for (int k = 0; k < n * n; ++k) P_mask[k] += p.P[k] != 0.0;
    for (int k = 0; k < m * n; ++k) A_mask[k] += p.A[k] != 0.0;
  }
  u.P = bpqp::dense_to_csc(P_mask.data(), n, n, bpqp::CscShape::upper_triangle);
  u.A = bpqp::dense_to_csc(A_mask.data(), m, n);
  for (const bpqp::DenseQp& p : problems) {
    for (int j = 0; j < n; ++j)
      for (int k = u.P.col_starts[j]; k < u.P.col_starts[j + 1]; ++k) u.P_values.push_back(p.P[u.P.row_indices[k] * n + j]);
    for (int j = 0; j < n; ++j)
      for (int k = u.A.col_starts[j]; k < u.A.col_starts[j + 1]; ++k) u.A_values.push_back(p.A[u.A.row_indices[k] * n + j]);
    u.q.insert(u.q.end(), p.q.begin(), p.q.end());
    u.l.insert(u.l.end(), p.l.begin(), p.l.end());
    u.u.insert(u.u.end(), p.u.begin(), p.u.end());
  }
  bpqp::SparseQpBatchView<double>& v = u.view;
  v.batch = static_cast<int>(problems.size());
  v.n = n;
  v.m = m;
  v.P_pattern = u.P.pattern();
  v.P_values = u.P_values.data();
  v.P_stride = u.P.nonzeros();
  v.A_pattern = u.A.pattern();
  v.A_values = u.A_values.data();
  v.A_stride = u.A.nonzeros();
  v.q = u.q.data();
  v.q_stride = n;
  v.l = u.l.data();
  v.l_stride = m;
  v.u = u.u.data();
  v.u_stride = m;
  return u;
}

}  // namespace bpqp::testing
