// Owning device memory (RAII): freed on scope exit, also when an exception unwinds.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>

#include "cuda/cuda_check.cuh"

namespace bpqp::cuda {

// DeviceBuffer's cudaMalloc calls so far (src/cuda/allocation_count.hpp).
inline std::atomic<long long>& device_allocation_counter() {
  static std::atomic<long long> count{0};
  return count;
}

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
    if (count > 0) {
      BPQP_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(E)));
      ++device_allocation_counter();
    }
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

// Device memory of one call, allocated and freed in stream order (cudaMallocAsync): a
// plain cudaFree would wait for the whole device, i.e. for the kernels this call just
// enqueued. Devices without memory pools fall back to cudaMalloc / cudaFree.
class StreamOrderedBuffer {
 public:
  StreamOrderedBuffer(std::size_t bytes, int device, cudaStream_t stream) : stream_(stream) {
    int pools = 0;
    BPQP_CUDA_CHECK(cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, device));
    stream_ordered_ = pools != 0;
    void* data = nullptr;
    if (stream_ordered_)
      BPQP_CUDA_CHECK(cudaMallocAsync(&data, std::max<std::size_t>(1, bytes), stream));
    else
      BPQP_CUDA_CHECK(cudaMalloc(&data, std::max<std::size_t>(1, bytes)));
    data_ = static_cast<unsigned char*>(data);
  }
  ~StreamOrderedBuffer() {
    if (stream_ordered_)
      cudaFreeAsync(data_, stream_);
    else
      cudaFree(data_);
  }
  StreamOrderedBuffer(const StreamOrderedBuffer&) = delete;
  StreamOrderedBuffer& operator=(const StreamOrderedBuffer&) = delete;
  unsigned char* data() const { return data_; }

 private:
  unsigned char* data_ = nullptr;
  cudaStream_t stream_;
  bool stream_ordered_ = false;
};

}  // namespace bpqp::cuda
