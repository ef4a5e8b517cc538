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
#include "cuda/allocation_count.hpp"
#include "cuda/cuda_check.cuh"
#include "cuda/device_batch.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/device_guard.cuh"
#include "cuda/device_memory.cuh"
#include "cuda/device_pointers.cuh"
#include "cuda/device_state.cuh"
#include "cuda/problem_kernels.cuh"
#include "cuda/batch_phase_forward.cuh"

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

void DeviceStateDeleter::operator()(DeviceState* state) const { delete state; }

long long device_allocations() { return device_allocation_counter().load(); }

namespace {

// The pass one chunk goes through: every problem solved on its own (SolveJob), or,
// when the batch shares P and A, the batch phase and then the finish per problem.
// The batch phase needs a fixed part (cuBLAS's workspace, K⁻¹, the shared scaling)
// besides its columns: under a memory limit that does not hold it and one problem
// beside the entry's own needs (other_per_problem, other_fixed), every problem takes
// the per-problem pass instead — a limit never turns into an error the per-problem
// pass would not raise.
template <class T>
class ForwardPass {
 public:
  ForwardPass(const QpBatchView<T>& batch, bool batch_phase_enabled, const Executor& executor, std::size_t limit,
              std::size_t other_per_problem, std::size_t other_fixed)
      : n_(batch.n), m_(batch.m), batch_phase_(takes_batch_phase(batch, batch_phase_enabled)) {
    // (The batch phase projects onto boxes only: a batch with cone blocks is solved per problem.)
    if (batch.cone_count > 0) batch_phase_ = false;
    if (batch_phase_) {
      plan_ = plan_finish<T>(n_, m_, executor);
      if (other_fixed + fixed_bytes() + other_per_problem + bytes_per_problem() > limit) batch_phase_ = false;
    }
    // Also the batch phase's fallback: the same workspace size and placement as the finish.
    solve_plan_ = plan_launch<T, SolveJob<T>>(n_, m_, executor, batch.cone_count > 0);
    if (!batch_phase_) plan_ = solve_plan_;
  }
  const LaunchPlan& plan() const { return plan_; }
  // Device memory besides the inputs and outputs: per problem, and once.
  std::size_t bytes_per_problem() const {
    return (plan_.in_shared ? 0 : plan_.workspace_bytes) + (batch_phase_ ? batch_phase_bytes_per_problem<T>(n_, m_) : 0);
  }
  std::size_t fixed_bytes() const { return batch_phase_ ? batch_phase_fixed_bytes<T>(n_, m_) : 0; }

  // Once, before the chunks: the batch phase's memory and the batch's representative q.
  template <class Source>
  void begin(DeviceState& state, int chunk, cudaStream_t stream, const Source& q_source, int count) const {
    if (batch_phase_) begin_batch_phase(state.batch_phase, n_, m_, chunk, stream, q_source, count);
  }

  void run(DeviceState& state, int count, cudaStream_t stream, const DeviceBatch<T>& batch,
           const kernels::AdmmParams<T>& params, const ForwardOutputs<T>& outputs, unsigned char* workspace) const {
    if (batch_phase_ &&
        solve_with_batch_phase(state.batch_phase, plan_, count, stream, batch, params, outputs, workspace))
      return;
    launch_per_problem(solve_plan_, count, stream, SolveJob<T>{batch, params, outputs}, workspace);
  }

 private:
  int n_, m_;
  bool batch_phase_;
  LaunchPlan plan_, solve_plan_;
};

}  // namespace

