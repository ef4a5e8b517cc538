// The one macro and the few math helpers that let kernels/ compile under both
// g++ (CPU backend, tests) and nvcc (CUDA backend): see DESIGN.md §2.
#pragma once

#include <cmath>
#include <cstddef>

#if defined(__CUDACC__)
#define BPQP_HD __host__ __device__
#define BPQP_INLINE __forceinline__
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
