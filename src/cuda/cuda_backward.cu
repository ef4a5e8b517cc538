// CUDA backward: each problem runs kernels/backward.hpp (the same code as the CPU backend)
// as a per-problem Job through the forward's launcher (src/cuda/problem_kernels.cuh): a thread
// block or a warp tile per problem, its workspace in shared memory when it fits, over chunks
// of the batch. Gradients of shared inputs are written per problem and then summed over the
// batch by a second kernel in problem order, so a run gives the same bits every time, chunked
// or not. Two entries share the Job and launch_chunk: host arrays in and host gradients out
// (backward: uploads, copies back, synchronizes; its device buffers are the Solver's when a
// Solver calls it), and device arrays in and out (backward_on_device: enqueued on the caller's
// stream, no copies, no synchronization).
#include <algorithm>
#include <string>
#include <vector>

#include "core/backward_backends.hpp"
#include "cuda/cuda_check.cuh"
#include "cuda/device_batch.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/device_guard.cuh"
#include "cuda/device_memory.cuh"
#include "cuda/device_pointers.cuh"
#include "cuda/device_state.cuh"
#include "cuda/problem_kernels.cuh"

namespace bpqp::cuda {
namespace {

// Elements of one problem's block of gradient k (dP, dq, dA, dl, du: the input's size).
__host__ __device__ inline std::ptrdiff_t gradient_block_size(int k, int n, int m) {
  const std::ptrdiff_t sizes[5] = {static_cast<std::ptrdiff_t>(n) * n, n, static_cast<std::ptrdiff_t>(m) * n, m, m};
  return sizes[k];
}

// The device arrays of one chunk of problems; problem b of the chunk reads its inputs
// at b·stride and its other arrays at b·(their size per problem).
template <class T>
struct BackwardChunk {
  DeviceBatch<T> batch;
  const T* x;
  const T* y;
  const SolveStatus* forward_status;
  const T* dl_dx;
  const T* dl_dy;  // null: L does not depend on y*
  T* gradients[5];  // per-problem blocks of dP, dq, dA, dl, du; null: not wanted
  T* sums[5];       // non-null: gradient k is a shared input's; its blocks are added into sums[k]
  kernels::BackwardReport<T>* reports;
  unsigned char* workspace;  // a backward workspace per problem
  BackwardStatus* status_out;  // the device entry's outputs, null for the host entry
  int* active_rows_out;
};

__device__ inline bool forward_solved(SolveStatus s) {
  return s == SolveStatus::solved || s == SolveStatus::solved_inaccurate;
}

// One problem's backward (the per-problem launcher's Job). Writes every element of every
// wanted gradient block (zeros for an unsolved problem), so that neither entry clears the
// outputs first.
template <class T>
struct BackwardJob {
  BackwardChunk<T> chunk;
  kernels::BackwardParams<T> params;

