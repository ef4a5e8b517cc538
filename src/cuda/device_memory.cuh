// Device memory as the CUDA passes lay it out and budget it: aligned offsets of arrays in one
// buffer, the memory one call may use, and how many problems fit in a chunk.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "bpqp/errors.hpp"
#include "cuda/cuda_check.cuh"

namespace bpqp::cuda {

constexpr std::size_t device_alignment = 256;

inline std::size_t aligned(std::size_t bytes) {
  return (bytes + device_alignment - 1) / device_alignment * device_alignment;
}

inline std::string megabytes(std::size_t bytes) { return std::to_string((bytes + 999999) / 1000000) + " MB"; }

// Offsets of arrays laid out one after another in one device buffer, each aligned.
class BufferLayout {
 public:
  std::size_t add(std::size_t bytes) {
    const std::size_t at = bytes_;
    bytes_ += aligned(bytes);
    return at;
  }
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t bytes_ = 0;
};

template <class E>
E* at_offset(unsigned char* base, std::size_t offset) {
  return reinterpret_cast<E*>(base + offset);
}

// Problems per chunk: as many as fit in `limit` besides `fixed` bytes. An Error
// naming the sizes when not even one does.
inline int problems_per_chunk(int count, std::size_t per_problem, std::size_t fixed, std::size_t limit,
                              const std::string& what, int n, int m) {
  if (fixed + per_problem > limit)
    throw Error(what + ": one " + std::to_string(n) + "×" + std::to_string(m) + " problem needs " +
                megabytes(per_problem) + " of device memory besides " + megabytes(fixed) +
                " shared, over the limit of " + megabytes(limit) +
                " (Executor::with_device_memory_limit; default: half the free memory)");
  return static_cast<int>(std::min<std::size_t>(count, (limit - fixed) / per_problem));
}

// Device memory one call may use: the executor's limit, or half of what is free
// plus what `held` bytes of the caller's own reusable buffers already occupy.
inline std::size_t device_memory_budget(std::size_t executor_limit, std::size_t held) {
  if (executor_limit > 0) return executor_limit;
  std::size_t free_bytes = 0, total_bytes = 0;
  BPQP_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  return (free_bytes + held) / 2;
}

}  // namespace bpqp::cuda
