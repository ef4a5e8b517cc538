// The caller's current device, restored on scope exit: bpqp sets the executor's device for a
// call and holds no global device state.
#pragma once

#include "cuda/cuda_check.cuh"

namespace bpqp::cuda {

// Restores the caller's current device on scope exit (bpqp holds no global device state).
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    BPQP_CUDA_CHECK(cudaGetDevice(&previous_));
    BPQP_CUDA_CHECK(cudaSetDevice(device));
  }
  ~DeviceGuard() { cudaSetDevice(previous_); }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
};

}  // namespace bpqp::cuda
