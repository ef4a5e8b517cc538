// The device memory a Solver keeps between calls (grown on demand, never shrunk): what its
// forward and its backward passes reuse instead of allocating again. The free function
// bpqp::backward makes one for the length of its call.
#pragma once

#include "cuda/device_cone_layout.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/batch_phase_forward.cuh"

namespace bpqp::cuda {

struct DeviceState {
  DeviceConeLayout cones;                      // the batch's cone layout, placed once per layout
  DeviceBuffer<unsigned char> shared_inputs;   // forward: the arrays the whole batch shares (batch stride 0)
  DeviceBuffer<unsigned char> chunk;           // forward: per-problem inputs, outputs and workspaces of a chunk
  BatchPhasePtr batch_phase;                   // batches sharing P and A (batch_phase_forward.cu)
  DeviceBuffer<unsigned char> backward_shared; // backward: the shared inputs and the sums of their gradients
  DeviceBuffer<unsigned char> backward_chunk;  // backward: a chunk's inputs, solutions, gradients and workspaces
};

}  // namespace bpqp::cuda
