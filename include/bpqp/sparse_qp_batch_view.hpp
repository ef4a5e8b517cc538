// A non-owning view of a batch of sparse QPs (or SOCPs) with one sparsity pattern: the
// layer case, where the structure of P and A is fixed and the numbers move from problem to
// problem. QpBatchView's problem with P (upper triangle) and A in compressed sparse columns
// (bpqp/csc_matrix.hpp): the patterns are shared by every problem, and the value arrays, like
// q, l and u, have a batch stride in elements (0: one array shared by the whole batch).
//
//   bpqp::SparseQpBatchView<double> v;
//   v.batch = 64; v.n = n; v.m = m;
//   v.P_pattern = P.pattern(); v.P_values = P_values.data(); v.P_stride = P.nonzeros();
//   v.A_pattern = A.pattern(); v.A_values = A.values.data();   // A_stride 0: shared
//   ...
//   bpqp::validate(v);
//
// bpqp::solve_sparse (bpqp/sparse_solver.hpp) solves such a batch without densifying it and
// bpqp::backward_sparse (bpqp/sparse_backward.hpp) differentiates it; densify() below gives its
// dense form for the dense path's Solver (cones, float, the GPU).
#pragma once

#include <cstddef>

#include "bpqp/cones.hpp"
#include "bpqp/csc_matrix.hpp"
#include "bpqp/qp_batch.hpp"
#include "bpqp/sparse_qp.hpp"

namespace bpqp {

template <class T>
struct SparseQpBatchView {
  int batch = 0;
  int n = 0;  // variables
  int m = 0;  // constraint rows
  CscPattern P_pattern;  // n×n, upper triangle (row ≤ column), diagonal included
  const T* P_values = nullptr;  // P_pattern.nonzeros() per problem
  const T* q = nullptr;         // n
  CscPattern A_pattern;         // m×n
  const T* A_values = nullptr;  // A_pattern.nonzeros() per problem
  const T* l = nullptr;         // m; −inf or ≤ −1e20 means no lower bound
  const T* u = nullptr;         // m; +inf or ≥ +1e20 means no upper bound
  std::ptrdiff_t P_stride = 0;  // between problems' P_values
  std::ptrdiff_t q_stride = 0;
  std::ptrdiff_t A_stride = 0;  // between problems' A_values
  std::ptrdiff_t l_stride = 0;
  std::ptrdiff_t u_stride = 0;
  const ConeBlock* cones = nullptr;  // as in QpBatchView
  int cone_count = 0;

  const T* P_values_of(int b) const { return P_values + b * P_stride; }
  const T* q_of(int b) const { return q + b * q_stride; }
  const T* A_values_of(int b) const { return A_values + b * A_stride; }
  const T* l_of(int b) const { return l + b * l_stride; }
  const T* u_of(int b) const { return u + b * u_stride; }
};

// A batch of one over a SparseQp's arrays (which must outlive the view).
SparseQpBatchView<double> batch_view(const SparseQp& qp);

// Throws InvalidArgument naming the field as validate(QpBatchView) does, and for a pattern
// that is not well formed (validate_csc: P_pattern must be n×n upper triangle, A_pattern m×n).
template <class T>
void validate(const SparseQpBatchView<T>& view);

// The batch in dense storage (P full symmetric), shared arrays kept shared; validates first.
// InvalidArgument when the dense arrays would exceed `max_dense_entries` entries in all.
template <class T>
QpBatch<T> densify(const SparseQpBatchView<T>& view, long long max_dense_entries = 1LL << 28);

}  // namespace bpqp
