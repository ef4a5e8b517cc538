// The thread block as a kernels/ Group: rank = threadIdx.x, sync =
// __syncthreads(), reductions through warp shuffles and a 32-entry shared
// scratch that the caller places (CUB's TempStorage pattern). Block sizes that
// are not a multiple of 32 are supported: the last warp reduces over its live lanes.
#pragma once

#include "cuda/reduction_ops.cuh"
#include "kernels/config.hpp"

namespace bpqp::cuda {

struct BlockGroup {
  double* scratch;  // __shared__ double[32]

  __device__ int rank() const { return threadIdx.x; }
  __device__ int size() const { return blockDim.x; }
  __device__ void sync() const { __syncthreads(); }

  template <class T, class Op>
  __device__ T all_reduce(T v, Op op) const {
    const int lane = threadIdx.x & 31;
    const int warp_base = threadIdx.x & ~31;
    const int live = min(32, static_cast<int>(blockDim.x) - warp_base);
    const unsigned mask = live == 32 ? 0xffffffffu : ((1u << live) - 1u);
    for (int offset = 16; offset > 0; offset >>= 1) {
      const T other = __shfl_down_sync(mask, v, offset);
      if (lane + offset < live) v = op(v, other);
    }
    __syncthreads();  // the previous reduction's readers are done with scratch
    if (lane == 0) scratch[threadIdx.x >> 5] = static_cast<double>(v);
    __syncthreads();
    const int warps = (blockDim.x + 31) >> 5;
    T total = static_cast<T>(scratch[0]);
    for (int w = 1; w < warps; ++w) total = op(total, static_cast<T>(scratch[w]));
    return total;
  }

  template <class T>
  __device__ T sum(T v) const { return all_reduce(v, SumOp{}); }
  template <class T>
  __device__ T max(T v) const { return all_reduce(v, MaxOp{}); }
};

}  // namespace bpqp::cuda
