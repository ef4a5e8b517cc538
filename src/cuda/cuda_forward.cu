// CUDA forward: one thread block per problem — or a warp tile per problem, several
// tiles per block, for tiny problems — runs the same kernels/admm_solve.hpp as the CPU
// backend, every iteration inside one launch, with the workspace in the block's shared
// memory when it fits and in global memory otherwise.
// Two entries: host views in and host results out (solve_forward: the batch goes
// through the device in chunks sized to a memory limit, so batches larger than the
// device are solved too), and device arrays in and out (solve_forward_on_device:
// enqueued on the caller's stream, no copies, no synchronization). The buffers
// belong to the Solver and are reused by its next solve.
#include <algorithm>
#include <string>
#include <vector>

#include "core/backends.hpp"
#include "cuda/block_group.cuh"
#include "cuda/cuda_check.cuh"
#include "cuda/device_batch.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/tile_group.cuh"
#include "kernels/admm_solve.hpp"

namespace bpqp {

namespace {

// Why no GPU can be used, or nullptr when one can. Computed per call: bpqp keeps no global state.
const char* probe_cuda() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  // Without a driver this is error 35 (cudaErrorInsufficientDriver), not "no device": any error means no GPU.
  if (status != cudaSuccess) {
    cudaGetLastError();
    return "cudaGetDeviceCount failed (no usable driver or device)";
  }
  return count == 0 ? "no CUDA device is present" : nullptr;
}

}  // namespace

bool cuda_available() { return probe_cuda() == nullptr; }

const char* cuda_unavailable_reason() {
  const char* reason = probe_cuda();
  return reason ? reason : "";
}

}  // namespace bpqp

