// What every GPU test starts with: skip loudly, naming the reason, where no
// device can be used (a build without CUDA, no driver, no device). With the CUDA
// runtime: DeviceCopy, the device arrays of the device-pointer entries' tests.
#pragma once

#include <gtest/gtest.h>

#include "bpqp/executor.hpp"

#include <random>
#include <vector>

#define BPQP_REQUIRE_GPU()                                                                         \
  if (!::bpqp::cuda_available())                                                                   \
  GTEST_SKIP() << "no usable CUDA device: " << ::bpqp::cuda_unavailable_reason()

namespace bpqp::testing {

// Seeded standard-normal entries (∂L/∂x and ∂L/∂y of the GPU backward tests).
template <class T>
std::vector<T> random_vector(std::size_t size, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<T> v(size);
  for (T& e : v) e = static_cast<T>(normal(rng));
  return v;
}

}  // namespace bpqp::testing

#ifdef BPQP_TEST_WITH_CUDART
#include <cuda_runtime.h>

#include <algorithm>
#include <vector>

namespace bpqp::testing {

// A device copy of a host vector, freed on scope exit.
template <class E>
class DeviceCopy {
 public:
  explicit DeviceCopy(const std::vector<E>& host) : size_(host.size()) {
    EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&data_), std::max<std::size_t>(1, size_) * sizeof(E)), cudaSuccess);
    if (size_ > 0) EXPECT_EQ(cudaMemcpy(data_, host.data(), size_ * sizeof(E), cudaMemcpyHostToDevice), cudaSuccess);
  }
  ~DeviceCopy() { cudaFree(data_); }
  DeviceCopy(const DeviceCopy&) = delete;
  DeviceCopy& operator=(const DeviceCopy&) = delete;
  E* data() const { return data_; }
  std::vector<E> to_host() const {
    std::vector<E> host(size_);
    if (size_ > 0) EXPECT_EQ(cudaMemcpy(host.data(), data_, size_ * sizeof(E), cudaMemcpyDeviceToHost), cudaSuccess);
    return host;
  }

 private:
  E* data_ = nullptr;
  std::size_t size_;
};

}  // namespace bpqp::testing
#endif
