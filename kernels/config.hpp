// The one macro and the few math helpers that let kernels/ compile under both
// g++ (CPU backend, tests) and nvcc (CUDA backend): see DESIGN.md §2.
#pragma once

#include <cmath>
#include <cstddef>

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

// Σ a[k]·b[k] over k = begin, begin + step, … < end, as four interleaved partial
// sums: one running sum is a chain of dependent adds (latency-bound, and a
// compiler may not reorder it), four independent chains pipeline and vectorize.
template <class T>
BPQP_HD BPQP_INLINE T strided_dot(const T* a, const T* b, int begin, int end, int step) {
  T s0 = T(0), s1 = T(0), s2 = T(0), s3 = T(0);
  int k = begin;
  for (; k + 3 * step < end; k += 4 * step) {
    s0 += a[k] * b[k];
    s1 += a[k + step] * b[k + step];
    s2 += a[k + 2 * step] * b[k + 2 * step];
    s3 += a[k + 3 * step] * b[k + 3 * step];
  }
  for (; k < end; k += step) s0 += a[k] * b[k];
  return (s0 + s1) + (s2 + s3);
}

// max |v[k·stride]| over k < count, NaN-propagating, with four independent chains (as above).
template <class T>
BPQP_HD BPQP_INLINE T strided_max_abs(const T* v, int count, int stride) {
  T m0 = T(0), m1 = T(0), m2 = T(0), m3 = T(0);
  int k = 0;
  for (; k + 3 < count; k += 4) {
    m0 = max_of(m0, abs_of(v[k * stride]));
    m1 = max_of(m1, abs_of(v[(k + 1) * stride]));
    m2 = max_of(m2, abs_of(v[(k + 2) * stride]));
    m3 = max_of(m3, abs_of(v[(k + 3) * stride]));
  }
  for (; k < count; ++k) m0 = max_of(m0, abs_of(v[k * stride]));
  return max_of(max_of(m0, m1), max_of(m2, m3));
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
