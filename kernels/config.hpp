// The one macro and the few math helpers that let kernels/ compile under both
// g++ (CPU backend, tests) and nvcc (CUDA backend): see DESIGN.md §2.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstring>

#if defined(__CUDACC__)
#define BPQP_HD __host__ __device__
#define BPQP_INLINE __forceinline__
#elif defined(__GNUC__)
// Always inlined on the host too, at every optimization level: a kernels/ function that is
// not a template of its thread group must compile into its caller, so that the CPU's
// instruction-set variants (src/cpu/problem_kernels_variant.cpp) never emit a copy of it
// for the linker to merge across variants. Every such function is BPQP_INLINE.
#define BPQP_HD
#define BPQP_INLINE inline __attribute__((always_inline))
#else
#define BPQP_HD
#define BPQP_INLINE inline
#endif

namespace bpqp::kernels {

// min/max that propagate NaN from either side, so that a NaN can never be
// reduced away (an all-NaN residual must not read as 0 and pass a tolerance).
template <class T>
BPQP_HD BPQP_INLINE T min_of(T a, T b) { return (b < a || b != b) ? b : a; }
template <class T>
BPQP_HD BPQP_INLINE T max_of(T a, T b) { return (b > a || b != b) ? b : a; }
template <class T>
BPQP_HD BPQP_INLINE T abs_of(T a) { return a < T(0) ? -a : a; }
template <class T>
BPQP_HD BPQP_INLINE T clamp_to(T v, T lo, T hi) { return v < lo ? lo : (hi < v ? hi : v); }
// True for finite values; written without std:: so that it is callable on the device.
template <class T>
BPQP_HD BPQP_INLINE bool is_finite(T v) { return v - v == T(0); }
template <class T>
BPQP_HD BPQP_INLINE T square_root(T v) { return sqrt(v); }
template <class T>
BPQP_HD BPQP_INLINE T natural_log(T v) { return log(v); }
template <class T>
BPQP_HD BPQP_INLINE T exponential(T v) { return exp(v); }

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

// Σ a[k]·b[k] over k = begin, begin + step, … < end, in reduction_lanes interleaved partial sums.
template <class T>
BPQP_HD BPQP_INLINE T strided_dot(const T* a, const T* b, int begin, int end, int step) {
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

// The precision's unit roundoff ×2 (std::numeric_limits<T>::epsilon(), which device code lacks).
template <class T>
BPQP_HD BPQP_INLINE T machine_epsilon() {
  return sizeof(T) >= sizeof(double) ? T(2.220446049250313e-16) : T(1.1920929e-7);
}

// Bounds at or beyond this magnitude are infinite (OSQP's OSQP_INFTY convention, so that
// data written with 1e30 for "no bound" works as well as IEEE infinity).
template <class T>
BPQP_HD BPQP_INLINE T infinite_bound() { return T(1e20); }
template <class T>
BPQP_HD BPQP_INLINE bool is_infinite_bound(T v) { return !(abs_of(v) < infinite_bound<T>()); }

}  // namespace bpqp::kernels

namespace bpqp::kernels {

// IEEE infinity, spelled with builtins that g++ and nvcc both evaluate on host and device.
template <class T>
BPQP_HD BPQP_INLINE T infinity() { return T(__builtin_huge_val()); }

}  // namespace bpqp::kernels
