// Owning device memory (RAII): freed on scope exit, also when an exception unwinds.
#pragma once

#include <cstddef>

#include "cuda/cuda_check.cuh"

namespace bpqp::cuda {

template <class E>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t count = 0) { resize(count); }
  ~DeviceBuffer() { cudaFree(data_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void resize(std::size_t count) {
    cudaFree(data_);
    data_ = nullptr;
    count_ = count;
    if (count > 0) BPQP_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(E)));
  }
  // At least `count` elements, reusing the allocation when it is large enough
  // (contents are not kept when it grows): a solver's buffers live across solves.
  void reserve(std::size_t count) {
    if (count > count_) resize(count);
  }
  E* data() const { return data_; }
  std::size_t size() const { return count_; }

 private:
  E* data_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace bpqp::cuda
