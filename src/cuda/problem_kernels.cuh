// The launch shapes of a per-problem pass on the GPU: a thread block per problem, or
// a warp tile per problem with several tiles per block for tiny problems
// (Executor::with_problems_per_block), each problem's workspace in the block's shared
// memory when it fits and in global memory otherwise. What runs per problem is a Job:
// a value with `__device__ void operator()(const Group&, int b, unsigned char* workspace)`
// — the whole solve (cuda_forward.cu) or the finish after a batch phase
// (batch_phase_forward.cu) — so both passes share one set of kernels and one plan.
#pragma once

#include <cstddef>

#include "bpqp/executor.hpp"
#include "cuda/block_group.cuh"
#include "cuda/cuda_check.cuh"
#include "cuda/device_batch.cuh"
#include "cuda/tile_group.cuh"
#include "kernels/admm_solve.hpp"

namespace bpqp::cuda {

constexpr int default_block_size = 128;
constexpr int max_block_size = 256;  // Executor::with_block_size's upper limit

// Where a forward pass writes: per problem x, y and report; the device entry's status
// and iteration count (null on the host entry); the warm start (null: cold).
template <class T>
struct ForwardOutputs {
  T* x;
  T* y;
  kernels::ProblemReport<T>* reports;
  const T* x0;
  const T* y0;
  SolveStatus* status;
  int* iterations;

