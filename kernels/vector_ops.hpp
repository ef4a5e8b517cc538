// Group-parallel dense BLAS-1/2 pieces on plain pointers. Loops stride by the
// group; every routine that writes memory read by other threads ends with
// g.sync(), and every reduction returns the same value to every thread.
#pragma once

#include "kernels/config.hpp"

namespace bpqp::kernels {

template <class Group, class T>
BPQP_HD void fill(const Group& g, T* v, int n, T value) {
  for (int i = g.rank(); i < n; i += g.size()) v[i] = value;
  g.sync();
}

template <class Group, class T, class U>
BPQP_HD void copy(const Group& g, T* dst, const U* src, int n) {
  for (int i = g.rank(); i < n; i += g.size()) dst[i] = T(src[i]);
  g.sync();
}

// dst = a*x + b*y
template <class Group, class T>
BPQP_HD void axpby(const Group& g, T* dst, T a, const T* x, T b, const T* y, int n) {
  for (int i = g.rank(); i < n; i += g.size()) dst[i] = a * x[i] + b * y[i];
  g.sync();
}

// True when the count values are all finite (uniform over the group).
template <class Group, class T>
BPQP_HD bool all_finite(const Group& g, const T* v, int count) {
  T bad = T(0);
  for (int i = g.rank(); i < count; i += g.size())
    if (!is_finite(v[i])) bad = T(1);
  return g.max(bad) == T(0);
}

// ‖v‖∞ (NaN when any entry is NaN): each thread's entries through strided_max_abs, which vectorizes.
template <class Group, class T>
BPQP_HD T inf_norm(const Group& g, const T* v, int n) {
  const int mine = n > g.rank() ? (n - g.rank() + g.size() - 1) / g.size() : 0;
  return g.max(mine > 0 ? strided_max_abs(v + g.rank(), mine, g.size()) : T(0));
}

// ‖diag(s) v‖∞ without forming the product (NaN-propagating, as inf_norm).
template <class Group, class T>
BPQP_HD T scaled_inf_norm(const Group& g, const T* s, const T* v, int n) {
  using U = typename MagnitudeBits<T>::type;
  U largest = 0;
  for (int i = g.rank(); i < n; i += g.size()) {
    const U bits = magnitude_bits(s[i] * v[i]);
    largest = bits > largest ? bits : largest;
  }
  return g.max(from_magnitude_bits<T>(largest));
}

template <class Group, class T>
BPQP_HD T dot(const Group& g, const T* a, const T* b, int n) {
  return g.sum(strided_dot(a, b, g.rank(), n, g.size()));
}

// y = M x for a rows×cols row-major M (leading dimension cols): one row per thread.
template <class Group, class T>
BPQP_HD void gemv(const Group& g, const T* M, int rows, int cols, const T* x, T* y) {
  for (int i = g.rank(); i < rows; i += g.size()) {
    const T* row = M + static_cast<std::ptrdiff_t>(i) * cols;
    y[i] = strided_dot(row, x, 0, cols, 1);
  }
  g.sync();
}

// y = Mᵀ x for a rows×cols row-major M. Each thread owns output columns and
// walks the rows in order: row-contiguous on a CPU, coalesced across a GPU group.
template <class Group, class T>
BPQP_HD void gemv_transposed(const Group& g, const T* M, int rows, int cols, const T* x, T* y) {
  for (int j = g.rank(); j < cols; j += g.size()) y[j] = T(0);
  for (int i = 0; i < rows; ++i) {
    const T xi = x[i];
    if (xi == T(0)) continue;
    const T* row = M + static_cast<std::ptrdiff_t>(i) * cols;
    for (int j = g.rank(); j < cols; j += g.size()) y[j] += row[j] * xi;
  }
  g.sync();
}

}  // namespace bpqp::kernels