namespace bpqp::cuda {

struct DeviceState {
  DeviceBuffer<unsigned char> shared_inputs;  // the arrays the whole batch shares (batch stride 0)
  DeviceBuffer<unsigned char> chunk;          // per-problem inputs, outputs and workspaces of one chunk
};

void DeviceStateDeleter::operator()(DeviceState* state) const { delete state; }

namespace {

constexpr int default_block_size = 128;
constexpr int max_block_size = 256;  // Executor::with_block_size's upper limit

// Where the kernels write: per problem x, y and report; the device entry's status
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
};

// Problem b's whole solve by `group`, its workspace at `workspace`.
template <class T, class Group>
__device__ void solve_problem(const Group& group, int b, unsigned char* workspace, const DeviceBatch<T>& batch,
                              const kernels::AdmmParams<T>& params, const ForwardOutputs<T>& o) {
  const int n = batch.n, m = batch.m;
  kernels::AdmmWorkspace<T> ws = kernels::AdmmWorkspace<T>::carve(workspace, n, m);
  kernels::ProblemView<T> problem{n, m, batch.P + b * batch.P_stride, batch.q + b * batch.q_stride,
                                  batch.A + b * batch.A_stride, batch.l + b * batch.l_stride,
                                  batch.u + b * batch.u_stride};
  kernels::ProblemOutput<T> out;
  out.x = o.x + static_cast<std::ptrdiff_t>(b) * n;
  out.y = o.y + static_cast<std::ptrdiff_t>(b) * m;
  out.report = o.reports + b;
  if (o.x0) out.x0 = o.x0 + static_cast<std::ptrdiff_t>(b) * n;
  if (o.y0) out.y0 = o.y0 + static_cast<std::ptrdiff_t>(b) * m;
  kernels::admm_solve(group, problem, params, ws, out);
  // The device entry's outputs (the report was written by this same thread).
  if (group.rank() == 0 && o.status) o.status[b] = o.reports[b].status;
  if (group.rank() == 0 && o.iterations) o.iterations[b] = o.reports[b].iterations;
}

// A block per problem. WorkspaceInShared: the problem's workspace is the block's
// dynamic shared memory (workspace_bytes of it); otherwise block b's slice of `workspace`.
template <class T, bool WorkspaceInShared>
__global__ void __launch_bounds__(max_block_size)
    admm_forward_kernel(DeviceBatch<T> batch, kernels::AdmmParams<T> params, unsigned char* workspace,
                        std::size_t workspace_bytes, ForwardOutputs<T> outputs) {
  __shared__ double scratch[32];
  extern __shared__ __align__(64) unsigned char dynamic_shared[];
  const int b = blockIdx.x;
  unsigned char* const base = WorkspaceInShared ? dynamic_shared : workspace + b * workspace_bytes;
  solve_problem(BlockGroup{scratch}, b, base, batch, params, outputs);
}

// Several problems per block, a warp tile of `width` threads each: tile t of block k
// solves problem k·(blockDim.x / width) + t. The workspaces are consecutive slices of
// the block's dynamic shared memory when `in_shared`, of `workspace` (per problem) otherwise.
template <class T>
__global__ void __launch_bounds__(max_block_size)
    admm_forward_tiles_kernel(DeviceBatch<T> batch, kernels::AdmmParams<T> params, int count, int width,
                              bool in_shared, unsigned char* workspace, std::size_t workspace_bytes,
                              ForwardOutputs<T> outputs) {
  extern __shared__ __align__(64) unsigned char dynamic_shared[];
  const int tile = threadIdx.x / width;
  const int b = blockIdx.x * (blockDim.x / width) + tile;
  if (b >= count) return;  // a whole tile leaves: no other tile waits for it
  unsigned char* const base = in_shared ? dynamic_shared + tile * workspace_bytes : workspace + b * workspace_bytes;
  solve_problem(TileGroup{width}, b, base, batch, params, outputs);
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

template <class T>
LaunchPlan plan_launch(int n, int m, const Executor& executor) {
  LaunchPlan plan;
  plan.workspace_bytes = aligned(kernels::AdmmWorkspace<T>::bytes(n, m));
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
    const int bytes = static_cast<int>(plan.dynamic_shared_bytes());
    if (tiles)
      BPQP_CUDA_CHECK(
          cudaFuncSetAttribute(admm_forward_tiles_kernel<T>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes));
    else
      BPQP_CUDA_CHECK(
          cudaFuncSetAttribute(admm_forward_kernel<T, true>, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes));
  }
  return plan;
}

// One launch: `count` problems, problem b of the pointers given.
template <class T>
void launch_forward(const LaunchPlan& plan, int count, cudaStream_t stream, const DeviceBatch<T>& batch,
                    const kernels::AdmmParams<T>& params, unsigned char* global_workspace,
                    const ForwardOutputs<T>& outputs) {
  if (count == 0) return;
  const std::size_t shared_bytes = plan.dynamic_shared_bytes();
  if (plan.problems_per_block > 1) {
    const int blocks = (count + plan.problems_per_block - 1) / plan.problems_per_block;
    admm_forward_tiles_kernel<T><<<blocks, plan.block_threads(), shared_bytes, stream>>>(
        batch, params, count, plan.threads_per_problem, plan.in_shared, global_workspace, plan.workspace_bytes,
        outputs);
  } else if (plan.in_shared) {
    admm_forward_kernel<T, true><<<count, plan.block_threads(), shared_bytes, stream>>>(
        batch, params, nullptr, plan.workspace_bytes, outputs);
  } else {
    admm_forward_kernel<T, false><<<count, plan.block_threads(), 0, stream>>>(batch, params, global_workspace,
                                                                             plan.workspace_bytes, outputs);
  }
  BPQP_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

template <class T>
void solve_forward(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params, const Executor& executor,
                   detail::WarmStart<T> warm, DeviceStatePtr& state, SolveResult<T>& result) {
  if (!cuda_available()) throw CudaUnavailable(std::string("Executor::cuda: ") + cuda_unavailable_reason());
  DeviceGuard guard(executor.device());
  cudaStream_t stream = static_cast<cudaStream_t>(executor.stream());
  if (!state) state.reset(new DeviceState);
  const int n = batch.n, m = batch.m, count = batch.batch;
  PackedInputs<T> inputs(batch);

  // Device memory: the shared inputs once, then per problem of a chunk its inputs,
  // outputs (x, y, report; x0, y0 when warm starting) and workspace — which goes to
  // shared memory when the opt-in carve-out holds it (no global memory then).
  const LaunchPlan plan = plan_launch<T>(n, m, executor);
  const std::size_t per_problem = inputs.bytes_per_problem() + (warm.x ? 2 : 1) * (n + m) * sizeof(T) +
                                  sizeof(kernels::ProblemReport<T>) + (plan.in_shared ? 0 : plan.workspace_bytes);
  const std::size_t chunk_overhead = 16 * device_alignment;  // the alignment padding of the chunk's arrays
  // What this solver already holds counts as free: it is reused, not allocated again.
  const std::size_t limit =
      device_memory_budget(executor.device_memory_limit(), state->shared_inputs.size() + state->chunk.size());
  const int chunk = problems_per_chunk(count, per_problem, inputs.shared_bytes() + chunk_overhead, limit,
                                       "CUDA forward", n, m);

  // The chunk buffer: inputs, warm start, outputs, workspace.
  BufferLayout layout, shared_layout;
  inputs.lay_out(chunk, layout, shared_layout);
  const std::size_t x0_at = warm.x ? layout.add(static_cast<std::size_t>(chunk) * n * sizeof(T)) : 0;
  const std::size_t y0_at = warm.x ? layout.add(static_cast<std::size_t>(chunk) * m * sizeof(T)) : 0;
  const std::size_t x_at = layout.add(static_cast<std::size_t>(chunk) * n * sizeof(T));
  const std::size_t y_at = layout.add(static_cast<std::size_t>(chunk) * m * sizeof(T));
  const std::size_t reports_at = layout.add(static_cast<std::size_t>(chunk) * sizeof(kernels::ProblemReport<T>));
  const std::size_t workspace_at =
      layout.add(plan.in_shared ? 0 : static_cast<std::size_t>(chunk) * plan.workspace_bytes);
  state->shared_inputs.reserve(std::max<std::size_t>(1, shared_layout.bytes()));
  state->chunk.reserve(layout.bytes());
  unsigned char* const base = state->chunk.data();
  auto at = [](unsigned char* p, std::size_t byte_offset) { return at_offset<T>(p, byte_offset); };
  const DeviceBatch<T> device_batch = inputs.place(state->shared_inputs.data(), base, stream);

  std::vector<kernels::ProblemReport<T>> host_reports(count);
  result.x.resize(static_cast<std::size_t>(count) * n);
  result.y.resize(static_cast<std::size_t>(count) * m);
  T* const x = at(base, x_at);
  T* const y = at(base, y_at);
  auto* const reports = at_offset<kernels::ProblemReport<T>>(base, reports_at);
  for (int first = 0; first < count; first += chunk) {
    const int this_chunk = std::min(chunk, count - first);
    inputs.upload_chunk(first, this_chunk, stream);
    if (warm.x) {
      upload_rows(at(base, x0_at), HostInput<T>{warm.x, n, n}, first, this_chunk, stream);
      upload_rows(at(base, y0_at), HostInput<T>{warm.y, m, m}, first, this_chunk, stream);
    }
    const ForwardOutputs<T> outputs{x,       y,      reports, warm.x ? at(base, x0_at) : nullptr,
                                    warm.x ? at(base, y0_at) : nullptr, nullptr, nullptr};
    launch_forward(plan, this_chunk, stream, device_batch, params, base + workspace_at, outputs);
    // Into the host result; the next chunk's uploads are ordered after these on the stream.
    const std::size_t x_bytes = static_cast<std::size_t>(this_chunk) * n * sizeof(T);
    const std::size_t y_bytes = static_cast<std::size_t>(this_chunk) * m * sizeof(T);
    if (x_bytes > 0)
      BPQP_CUDA_CHECK(cudaMemcpyAsync(result.x.data() + static_cast<std::size_t>(first) * n, x, x_bytes,
                                      cudaMemcpyDeviceToHost, stream));
    if (y_bytes > 0)
      BPQP_CUDA_CHECK(cudaMemcpyAsync(result.y.data() + static_cast<std::size_t>(first) * m, y, y_bytes,
                                      cudaMemcpyDeviceToHost, stream));
    BPQP_CUDA_CHECK(cudaMemcpyAsync(host_reports.data() + first, reports,
                                    static_cast<std::size_t>(this_chunk) * sizeof(kernels::ProblemReport<T>),
                                    cudaMemcpyDeviceToHost, stream));
  }
  BPQP_CUDA_CHECK(cudaStreamSynchronize(stream));
  detail::collect_reports(host_reports, result);
}

template <class T>
void solve_forward_on_device(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params,
                             const Executor& executor, DeviceStatePtr& state, const DeviceSolution<T>& out) {
  if (!cuda_available()) throw CudaUnavailable(std::string("Solver::solve_on_device: ") + cuda_unavailable_reason());
  const int n = batch.n, m = batch.m, count = batch.batch;
  if (count == 0) return;
  DeviceGuard guard(executor.device());
  cudaStream_t stream = static_cast<cudaStream_t>(executor.stream());
  if (!state) state.reset(new DeviceState);
  require_device_batch("Solver::solve_on_device", batch, "QpBatchView::");
  require_device_memory("Solver::solve_on_device", out.x, "DeviceSolution::x");
  require_device_memory("Solver::solve_on_device", out.y, "DeviceSolution::y");
  require_device_memory("Solver::solve_on_device", out.status, "DeviceSolution::status");
  require_device_memory("Solver::solve_on_device", out.iterations, "DeviceSolution::iterations");

  // Only the reports and (outside shared memory) the workspaces need memory of ours.
  const LaunchPlan plan = plan_launch<T>(n, m, executor);
  const std::size_t per_problem = sizeof(kernels::ProblemReport<T>) + (plan.in_shared ? 0 : plan.workspace_bytes);
  const std::size_t overhead = 4 * device_alignment;
  const std::size_t limit = device_memory_budget(executor.device_memory_limit(), state->chunk.size());
  const int chunk = problems_per_chunk(count, per_problem, overhead, limit, "Solver::solve_on_device", n, m);
  BufferLayout layout;
  const std::size_t reports_at = layout.add(static_cast<std::size_t>(chunk) * sizeof(kernels::ProblemReport<T>));
  const std::size_t workspace_at = layout.add(plan.in_shared ? 0 : static_cast<std::size_t>(chunk) * plan.workspace_bytes);
  state->chunk.reserve(layout.bytes());
  unsigned char* const base = state->chunk.data();
  auto* const reports = at_offset<kernels::ProblemReport<T>>(base, reports_at);

  for (int first = 0; first < count; first += chunk) {
    const int this_chunk = std::min(chunk, count - first);
    const std::ptrdiff_t f = first;
    const DeviceBatch<T> part = device_problems_from(batch, first);
    const ForwardOutputs<T> outputs{out.x + f * n,  m > 0 ? out.y + f * m : out.y,
                                    reports,        nullptr,
                                    nullptr,        out.status + f,
                                    out.iterations ? out.iterations + f : nullptr};
    launch_forward(plan, this_chunk, stream, part, params, base + workspace_at, outputs);
  }
}

template void solve_forward_on_device(const QpBatchView<float>&, const kernels::AdmmParams<float>&, const Executor&,
                                      DeviceStatePtr&, const DeviceSolution<float>&);
template void solve_forward_on_device(const QpBatchView<double>&, const kernels::AdmmParams<double>&,
                                      const Executor&, DeviceStatePtr&, const DeviceSolution<double>&);

template void solve_forward(const QpBatchView<float>&, const kernels::AdmmParams<float>&, const Executor&,
                            detail::WarmStart<float>, DeviceStatePtr&, SolveResult<float>&);
template void solve_forward(const QpBatchView<double>&, const kernels::AdmmParams<double>&, const Executor&,
                            detail::WarmStart<double>, DeviceStatePtr&, SolveResult<double>&);

}  // namespace bpqp::cuda
