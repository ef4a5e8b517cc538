// Turns a failed CUDA runtime call into a bpqp::Error that names the call.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "bpqp/errors.hpp"

#define BPQP_CUDA_CHECK(call)                                                                              \
  do {                                                                                                     \
    const cudaError_t bpqp_status_ = (call);                                                               \
    if (bpqp_status_ != cudaSuccess)                                                                       \
      throw ::bpqp::Error(std::string(#call) + " failed: " + cudaGetErrorString(bpqp_status_) + " (" +     \
                          __FILE__ + ":" + std::to_string(__LINE__) + ")");                                \
  } while (0)