  template <class Group>
  __device__ void operator()(const Group& group, int b, unsigned char* workspace) const {
    const DeviceBatch<T>& batch = chunk.batch;
    const int n = batch.n, m = batch.m;
    kernels::GradientOutput<T> out;
    T** slots[5] = {&out.dP, &out.dq, &out.dA, &out.dl, &out.du};
    for (int k = 0; k < 5; ++k)
      if (chunk.gradients[k]) *slots[k] = chunk.gradients[k] + b * gradient_block_size(k, n, m);
    if (forward_solved(chunk.forward_status[b])) {
      kernels::BackwardWorkspace<T> ws =
          kernels::BackwardWorkspace<T>::carve(workspace, n, m, params.use_admm, nullptr, batch.cones.any());
      kernels::BackwardInput<T> in;
      in.problem = problem_of(batch, b);
      in.x = chunk.x + static_cast<std::ptrdiff_t>(b) * n;
      in.y = chunk.y + static_cast<std::ptrdiff_t>(b) * m;
      in.dl_dx = chunk.dl_dx + static_cast<std::ptrdiff_t>(b) * n;
      in.dl_dy = chunk.dl_dy ? chunk.dl_dy + static_cast<std::ptrdiff_t>(b) * m : nullptr;
      kernels::backward_problem(group, in, params, ws, out, chunk.reports + b);
    } else {  // zero gradients, and the reason
      kernels::zero_gradients(group, n, m, out);
      kernels::BackwardReport<T> report;
      report.status = BackwardStatus::forward_not_solved;
      kernels::finish_backward(group, report, chunk.reports + b);
    }
    // The device entry's outputs (the report was written by this same rank).
    if (group.rank() == 0 && chunk.status_out) chunk.status_out[b] = chunk.reports[b].status;
    if (group.rank() == 0 && chunk.active_rows_out) chunk.active_rows_out[b] = chunk.reports[b].active_rows;
  }
};

// total[e] += Σ_b blocks[b·size + e], in problem order (deterministic, and the same
// additions whatever the chunks: each chunk continues the running sum).
template <class T>
__global__ void sum_over_problems(const T* blocks, std::ptrdiff_t size, int count, T* total) {
  for (std::ptrdiff_t e = blockIdx.x * static_cast<std::ptrdiff_t>(blockDim.x) + threadIdx.x; e < size;
       e += static_cast<std::ptrdiff_t>(gridDim.x) * blockDim.x) {
    T sum = total[e];
    for (int b = 0; b < count; ++b) sum += blocks[b * size + e];
    total[e] = sum;
  }
}

// What every chunk's launch of a call shares: the per-problem plan (workspace size and
// placement, block or warp tiles: the executor's, as for the forward), the parameters, the stream.
template <class T>
struct BackwardLaunch {
  kernels::BackwardParams<T> params;
  LaunchPlan plan;
  cudaStream_t stream;
  std::size_t global_workspace_bytes() const { return plan.in_shared ? 0 : plan.workspace_bytes; }
};

template <class T>
BackwardLaunch<T> plan_backward(int n, int m, const kernels::BackwardParams<T>& params, const Executor& executor,
                                bool with_cones) {
  const std::size_t bytes = kernels::BackwardWorkspace<T>::bytes(n, m, params.use_admm, with_cones);
  return {params, plan_launch_for<BackwardJob<T>>(bytes, executor), static_cast<cudaStream_t>(executor.stream())};
}

// Which gradients a call computes, and which of them are summed over the batch: a
// shared input's (batch stride 0), unless the batch is one problem, whose block is its own.
struct GradientPlan {
  int n = 0, m = 0;
  bool wanted[5] = {};  // requested and not empty
  bool summed[5] = {};
  std::ptrdiff_t size(int k) const { return gradient_block_size(k, n, m); }
};

template <class T>
GradientPlan plan_gradients(const QpBatchView<T>& batch, const bool (&requested)[5]) {
  HostInput<T> inputs[5];
  host_inputs(batch, inputs);  // the lone-problem rule for what counts as shared
  GradientPlan plan;
  plan.n = batch.n;
  plan.m = batch.m;
  for (int k = 0; k < 5; ++k) {
    plan.wanted[k] = requested[k] && plan.size(k) > 0;
    plan.summed[k] = plan.wanted[k] && inputs[k].shared();
  }
  return plan;
}

// Our own per-chunk device arrays: each problem's report and workspace, and the blocks
// of the gradients that do not go straight to where the caller wants them (the host
// entry: every wanted one, copied back later; the device entry: the summed ones, whose
// destination holds the sum only).
template <class T>
class ChunkScratch {
 public:
  ChunkScratch(const GradientPlan& plan, const bool (&own_blocks)[5], std::size_t workspace_bytes)
      : plan_(plan), workspace_bytes_(workspace_bytes) {
    std::copy(own_blocks, own_blocks + 5, own_);
  }
  std::size_t bytes_per_problem() const {
    std::size_t bytes = sizeof(kernels::BackwardReport<T>) + workspace_bytes_;
    for (int k = 0; k < 5; ++k)
      if (own_[k]) bytes += plan_.size(k) * sizeof(T);
    return bytes;
  }
  void lay_out(int chunk, BufferLayout& layout) {
    const std::size_t problems = static_cast<std::size_t>(chunk);
    reports_at_ = layout.add(problems * sizeof(kernels::BackwardReport<T>));
    workspace_at_ = layout.add(problems * workspace_bytes_);
    for (int k = 0; k < 5; ++k) blocks_at_[k] = own_[k] ? layout.add(problems * plan_.size(k) * sizeof(T)) : 0;
  }
  // Points the chunk's reports, workspace and our gradient blocks into `base`.
  void place(unsigned char* base, BackwardChunk<T>& chunk) const {
    chunk.reports = at_offset<kernels::BackwardReport<T>>(base, reports_at_);
    chunk.workspace = base + workspace_at_;
    for (int k = 0; k < 5; ++k)
      if (own_[k]) chunk.gradients[k] = at_offset<T>(base, blocks_at_[k]);
  }

