// Reductions over strided data with many independent partial results, so that they pipeline
// and vectorize on a CPU and keep few registers on a GPU thread: the dot product and the
// NaN-propagating max |v| (an integer max over the magnitude bits).
#pragma once

#include <cstddef>
#include <cstring>

#include "kernels/scalar_math.hpp"

namespace bpqp::kernels {

// Partial sums a reduction keeps: one running sum is a chain of dependent adds, latency-bound
// (and a compiler may not reorder floating-point adds), while independent chains pipeline
// and vectorize — sixteen fill four AVX2 registers of doubles (two of AVX-512), enough to
// cover the multiply-add's latency. A GPU thread, whose loop strides by its group, gets
// few terms each and keeps its registers: four.
#if defined(__CUDA_ARCH__)
constexpr int reduction_lanes = 4;
#else
constexpr int reduction_lanes = 16;
#endif

// Σ a[k]·b[k] over k = begin, begin + step, … < end in four partial sums and a tail, for a
// dot too short for strided_dot's first pass of reduction_lanes terms: the same sum, to the
// bit, as strided_dot's (whose other lanes stay zero), without setting up and folding
// sixteen. A 10×10 gemv of such dots took 65 ns against 43 (AVX2, -O3): small problems'
// residuals, polish and refinement are mostly these.
template <class T>
BPQP_HD BPQP_INLINE T short_strided_dot(const T* a, const T* b, int begin, int end, int step) {
  T l0 = T(0), l1 = T(0), l2 = T(0), l3 = T(0);
  int k = begin;
  for (; k + 3 * step < end; k += 4 * step) {
    l0 += a[k] * b[k];
    l1 += a[k + step] * b[k + step];
    l2 += a[k + 2 * step] * b[k + 2 * step];
    l3 += a[k + 3 * step] * b[k + 3 * step];
  }
  T tail = T(0);
  for (; k < end; k += step) tail += a[k] * b[k];
  return ((l0 + l2) + (l1 + l3)) + tail;
}

// Σ a[k]·b[k] over k = begin, begin + step, … < end, in reduction_lanes interleaved partial sums.
template <class T>
BPQP_HD BPQP_INLINE T strided_dot(const T* a, const T* b, int begin, int end, int step) {
  if (end - begin <= (reduction_lanes - 1) * step) return short_strided_dot(a, b, begin, end, step);
  T lane[reduction_lanes];
  for (int l = 0; l < reduction_lanes; ++l) lane[l] = T(0);
  int k = begin;
  for (; k + (reduction_lanes - 1) * step < end; k += reduction_lanes * step)
    for (int l = 0; l < reduction_lanes; ++l) lane[l] += a[k + l * step] * b[k + l * step];
  // The remainder four at a time, then at most three: a short dot (a triangular solve's
  // early rows) must not become one long dependent chain.
  for (; k + 3 * step < end; k += 4 * step)
    for (int l = 0; l < 4; ++l) lane[l] += a[k + l * step] * b[k + l * step];
  T tail = T(0);
  for (; k < end; k += step) tail += a[k] * b[k];
  // Pairwise, in a fixed order; constant trip counts, so that the lanes stay in registers.
  for (int l = 0; l < reduction_lanes / 2; ++l) lane[l] += lane[l + reduction_lanes / 2];
  for (int l = 0; l < reduction_lanes / 4; ++l) lane[l] += lane[l + reduction_lanes / 4];
  for (int l = 0; l < reduction_lanes / 8; ++l) lane[l] += lane[l + reduction_lanes / 8];
  for (int l = 0; l < reduction_lanes / 16; ++l) lane[l] += lane[l + reduction_lanes / 16];
  static_assert(reduction_lanes == 4 || reduction_lanes == 16, "strided_dot: the reduction above folds 16 or 4 lanes");
  return lane[0] + tail;
}

// The bits of |v| as an unsigned integer. Non-negative IEEE values order like their bit
// patterns, and every NaN lies above +inf: an integer max over them is a NaN-propagating max
// of |v| — and, unlike a floating-point max (which compilers keep scalar to honour NaN), it
// vectorizes.
template <class T>
struct MagnitudeBits {
  using type = unsigned long long;
};
template <>
struct MagnitudeBits<float> {
  using type = unsigned int;
};
template <class T>
BPQP_HD BPQP_INLINE typename MagnitudeBits<T>::type magnitude_bits(T v) {
  using U = typename MagnitudeBits<T>::type;
  static_assert(sizeof(U) == sizeof(T), "magnitude_bits: T is float or double");
  U bits;
  memcpy(&bits, &v, sizeof bits);
  return bits & (~U(0) >> 1);
}
template <class T>
BPQP_HD BPQP_INLINE T from_magnitude_bits(typename MagnitudeBits<T>::type bits) {
  T v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

// max |v[k·stride]| over k < count (0 when count ≤ 0), NaN when any entry is NaN.
template <class T>
BPQP_HD BPQP_INLINE T strided_max_abs(const T* v, int count, int stride) {
  using U = typename MagnitudeBits<T>::type;
  U largest = 0;
  for (int k = 0; k < count; ++k) {
    const U bits = magnitude_bits(v[static_cast<std::ptrdiff_t>(k) * stride]);
    largest = bits > largest ? bits : largest;
  }
  return from_magnitude_bits<T>(largest);
}

}  // namespace bpqp::kernels
