// The group of one thread: what the CPU backend runs every kernel with.
// sync() is a no-op and a reduction is the value itself, so the code a GPU
// block executes is the code that runs (and is tested) here.
//
// What every Group (this one, the CUDA block and warp tile, the tests' thread team)
// promises the kernels: rank() in [0, size()); sync() is a barrier that orders memory;
// sum() and max() return the same bits to every rank and are barriers too — what any
// rank wrote before the reduction is visible to all after it, and what any rank read
// before it is read before anyone writes after it. The kernels rely on that last part
// (write workspace, reduce, read what other ranks wrote) instead of a sync() of their own.
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