 private:
  GradientPlan plan_;
  std::size_t workspace_bytes_;
  bool own_[5] = {};
  std::size_t reports_at_ = 0, workspace_at_ = 0, blocks_at_[5] = {};
};

// The sums accumulate over the chunks: they start at zero.
template <class T>
void clear_sums(const BackwardChunk<T>& chunk, const GradientPlan& plan, cudaStream_t stream) {
  for (int k = 0; k < 5; ++k)
    if (chunk.sums[k]) BPQP_CUDA_CHECK(cudaMemsetAsync(chunk.sums[k], 0, plan.size(k) * sizeof(T), stream));
}

// The backward of `count` problems: the per-problem kernel, then the sums of the shared gradients.
template <class T>
void launch_chunk(const BackwardLaunch<T>& launch, const BackwardChunk<T>& chunk, int count) {
  if (count == 0) return;
  launch_per_problem(launch.plan, count, launch.stream, BackwardJob<T>{chunk, launch.params}, chunk.workspace);
  const int n = chunk.batch.n, m = chunk.batch.m;
  for (int k = 0; k < 5; ++k) {
    if (!chunk.sums[k]) continue;
    const std::ptrdiff_t size = gradient_block_size(k, n, m);
    const int threads = 256;
    const int blocks = static_cast<int>(std::min<std::ptrdiff_t>(1024, (size + threads - 1) / threads));
    sum_over_problems<T><<<blocks, threads, 0, launch.stream>>>(chunk.gradients[k], size, count, chunk.sums[k]);
    BPQP_CUDA_CHECK(cudaGetLastError());
  }
}

}  // namespace

template <class T>
void backward(const QpBatchView<T>& batch, const SolveResult<T>& forward, const T* dl_dx, const T* dl_dy,
              const kernels::BackwardParams<T>& params, const Executor& executor, DeviceStatePtr& state,
              Gradients<T>& result) {
  if (!cuda_available()) throw CudaUnavailable(std::string("backward on Executor::cuda: ") + cuda_unavailable_reason());
  const int n = batch.n, m = batch.m, count = batch.batch;
  result.status.assign(count, BackwardStatus::ok);
  result.active_rows.assign(count, 0);
  if (count == 0) return;
  DeviceGuard guard(executor.device());
  if (!state) state.reset(new DeviceState);
  const BackwardLaunch<T> launch = plan_backward(n, m, params, executor, batch.cone_count > 0);
  cudaStream_t stream = launch.stream;
  PackedInputs<T> inputs(batch);
  std::vector<T>* outputs[5] = {&result.dP, &result.dq, &result.dA, &result.dl, &result.du};
  bool requested[5];
  for (int k = 0; k < 5; ++k) requested[k] = !outputs[k]->empty();
  const GradientPlan plan = plan_gradients(batch, requested);
  ChunkScratch<T> scratch(plan, plan.wanted, launch.global_workspace_bytes());  // every block goes back to the host

  // Device memory per problem of a chunk: its inputs, x, y, ∂L/∂x, ∂L/∂y, forward
  // status and our scratch; once: the shared inputs and the sums.
  std::size_t shared_bytes = inputs.shared_bytes();
  for (int k = 0; k < 5; ++k)
    if (plan.summed[k]) shared_bytes += aligned(plan.size(k) * sizeof(T));
  const std::size_t per_problem = inputs.bytes_per_problem() + scratch.bytes_per_problem() +
                                  (2 * n + (dl_dy ? 2 : 1) * m) * sizeof(T) + sizeof(SolveStatus);
  const std::size_t overhead = 24 * device_alignment;
  // What the state already holds is reused: it counts as free.
  const std::size_t limit = device_memory_budget(executor.device_memory_limit(),
                                                 state->backward_shared.size() + state->backward_chunk.size());
  const int chunk_size = problems_per_chunk(count, per_problem, shared_bytes + overhead, limit, "CUDA backward", n, m);

  BufferLayout layout, shared_layout;
  inputs.lay_out(chunk_size, layout, shared_layout);
  scratch.lay_out(chunk_size, layout);
  std::size_t sum_at[5];
  for (int k = 0; k < 5; ++k) sum_at[k] = plan.summed[k] ? shared_layout.add(plan.size(k) * sizeof(T)) : 0;
  const std::size_t rows = static_cast<std::size_t>(chunk_size);
  const std::size_t x_at = layout.add(rows * n * sizeof(T));
  const std::size_t y_at = layout.add(rows * m * sizeof(T));
  const std::size_t dl_dx_at = layout.add(rows * n * sizeof(T));
  const std::size_t dl_dy_at = dl_dy ? layout.add(rows * m * sizeof(T)) : 0;
  const std::size_t status_at = layout.add(rows * sizeof(SolveStatus));
  state->backward_shared.reserve(std::max<std::size_t>(1, shared_layout.bytes()));
  state->backward_chunk.reserve(layout.bytes());
  unsigned char* const shared_base = state->backward_shared.data();
  unsigned char* const base = state->backward_chunk.data();
  auto at = [](unsigned char* p, std::size_t offset) { return at_offset<T>(p, offset); };

  // Every chunk is packed at the start of the chunk buffer: one set of pointers serves them all.
  BackwardChunk<T> chunk{};
  chunk.batch = inputs.place(shared_base, base, stream);
  chunk.batch.cones = state->cones.place(batch, stream);
  chunk.x = at(base, x_at);
  chunk.y = at(base, y_at);
  chunk.forward_status = at_offset<SolveStatus>(base, status_at);
  chunk.dl_dx = at(base, dl_dx_at);
  chunk.dl_dy = dl_dy ? at(base, dl_dy_at) : nullptr;
  scratch.place(base, chunk);
  for (int k = 0; k < 5; ++k) chunk.sums[k] = plan.summed[k] ? at(shared_base, sum_at[k]) : nullptr;
  clear_sums(chunk, plan, stream);
  const HostInput<T> x_host{forward.x.data(), n, n}, y_host{forward.y.data(), m, m}, dl_dx_host{dl_dx, n, n},
      dl_dy_host{dl_dy, m, m};
  std::vector<kernels::BackwardReport<T>> host_reports(count);

  for (int first = 0; first < count; first += chunk_size) {
    const int this_chunk = std::min(chunk_size, count - first);
    inputs.upload_chunk(first, this_chunk, stream);
    upload_rows(at(base, x_at), x_host, first, this_chunk, stream);
    upload_rows(at(base, y_at), y_host, first, this_chunk, stream);
    upload_rows(at(base, dl_dx_at), dl_dx_host, first, this_chunk, stream);
    if (dl_dy) upload_rows(at(base, dl_dy_at), dl_dy_host, first, this_chunk, stream);
    BPQP_CUDA_CHECK(cudaMemcpyAsync(at_offset<SolveStatus>(base, status_at), forward.status.data() + first,
                                    this_chunk * sizeof(SolveStatus), cudaMemcpyHostToDevice, stream));
    launch_chunk(launch, chunk, this_chunk);
    // Into the host result; the next chunk's uploads are ordered after these on the stream.
    for (int k = 0; k < 5; ++k)
      if (plan.wanted[k] && !plan.summed[k])
        BPQP_CUDA_CHECK(cudaMemcpyAsync(outputs[k]->data() + static_cast<std::size_t>(first) * plan.size(k),
                                        chunk.gradients[k], this_chunk * plan.size(k) * sizeof(T),
                                        cudaMemcpyDeviceToHost, stream));
    BPQP_CUDA_CHECK(cudaMemcpyAsync(host_reports.data() + first, chunk.reports,
                                    this_chunk * sizeof(kernels::BackwardReport<T>), cudaMemcpyDeviceToHost, stream));
  }
  for (int k = 0; k < 5; ++k)
    if (plan.summed[k])
      BPQP_CUDA_CHECK(cudaMemcpyAsync(outputs[k]->data(), chunk.sums[k], plan.size(k) * sizeof(T),
                                      cudaMemcpyDeviceToHost, stream));
  BPQP_CUDA_CHECK(cudaStreamSynchronize(stream));
  for (int b = 0; b < count; ++b) {
    result.status[b] = host_reports[b].status;
    result.active_rows[b] = host_reports[b].active_rows;
  }
}

template <class T>
void backward_on_device(const QpBatchView<T>& batch, const DeviceSolution<T>& forward, const T* dl_dx,
                        const T* dl_dy, const kernels::BackwardParams<T>& params, const Executor& executor,
                        const DeviceGradients<T>& out) {
  if (!cuda_available()) throw CudaUnavailable(std::string("backward_on_device: ") + cuda_unavailable_reason());
  const int n = batch.n, m = batch.m, count = batch.batch;
  if (count == 0) return;
  DeviceGuard guard(executor.device());
  const char* const entry = "backward_on_device";
  require_device_batch(entry, batch, "device_batch.");
  T* const destinations[5] = {out.dP, out.dq, out.dA, out.dl, out.du};
  const char* const names[5] = {"P", "q", "A", "l", "u"};
  for (int k = 0; k < 5; ++k) require_device_memory(entry, destinations[k], std::string("out.d") + names[k]);
  require_device_memory(entry, forward.x, "forward.x");
  require_device_memory(entry, forward.y, "forward.y");
  require_device_memory(entry, forward.status, "forward.status");
  require_device_memory(entry, dl_dx, "dl_dx");
  require_device_memory(entry, dl_dy, "dl_dy");
  require_device_memory(entry, out.status, "out.status");
  require_device_memory(entry, out.active_rows, "out.active_rows");

  const BackwardLaunch<T> launch = plan_backward(n, m, params, executor, batch.cone_count > 0);
  bool requested[5];
  for (int k = 0; k < 5; ++k) requested[k] = destinations[k] != nullptr;
  const GradientPlan plan = plan_gradients(batch, requested);
  // Per-problem gradients go straight to `out`; only the shared ones need blocks of ours before their sum.
  ChunkScratch<T> scratch(plan, plan.summed, launch.global_workspace_bytes());
  const std::size_t overhead = 8 * device_alignment;
  const std::size_t limit = device_memory_budget(executor.device_memory_limit(), 0);
  const int chunk_size =
      problems_per_chunk(count, scratch.bytes_per_problem(), overhead, limit, "backward_on_device", n, m);
  BufferLayout layout;
  scratch.lay_out(chunk_size, layout);
  const std::size_t cones_at = layout.add(DeviceConeLayout::bytes(batch));
  StreamOrderedBuffer buffer(layout.bytes(), executor.device(), launch.stream);
  const kernels::ConeLayout cones = DeviceConeLayout::place_at(batch, buffer.data() + cones_at, launch.stream);

  BackwardChunk<T> chunk{};
  scratch.place(buffer.data(), chunk);
  for (int k = 0; k < 5; ++k) chunk.sums[k] = plan.summed[k] ? destinations[k] : nullptr;
  clear_sums(chunk, plan, launch.stream);
  for (int first = 0; first < count; first += chunk_size) {
    const std::ptrdiff_t f = first;
    chunk.batch = device_problems_from(batch, first);
    chunk.batch.cones = cones;
    chunk.x = forward.x + f * n;
    chunk.y = forward.y + f * m;
    chunk.forward_status = forward.status + f;
    chunk.dl_dx = dl_dx + f * n;
    chunk.dl_dy = dl_dy ? dl_dy + f * m : nullptr;
    for (int k = 0; k < 5; ++k)
      if (plan.wanted[k] && !plan.summed[k]) chunk.gradients[k] = destinations[k] + f * plan.size(k);
    chunk.status_out = out.status + f;
    chunk.active_rows_out = out.active_rows ? out.active_rows + f : nullptr;
    launch_chunk(launch, chunk, std::min(chunk_size, count - first));
  }
}

template void backward(const QpBatchView<float>&, const SolveResult<float>&, const float*, const float*,
                       const kernels::BackwardParams<float>&, const Executor&, DeviceStatePtr&, Gradients<float>&);
template void backward(const QpBatchView<double>&, const SolveResult<double>&, const double*, const double*,
                       const kernels::BackwardParams<double>&, const Executor&, DeviceStatePtr&, Gradients<double>&);
template void backward_on_device(const QpBatchView<float>&, const DeviceSolution<float>&, const float*, const float*,
                                 const kernels::BackwardParams<float>&, const Executor&, const DeviceGradients<float>&);
template void backward_on_device(const QpBatchView<double>&, const DeviceSolution<double>&, const double*,
                                 const double*, const kernels::BackwardParams<double>&, const Executor&,
                                 const DeviceGradients<double>&);

}  // namespace bpqp::cuda
