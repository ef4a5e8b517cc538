// Hands out aligned sub-arrays of one caller-owned buffer. Walking the same
// sequence of take() calls with a null base measures the buffer (bytes()),
// with a real base carves it: one description serves sizing and carving, on
// the CPU heap, in GPU shared memory or in GPU global memory alike.
#pragma once

#include <cstdint>

#include "kernels/config.hpp"

namespace bpqp::kernels {

class WorkspaceCarver {
 public:
  static constexpr std::size_t alignment = 64;  // a cache line; also keeps GPU loads aligned

  BPQP_HD BPQP_INLINE explicit WorkspaceCarver(void* base) : base_(reinterpret_cast<std::uintptr_t>(base)) {}

  template <class E>
  BPQP_HD BPQP_INLINE E* take(std::size_t count) {
    offset_ = (offset_ + alignment - 1) / alignment * alignment;
    E* p = base_ == 0 ? nullptr : reinterpret_cast<E*>(base_ + offset_);
    offset_ += count * sizeof(E);
    return p;
  }

  BPQP_HD BPQP_INLINE std::size_t bytes_used() const { return offset_ + alignment; }  // slack for an unaligned base

 private:
  std::uintptr_t base_;
  std::size_t offset_ = 0;
};

}  // namespace bpqp::kernels
