// The CUDA batch phase for batches that share P and A (DESIGN.md §2; the CPU's is
// src/cpu/batch_phase_forward.cpp): one scaling and one K⁻¹ for the chunk, the ADMM
// iterations of all its problems as cuBLAS products, each problem's termination test
// on its own column, and the loop itself a CUDA graph with a conditional WHILE node
// whose last kernel decides, on the device, whether another round follows. Then
// every problem is finished by the per-problem kernels (finish_after_batch_phase).
#pragma once

#include <cstddef>
#include <memory>

#include "bpqp/qp_batch_view.hpp"
#include "cuda/problem_kernels.cuh"

namespace bpqp::cuda {

// What a Solver keeps for the batch phase between solves: its cuBLAS handle, its
// device memory and the loop's instantiated graph (rebuilt when a shape, a setting or
// a buffer address changes).
struct BatchPhaseResources;
struct BatchPhaseResourcesDeleter {
  void operator()(BatchPhaseResources* resources) const;
};
using BatchPhasePtr = std::unique_ptr<BatchPhaseResources, BatchPhaseResourcesDeleter>;

// Whether a batch goes through the batch phase: P and A shared by more than one problem,
// constraints to iterate on (m > 0), and Settings::batch_phase on.
template <class T>
bool takes_batch_phase(const QpBatchView<T>& batch, bool enabled) {
  return enabled && batch.batch > 1 && batch.m > 0 && batch.P_stride == 0 && batch.A_stride == 0;
}

// Device memory of the phase: per problem of a chunk, and once per chunk.
template <class T>
std::size_t batch_phase_bytes_per_problem(int n, int m);
template <class T>
std::size_t batch_phase_fixed_bytes(int n, int m);
// What the phase already holds (reused, so it counts as free in the memory budget).
std::size_t batch_phase_held_bytes(const BatchPhasePtr& phase);

// Once per solve, before its chunks: the phase's device memory for chunks of up to
// `chunk` problems, and the batch's representative q (max |q_b,j| over all `count`
// problems, for the shared cost scaling) from the host's q or from the device batch.
template <class T>
void begin_batch_phase(BatchPhasePtr& phase, int n, int m, int chunk, cudaStream_t stream, const HostInput<T>& q,
                       int count);
template <class T>
void begin_batch_phase(BatchPhasePtr& phase, int n, int m, int chunk, cudaStream_t stream,
                       const DeviceBatch<T>& batch, int count);

// The launch plan of the finishing pass.
template <class T>
LaunchPlan plan_finish(int n, int m, const Executor& executor);

// Solves problems 0 … count − 1 of `batch` (P and A shared; its q, l, u per problem or
// shared): the batch phase, then the finish with `plan` (its workspaces at
// finish_workspace when not in shared memory), writing `outputs` as the per-problem
// pass does. Enqueued on `stream`; nothing is read back. Returns false, having enqueued
// nothing of the chunk's solve, when the phase's loop graph cannot be built or
// instantiated on this device (said once on stderr): the caller then takes the
// per-problem pass, and so does every later solve with these resources.
template <class T>
bool solve_with_batch_phase(BatchPhasePtr& phase, const LaunchPlan& plan, int count, cudaStream_t stream,
                            const DeviceBatch<T>& batch, const kernels::AdmmParams<T>& params,
                            const ForwardOutputs<T>& outputs, unsigned char* finish_workspace);

}  // namespace bpqp::cuda
