// The scalar helpers every kernel uses, callable on the host and the device alike: min/max
// that propagate NaN, |v|, clamping, finiteness, the square root, log and exp, the
// precision's unit roundoff and IEEE infinity (device code has no std:: for these).
#pragma once

#include <cmath>

#include "kernels/config.hpp"

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

// The precision's unit roundoff ×2 (std::numeric_limits<T>::epsilon(), which device code lacks).
template <class T>
BPQP_HD BPQP_INLINE T machine_epsilon() {
  return sizeof(T) >= sizeof(double) ? T(2.220446049250313e-16) : T(1.1920929e-7);
}

// IEEE infinity, spelled with builtins that g++ and nvcc both evaluate on host and device.
template <class T>
BPQP_HD BPQP_INLINE T infinity() { return T(__builtin_huge_val()); }

}  // namespace bpqp::kernels
