// Group-parallel dense BLAS-1/2 pieces on plain pointers. Loops stride by the
// group; every routine that writes memory read by other threads ends with
// g.sync(), and every reduction returns the same value to every thread.
#pragma once

#include "kernels/strided_reductions.hpp"

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
// walks the rows in order, four at a time (y is loaded and stored once per four
// rows): row-contiguous on a CPU, coalesced across a GPU group.
template <class Group, class T>
BPQP_HD void gemv_transposed(const Group& g, const T* M, int rows, int cols, const T* x, T* y) {
  for (int j = g.rank(); j < cols; j += g.size()) y[j] = T(0);
  auto row = [&](int i) { return M + static_cast<std::ptrdiff_t>(i) * cols; };
  int i = 0;
  for (; i + 4 <= rows; i += 4) {
    const T x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
    if (x0 == T(0) && x1 == T(0) && x2 == T(0) && x3 == T(0)) continue;  // inactive rows' zero multipliers
    const T *r0 = row(i), *r1 = row(i + 1), *r2 = row(i + 2), *r3 = row(i + 3);
    for (int j = g.rank(); j < cols; j += g.size()) y[j] += r0[j] * x0 + r1[j] * x1 + r2[j] * x2 + r3[j] * x3;
  }
  for (; i < rows; ++i) {
    const T xi = x[i];
    if (xi == T(0)) continue;
    const T* r = row(i);
    for (int j = g.rank(); j < cols; j += g.size()) y[j] += r[j] * xi;
  }
  g.sync();
}

}  // namespace bpqp::kernels
