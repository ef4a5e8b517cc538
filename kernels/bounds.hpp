// bpqp's convention for infinite bounds, written once for every kernel that reads l and u.
#pragma once

#include "kernels/scalar_math.hpp"

namespace bpqp::kernels {

// Bounds at or beyond this magnitude are infinite (OSQP's OSQP_INFTY convention, so that
// data written with 1e30 for "no bound" works as well as IEEE infinity).
template <class T>
BPQP_HD BPQP_INLINE T infinite_bound() { return T(1e20); }
template <class T>
BPQP_HD BPQP_INLINE bool is_infinite_bound(T v) { return !(abs_of(v) < infinite_bound<T>()); }

}  // namespace bpqp::kernels
