// A warp tile as a kernels/ Group: `width` consecutive lanes of one warp (a power
// of two, 1 to 32) solve one problem, so that several tiny problems share a block
// (DESIGN.md §2). sync() is __syncwarp over the tile's lanes (which also orders their
// shared and global memory accesses); reductions are shuffles within the tile and
// need no shared scratch. The total is taken from the tile's first lane and broadcast,
// so every lane sees the same bits and a loop-ending decision is uniform.
// A reduction is also a barrier, as every Group's is (kernels/serial_group.hpp): the
// kernels write workspace, reduce, then read what other lanes wrote (Ruiz's column
// sums, then its writes of P; polish's active flags, then list_active_rows). A shuffle
// synchronizes its lanes for the exchange but does not order memory, so the reduction
// starts with __syncwarp.
#pragma once

#include "cuda/reduction_ops.cuh"
#include "kernels/config.hpp"

namespace bpqp::cuda {

struct TileGroup {
  int width;  // threads per problem: 1, 2, 4, 8, 16 or 32

  __device__ int rank() const { return threadIdx.x & (width - 1); }
  __device__ int size() const { return width; }
  // The tile's lanes within its warp.
  __device__ unsigned lanes() const {
    const unsigned tile_bits = width == 32 ? 0xffffffffu : ((1u << width) - 1u);
    return tile_bits << ((threadIdx.x & 31) & ~(width - 1));
  }
  __device__ void sync() const { __syncwarp(lanes()); }

  template <class T, class Op>
  __device__ T all_reduce(T v, Op op) const {
    const unsigned mask = lanes();
    __syncwarp(mask);
    for (int offset = width >> 1; offset > 0; offset >>= 1) {
      const T other = __shfl_down_sync(mask, v, offset, width);
      if (rank() + offset < width) v = op(v, other);
    }
    return __shfl_sync(mask, v, 0, width);
  }

  template <class T>
  __device__ T sum(T v) const { return all_reduce(v, SumOp{}); }
  template <class T>
  __device__ T max(T v) const { return all_reduce(v, MaxOp{}); }
};

}  // namespace bpqp::cuda
