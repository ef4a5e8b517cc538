// The backend entry points behind bpqp::backward (dispatch happens once, in backward.cpp).
#pragma once

#include "bpqp/backward.hpp"
#include "core/backends.hpp"
#include "kernels/backward.hpp"

namespace bpqp::cpu {

// Fills result's gradient arrays (already sized, zeroed, strides set: stride 0 =
// a shared block that receives the sum over the batch), status and active_rows.
// Problems whose forward status is not solved / solved_inaccurate get zeros and
// forward_not_solved (the caller has already thrown if the user asked for that).
template <class T>
void backward(const QpBatchView<T>& batch, const SolveResult<T>& forward, const T* dl_dx, const T* dl_dy,
              const kernels::BackwardParams<T>& params, int threads, Gradients<T>& result);

}  // namespace bpqp::cpu

namespace bpqp::cuda {

// The same contract on a GPU (the forward's per-problem launcher; shared-input gradients
// summed over the batch in problem order), with the device buffers of `state` (a Solver's, or
// a fresh one for the free function), grown as needed and kept for the next call. Throws
// CudaUnavailable without a usable device.
template <class T>
void backward(const QpBatchView<T>& batch, const SolveResult<T>& forward, const T* dl_dx, const T* dl_dy,
              const kernels::BackwardParams<T>& params, const Executor& executor, DeviceStatePtr& state,
              Gradients<T>& result);

// The device-pointer entry (bpqp::backward_on_device, whose host-side checks are done):
// checks that every array is device memory, then enqueues the backward on the executor's
// stream, writing straight into `out`; copies nothing to the host, synchronizes nothing.
template <class T>
void backward_on_device(const QpBatchView<T>& batch, const DeviceSolution<T>& forward, const T* dl_dx,
                        const T* dl_dy, const kernels::BackwardParams<T>& params, const Executor& executor,
                        const DeviceGradients<T>& out);

}  // namespace bpqp::cuda

namespace bpqp::detail {

// bpqp::backward with the CUDA executor's device buffers taken from (and left in) *state —
// Solver::backward passes its own, so that repeated calls allocate nothing; null: the call's own.
template <class T>
Gradients<T> backward_with_state(const Executor& executor, const QpBatchView<T>& batch, const SolveResult<T>& forward,
                                 const T* dl_dx, const T* dl_dy, const BackwardOptions& options,
                                 cuda::DeviceStatePtr* state);

}  // namespace bpqp::detail
