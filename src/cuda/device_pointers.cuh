// The device-pointer entries' checks: every array a caller hands over is device (or managed)
// memory, with an error naming the argument otherwise.
#pragma once

#include <string>

#include "bpqp/errors.hpp"
#include "bpqp/qp_batch_view.hpp"
#include "cuda/cuda_check.cuh"

namespace bpqp::cuda {

// A clear error for an array the GPU cannot read (host memory, a freed pointer); null
// passes. `entry` names the API call, `name` the argument.
inline void require_device_memory(const char* entry, const void* p, const std::string& name) {
  if (!p) return;
  cudaPointerAttributes attributes{};
  const cudaError_t status = cudaPointerGetAttributes(&attributes, p);
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw InvalidArgument(std::string(entry) + ": " + name + " is not a valid pointer (" +
                          cudaGetErrorString(status) + ")");
  }
  if (attributes.type != cudaMemoryTypeDevice && attributes.type != cudaMemoryTypeManaged)
    throw InvalidArgument(std::string(entry) + ": " + name + " is host memory; device or managed memory expected");
}

// The same check for the five input arrays of a batch on the device, named prefix + P, q, A, l, u.
template <class T>
void require_device_batch(const char* entry, const QpBatchView<T>& batch, const char* prefix) {
  const void* const arrays[5] = {batch.P, batch.q, batch.A, batch.l, batch.u};
  const char* const names[5] = {"P", "q", "A", "l", "u"};
  for (int k = 0; k < 5; ++k) require_device_memory(entry, arrays[k], std::string(prefix) + names[k]);
}

}  // namespace bpqp::cuda
