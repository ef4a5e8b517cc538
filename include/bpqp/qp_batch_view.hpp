// A non-owning view of a batch of QPs in OSQP form,
//   minimize ½xᵀP_b x + q_bᵀx  subject to  l_b ≤ A_b x ≤ u_b,   b = 0 … batch−1,
// over dense row-major arrays, where rows may also be grouped into second-order cone blocks
// (A_k x − l_k ∈ K instead of bounds: include/bpqp/cones.hpp) — an SOCP. Each array has a
// batch stride in elements; stride 0 shares one array across the batch (one P and A, a q
// per sample).
#pragma once

#include <cstddef>

#include "bpqp/cones.hpp"

namespace bpqp {

template <class T>
struct QpBatchView {
  int batch = 0;
  int n = 0;  // variables
  int m = 0;  // constraint rows (m = 0 allowed: unconstrained QP)
  const T* P = nullptr;  // n×n, full symmetric
  const T* q = nullptr;  // n
  const T* A = nullptr;  // m×n
  const T* l = nullptr;  // m; −inf or ≤ −1e20 means no lower bound
  const T* u = nullptr;  // m; +inf or ≥ +1e20 means no upper bound
  std::ptrdiff_t P_stride = 0;
  std::ptrdiff_t q_stride = 0;
  std::ptrdiff_t A_stride = 0;
  std::ptrdiff_t l_stride = 0;
  std::ptrdiff_t u_stride = 0;
  // The cone blocks (include/bpqp/cones.hpp), one layout for every problem, in host memory
  // (on the device-pointer entries too); none by default.
  const ConeBlock* cones = nullptr;
  int cone_count = 0;

  const T* P_of(int b) const { return P + b * P_stride; }
  const T* q_of(int b) const { return q + b * q_stride; }
  const T* A_of(int b) const { return A + b * A_stride; }
  const T* l_of(int b) const { return l + b * l_stride; }
  const T* u_of(int b) const { return u + b * u_stride; }
};

// Throws InvalidArgument when a dimension is negative, a pointer is missing, a non-zero
// stride is smaller than its array (which would alias problems), or a cone block is out of
// range (dim < 1, a rotated one with dim < 3, rows past m) or overlaps another.
template <class T>
void validate(const QpBatchView<T>& view);

// The cone-layout part of validate(): `count` blocks of a problem with m rows.
void validate_cones(const ConeBlock* cones, int count, int m);

}  // namespace bpqp
