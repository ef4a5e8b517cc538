// The group of one thread: what the CPU backend runs every kernel with.
// sync() is a no-op and a reduction is the value itself, so the code a GPU
// block executes is the code that runs (and is tested) here.
#pragma once

#include "kernels/config.hpp"

namespace bpqp::kernels {

struct SerialGroup {
  BPQP_HD BPQP_INLINE int rank() const { return 0; }
  BPQP_HD BPQP_INLINE int size() const { return 1; }
  BPQP_HD BPQP_INLINE void sync() const {}
  template <class T>
  BPQP_HD BPQP_INLINE T sum(T v) const { return v; }
  template <class T>
  BPQP_HD BPQP_INLINE T max(T v) const { return v; }
};

}  // namespace bpqp::kernels