template <class T>
void solve_forward(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params, bool batch_phase,
                   const Executor& executor, detail::WarmStart<T> warm, DeviceStatePtr& state, SolveResult<T>& result) {
  if (!cuda_available()) throw CudaUnavailable(std::string("Executor::cuda: ") + cuda_unavailable_reason());
  DeviceGuard guard(executor.device());
  cudaStream_t stream = static_cast<cudaStream_t>(executor.stream());
  if (!state) state.reset(new DeviceState);
  const int n = batch.n, m = batch.m, count = batch.batch;
  PackedInputs<T> inputs(batch);

  // Device memory: the shared inputs once, then per problem of a chunk its inputs,
  // outputs (x, y, report; x0, y0 when warm starting) and workspace — which goes to
  // shared memory when the opt-in carve-out holds it (no global memory then).
  // What this solver already holds counts as free: it is reused, not allocated again.
  const std::size_t limit =
      device_memory_budget(executor.device_memory_limit(), state->shared_inputs.size() + state->chunk.size() +
                                                               batch_phase_held_bytes(state->batch_phase));
  const std::size_t io_per_problem =
      inputs.bytes_per_problem() + (warm.x ? 2 : 1) * (n + m) * sizeof(T) + sizeof(kernels::ProblemReport<T>);
  const std::size_t padding = 16 * device_alignment;  // the alignment padding of the chunk's arrays
  const ForwardPass<T> pass(batch, batch_phase, executor, limit, io_per_problem, inputs.shared_bytes() + padding);
  const LaunchPlan& plan = pass.plan();
  const std::size_t per_problem = io_per_problem + pass.bytes_per_problem();
  const std::size_t chunk_overhead = padding + pass.fixed_bytes();
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
  DeviceBatch<T> device_batch = inputs.place(state->shared_inputs.data(), base, stream);
  device_batch.cones = state->cones.place(batch, stream);
  pass.begin(*state, chunk, stream, HostInput<T>{batch.q, count == 1 ? n : batch.q_stride, n}, count);

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
    pass.run(*state, this_chunk, stream, device_batch, params, outputs, base + workspace_at);
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
void solve_forward_on_device(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params, bool batch_phase,
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

  // Only the reports, (outside shared memory) the workspaces and the batch phase need memory of ours.
  const std::size_t limit = device_memory_budget(executor.device_memory_limit(),
                                                 state->chunk.size() + batch_phase_held_bytes(state->batch_phase));
  const std::size_t padding = 4 * device_alignment;
  const ForwardPass<T> pass(batch, batch_phase, executor, limit, sizeof(kernels::ProblemReport<T>), padding);
  const LaunchPlan& plan = pass.plan();
  const std::size_t per_problem = sizeof(kernels::ProblemReport<T>) + pass.bytes_per_problem();
  const std::size_t overhead = padding + pass.fixed_bytes();
  const int chunk = problems_per_chunk(count, per_problem, overhead, limit, "Solver::solve_on_device", n, m);
  BufferLayout layout;
  const std::size_t reports_at = layout.add(static_cast<std::size_t>(chunk) * sizeof(kernels::ProblemReport<T>));
  const std::size_t workspace_at = layout.add(plan.in_shared ? 0 : static_cast<std::size_t>(chunk) * plan.workspace_bytes);
  state->chunk.reserve(layout.bytes());
  unsigned char* const base = state->chunk.data();
  auto* const reports = at_offset<kernels::ProblemReport<T>>(base, reports_at);
  pass.begin(*state, chunk, stream, device_problems_from(batch, 0), count);
  const kernels::ConeLayout cones = state->cones.place(batch, stream);

  for (int first = 0; first < count; first += chunk) {
    const int this_chunk = std::min(chunk, count - first);
    const std::ptrdiff_t f = first;
    DeviceBatch<T> part = device_problems_from(batch, first);
    part.cones = cones;
    const ForwardOutputs<T> outputs{out.x + f * n,  m > 0 ? out.y + f * m : out.y,
                                    reports,        nullptr,
                                    nullptr,        out.status + f,
                                    out.iterations ? out.iterations + f : nullptr};
    pass.run(*state, this_chunk, stream, part, params, outputs, base + workspace_at);
  }
}

template void solve_forward_on_device(const QpBatchView<float>&, const kernels::AdmmParams<float>&, bool,
                                      const Executor&, DeviceStatePtr&, const DeviceSolution<float>&);
template void solve_forward_on_device(const QpBatchView<double>&, const kernels::AdmmParams<double>&, bool,
                                      const Executor&, DeviceStatePtr&, const DeviceSolution<double>&);

template void solve_forward(const QpBatchView<float>&, const kernels::AdmmParams<float>&, bool, const Executor&,
                            detail::WarmStart<float>, DeviceStatePtr&, SolveResult<float>&);
template void solve_forward(const QpBatchView<double>&, const kernels::AdmmParams<double>&, bool, const Executor&,
                            detail::WarmStart<double>, DeviceStatePtr&, SolveResult<double>&);

}  // namespace bpqp::cuda
