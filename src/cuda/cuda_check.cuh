// Turns a failed CUDA runtime (or cuBLAS) call into a bpqp::Error that names the call.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "bpqp/errors.hpp"

namespace bpqp::cuda {

// A library's status type joins BPQP_CUDA_CHECK with these two overloads (cuBLAS's are in
// batch_phase_forward.cu).
inline bool call_failed(cudaError_t status) { return status != cudaSuccess; }
inline const char* describe(cudaError_t status) { return cudaGetErrorString(status); }

}  // namespace bpqp::cuda

#define BPQP_CUDA_CHECK(call)                                                                              \
  do {                                                                                                     \
    const auto bpqp_status_ = (call);                                                                      \
    if (::bpqp::cuda::call_failed(bpqp_status_))                                                           \
      throw ::bpqp::Error(std::string(#call) + " failed: " + ::bpqp::cuda::describe(bpqp_status_) + " (" + \
                          __FILE__ + ":" + std::to_string(__LINE__) + ")");                                \
  } while (0)