  // Problem b's part.
  __device__ kernels::ProblemOutput<T> of(int b, int n, int m) const {
    kernels::ProblemOutput<T> out;
    out.x = x + static_cast<std::ptrdiff_t>(b) * n;
    out.y = y + static_cast<std::ptrdiff_t>(b) * m;
    out.report = reports + b;
    if (x0) out.x0 = x0 + static_cast<std::ptrdiff_t>(b) * n;
    if (y0) out.y0 = y0 + static_cast<std::ptrdiff_t>(b) * m;
    return out;
  }
  // The device entry's outputs of problem b, once its report is written (by this same thread).
  template <class Group>
  __device__ void publish(const Group& group, int b) const {
    if (group.rank() == 0 && status) status[b] = reports[b].status;
    if (group.rank() == 0 && iterations) iterations[b] = reports[b].iterations;
  }
};

// A block per problem. WorkspaceInShared: the problem's workspace is the block's
// dynamic shared memory (workspace_bytes of it); otherwise block b's slice of `workspace`.
template <class Job, bool WorkspaceInShared>
__global__ void __launch_bounds__(max_block_size)
    per_problem_block_kernel(Job job, unsigned char* workspace, std::size_t workspace_bytes) {
  __shared__ double scratch[32];
  extern __shared__ __align__(64) unsigned char dynamic_shared[];
  const int b = blockIdx.x;
  unsigned char* const base = WorkspaceInShared ? dynamic_shared : workspace + b * workspace_bytes;
  job(BlockGroup{scratch}, b, base);
}

// Several problems per block, a warp tile of `width` threads each: tile t of block k
// runs problem k·(blockDim.x / width) + t. The workspaces are consecutive slices of
// the block's dynamic shared memory when `in_shared`, of `workspace` (per problem) otherwise.
template <class Job>
__global__ void __launch_bounds__(max_block_size)
    per_problem_tiles_kernel(Job job, int count, int width, bool in_shared, unsigned char* workspace,
                             std::size_t workspace_bytes) {
  extern __shared__ __align__(64) unsigned char dynamic_shared[];
  const int tile = threadIdx.x / width;
  const int b = blockIdx.x * (blockDim.x / width) + tile;
  if (b >= count) return;  // a whole tile leaves: no other tile waits for it
  unsigned char* const base = in_shared ? dynamic_shared + tile * workspace_bytes : workspace + b * workspace_bytes;
  job(TileGroup{width}, b, base);
}

// Where a problem's workspace lives and how its threads are grouped.
struct LaunchPlan {
  std::size_t workspace_bytes;  // per problem, aligned
  bool in_shared;               // in the block's dynamic shared memory (else global)
  int threads_per_problem;      // block size, or tile width when tiles
  int problems_per_block;       // > 1: warp tiles
  int block_threads() const { return threads_per_problem * problems_per_block; }
  std::size_t dynamic_shared_bytes() const { return in_shared ? workspace_bytes * problems_per_block : 0; }
};

// The plan for Job's kernels whose problems need `workspace_bytes` each (the forward's ADMM
// workspace, the backward's).
template <class Job>
LaunchPlan plan_launch_for(std::size_t workspace_bytes, const Executor& executor) {
  LaunchPlan plan;
  plan.workspace_bytes = aligned(workspace_bytes);
  plan.problems_per_block = executor.problems_per_block();
  const bool tiles = plan.problems_per_block > 1;
  plan.threads_per_problem = executor.block_size() > 0 ? executor.block_size() : (tiles ? 32 : default_block_size);
  int shared_optin = 0;
  BPQP_CUDA_CHECK(cudaDeviceGetAttribute(&shared_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, executor.device()));
  const std::size_t static_shared = tiles ? 0 : 32 * sizeof(double);  // BlockGroup's scratch
  plan.in_shared = executor.shared_memory_workspace() &&
                   plan.workspace_bytes * plan.problems_per_block + static_shared <=
                       static_cast<std::size_t>(shared_optin);
  if (plan.in_shared) {
    // The kernel's dynamic shared-memory limit is set to the device's opt-in maximum, the
    // same value whatever the plan: set to this plan's size, a concurrent solver with a
    // smaller plan could lower it between another thread's set and its launch.
    const int bytes = shared_optin - static_cast<int>(static_shared);
    if (tiles)
      BPQP_CUDA_CHECK(
          cudaFuncSetAttribute(per_problem_tiles_kernel<Job>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes));
    else
      BPQP_CUDA_CHECK(cudaFuncSetAttribute(per_problem_block_kernel<Job, true>,
                                           cudaFuncAttributeMaxDynamicSharedMemorySize, bytes));
  }
  return plan;
}

// The plan for Job's kernels, problems of n variables and m constraints (ADMM workspace;
// with_cones: the cone polish's arrays too).
template <class T, class Job>
LaunchPlan plan_launch(int n, int m, const Executor& executor, bool with_cones = false) {
  return plan_launch_for<Job>(kernels::AdmmWorkspace<T>::bytes(n, m, with_cones), executor);
}

// One launch: problems 0 … count − 1 of the job.
template <class Job>
void launch_per_problem(const LaunchPlan& plan, int count, cudaStream_t stream, const Job& job,
                        unsigned char* global_workspace) {
  if (count == 0) return;
  const std::size_t shared_bytes = plan.dynamic_shared_bytes();
  if (plan.problems_per_block > 1) {
    const int blocks = (count + plan.problems_per_block - 1) / plan.problems_per_block;
    per_problem_tiles_kernel<Job><<<blocks, plan.block_threads(), shared_bytes, stream>>>(
        job, count, plan.threads_per_problem, plan.in_shared, global_workspace, plan.workspace_bytes);
  } else if (plan.in_shared) {
    per_problem_block_kernel<Job, true><<<count, plan.block_threads(), shared_bytes, stream>>>(job, nullptr,
                                                                                               plan.workspace_bytes);
  } else {
    per_problem_block_kernel<Job, false><<<count, plan.block_threads(), 0, stream>>>(job, global_workspace,
                                                                                     plan.workspace_bytes);
  }
  BPQP_CUDA_CHECK(cudaGetLastError());
}

// A whole solve per problem (kernels/admm_solve.hpp).
template <class T>
struct SolveJob {
  DeviceBatch<T> batch;
  kernels::AdmmParams<T> params;
  ForwardOutputs<T> outputs;

  template <class Group>
  __device__ void operator()(const Group& group, int b, unsigned char* workspace) const {
    kernels::AdmmWorkspace<T> ws =
        kernels::AdmmWorkspace<T>::carve(workspace, batch.n, batch.m, nullptr, batch.cones.any());
    kernels::admm_solve(group, problem_of(batch, b), params, ws, outputs.of(b, batch.n, batch.m));
    outputs.publish(group, b);
  }
};

}  // namespace bpqp::cuda
