// The two combining operations the GPU groups reduce with (BlockGroup, TileGroup).
#pragma once

#include "kernels/scalar_math.hpp"

namespace bpqp::cuda {

struct SumOp {
  template <class T>
  __device__ T operator()(T a, T b) const { return a + b; }
};

struct MaxOp {  // NaN-propagating: a NaN can never be reduced away
  template <class T>
  __device__ T operator()(T a, T b) const { return kernels::max_of(a, b); }
};

}  // namespace bpqp::cuda
