// CUDA backward: one thread block per problem runs kernels/backward.hpp (the
// same code as the CPU backend), over chunks sized like the forward's. Gradients
// of shared inputs are written per problem and then summed over the batch by a
// second kernel in problem order, so a run gives the same bits every time.
// Host arrays in, host gradients out (the forward's SolveResult is on the host).
#include <algorithm>
#include <string>
#include <vector>

#include "core/backward_backends.hpp"
#include "cuda/block_group.cuh"
#include "cuda/cuda_check.cuh"
#include "cuda/device_batch.cuh"
#include "cuda/device_buffer.cuh"

namespace bpqp::cuda {
namespace {

constexpr int default_block_size = 128;
constexpr int max_block_size = 256;

// Per-problem gradient blocks of a chunk (packed, stride = the block's size), or null when not wanted.
template <class T>
struct ChunkGradients {
  T* blocks[5];
  std::ptrdiff_t sizes[5];
};

__device__ inline bool forward_solved(SolveStatus s) {
  return s == SolveStatus::solved || s == SolveStatus::solved_inaccurate;
}

template <class T>
__global__ void __launch_bounds__(max_block_size)
    backward_kernel(DeviceBatch<T> batch, const T* x, const T* y, const SolveStatus* forward_status, const T* dl_dx,
                    const T* dl_dy, kernels::BackwardParams<T> params, unsigned char* workspace,
                    std::size_t workspace_bytes, ChunkGradients<T> gradients, kernels::BackwardReport<T>* reports) {
  __shared__ double scratch[32];
  const int b = blockIdx.x;
  const int n = batch.n, m = batch.m;
  BlockGroup group{scratch};
  kernels::GradientOutput<T> out;
  T** slots[5] = {&out.dP, &out.dq, &out.dA, &out.dl, &out.du};
  for (int k = 0; k < 5; ++k)
    if (gradients.blocks[k]) *slots[k] = gradients.blocks[k] + b * gradients.sizes[k];
  if (!forward_solved(forward_status[b])) {  // zero gradients (the blocks were cleared), and says why
    if (threadIdx.x == 0) {
      kernels::BackwardReport<T> report;
      report.status = BackwardStatus::forward_not_solved;
      reports[b] = report;
    }
    return;
  }
  kernels::BackwardWorkspace<T> ws =
      kernels::BackwardWorkspace<T>::carve(workspace + b * workspace_bytes, n, m, params.use_admm);
  kernels::BackwardInput<T> in;
  in.problem = {n, m, batch.P + b * batch.P_stride, batch.q + b * batch.q_stride, batch.A + b * batch.A_stride,
                batch.l + b * batch.l_stride, batch.u + b * batch.u_stride};
  in.x = x + static_cast<std::ptrdiff_t>(b) * n;
  in.y = y + static_cast<std::ptrdiff_t>(b) * m;
  in.dl_dx = dl_dx + static_cast<std::ptrdiff_t>(b) * n;
  in.dl_dy = dl_dy ? dl_dy + static_cast<std::ptrdiff_t>(b) * m : nullptr;
  kernels::backward_problem(group, in, params, ws, out, reports + b);
}

// total[e] += Σ_b blocks[b·size + e], in problem order (deterministic).
template <class T>
__global__ void sum_over_problems(const T* blocks, std::ptrdiff_t size, int count, T* total) {
  for (std::ptrdiff_t e = blockIdx.x * static_cast<std::ptrdiff_t>(blockDim.x) + threadIdx.x; e < size;
       e += static_cast<std::ptrdiff_t>(gridDim.x) * blockDim.x) {
    T sum = total[e];
    for (int b = 0; b < count; ++b) sum += blocks[b * size + e];
    total[e] = sum;
  }
}

}  // namespace

template <class T>
void backward(const QpBatchView<T>& batch, const SolveResult<T>& forward, const T* dl_dx, const T* dl_dy,
              const kernels::BackwardParams<T>& params, const Executor& executor, Gradients<T>& result) {
  if (!cuda_available()) throw CudaUnavailable(std::string("backward on Executor::cuda: ") + cuda_unavailable_reason());
  const int n = batch.n, m = batch.m, count = batch.batch;
  result.status.assign(count, BackwardStatus::ok);
  result.active_rows.assign(count, 0);
  if (count == 0) return;
  DeviceGuard guard(executor.device());
  cudaStream_t stream = static_cast<cudaStream_t>(executor.stream());
  const int block = executor.block_size() > 0 ? executor.block_size() : default_block_size;
  PackedInputs<T> inputs(batch);
  std::vector<T>* outputs[5] = {&result.dP, &result.dq, &result.dA, &result.dl, &result.du};
  const std::ptrdiff_t output_strides[5] = {result.dP_stride, result.dq_stride, result.dA_stride, result.dl_stride,
                                            result.du_stride};
  const bool one = count == 1;  // as for the inputs: a lone problem's gradient is its own block
  auto wanted = [&](int k) { return !outputs[k]->empty(); };
  auto summed = [&](int k) { return wanted(k) && output_strides[k] == 0 && !one; };

  // Device memory per problem of a chunk: its inputs, x, y, ∂L/∂x, ∂L/∂y, forward
  // status, gradient blocks (shared ones too, before the sum), report and workspace.
  std::size_t shared_bytes = inputs.shared_bytes(), per_problem = inputs.bytes_per_problem();
  for (int k = 0; k < 5; ++k) {
    if (wanted(k)) per_problem += inputs[k].size * sizeof(T);
    if (summed(k)) shared_bytes += aligned(inputs[k].size * sizeof(T));
  }
  const std::size_t workspace_bytes = aligned(kernels::BackwardWorkspace<T>::bytes(n, m, params.use_admm));
  per_problem += (2 * n + (dl_dy ? 2 : 1) * m) * sizeof(T) + sizeof(SolveStatus) +
                 sizeof(kernels::BackwardReport<T>) + workspace_bytes;
  const std::size_t overhead = 24 * device_alignment;
  const std::size_t limit = device_memory_budget(executor.device_memory_limit(), 0);
  const int chunk = problems_per_chunk(count, per_problem, shared_bytes + overhead, limit, "CUDA backward", n, m);

  BufferLayout layout, shared_layout;
  inputs.lay_out(chunk, layout, shared_layout);
  std::size_t gradient_at[5], sum_at[5];
  for (int k = 0; k < 5; ++k) {
    const std::size_t bytes = inputs[k].size * sizeof(T);
    gradient_at[k] = wanted(k) ? layout.add(chunk * bytes) : 0;
    sum_at[k] = summed(k) ? shared_layout.add(bytes) : 0;
  }
  const std::size_t x_at = layout.add(static_cast<std::size_t>(chunk) * n * sizeof(T));
  const std::size_t y_at = layout.add(static_cast<std::size_t>(chunk) * m * sizeof(T));
  const std::size_t dl_dx_at = layout.add(static_cast<std::size_t>(chunk) * n * sizeof(T));
  const std::size_t dl_dy_at = dl_dy ? layout.add(static_cast<std::size_t>(chunk) * m * sizeof(T)) : 0;
  const std::size_t status_at = layout.add(static_cast<std::size_t>(chunk) * sizeof(SolveStatus));
  const std::size_t reports_at = layout.add(static_cast<std::size_t>(chunk) * sizeof(kernels::BackwardReport<T>));
  const std::size_t workspace_at = layout.add(static_cast<std::size_t>(chunk) * workspace_bytes);
  DeviceBuffer<unsigned char> shared_buffer(std::max<std::size_t>(1, shared_layout.bytes()));
  DeviceBuffer<unsigned char> chunk_buffer(layout.bytes());
  unsigned char* const shared_base = shared_buffer.data();
  unsigned char* const base = chunk_buffer.data();
  auto at = [](unsigned char* p, std::size_t offset) { return at_offset<T>(p, offset); };

  const DeviceBatch<T> device_batch = inputs.place(shared_base, base, stream);
  ChunkGradients<T> gradients{};
  for (int k = 0; k < 5; ++k) {
    gradients.blocks[k] = wanted(k) ? at(base, gradient_at[k]) : nullptr;
    gradients.sizes[k] = inputs[k].size;
    if (summed(k) && inputs[k].size > 0)
      BPQP_CUDA_CHECK(cudaMemsetAsync(at(shared_base, sum_at[k]), 0, inputs[k].size * sizeof(T), stream));
  }
  const HostInput<T> x_host{forward.x.data(), n, n}, y_host{forward.y.data(), m, m}, dl_dx_host{dl_dx, n, n},
      dl_dy_host{dl_dy, m, m};
  auto* const status = at_offset<SolveStatus>(base, status_at);
  auto* const reports = at_offset<kernels::BackwardReport<T>>(base, reports_at);
  std::vector<kernels::BackwardReport<T>> host_reports(count);

  for (int first = 0; first < count; first += chunk) {
    const int this_chunk = std::min(chunk, count - first);
    inputs.upload_chunk(first, this_chunk, stream);
    for (int k = 0; k < 5; ++k) {
      if (wanted(k) && inputs[k].size > 0)
        BPQP_CUDA_CHECK(cudaMemsetAsync(gradients.blocks[k], 0, this_chunk * inputs[k].size * sizeof(T), stream));
    }
    upload_rows(at(base, x_at), x_host, first, this_chunk, stream);
    upload_rows(at(base, y_at), y_host, first, this_chunk, stream);
    upload_rows(at(base, dl_dx_at), dl_dx_host, first, this_chunk, stream);
    if (dl_dy) upload_rows(at(base, dl_dy_at), dl_dy_host, first, this_chunk, stream);
    BPQP_CUDA_CHECK(cudaMemcpyAsync(status, forward.status.data() + first, this_chunk * sizeof(SolveStatus),
                                    cudaMemcpyHostToDevice, stream));
    backward_kernel<T><<<this_chunk, block, 0, stream>>>(device_batch, at(base, x_at), at(base, y_at), status,
                                                         at(base, dl_dx_at), dl_dy ? at(base, dl_dy_at) : nullptr,
                                                         params, base + workspace_at, workspace_bytes, gradients,
                                                         reports);
    BPQP_CUDA_CHECK(cudaGetLastError());
    for (int k = 0; k < 5; ++k) {
      if (!wanted(k) || inputs[k].size == 0) continue;
      const std::size_t block_bytes = inputs[k].size * sizeof(T);
      if (summed(k)) {
        const int threads = 256;
        const int blocks = static_cast<int>(std::min<std::ptrdiff_t>(1024, (inputs[k].size + threads - 1) / threads));
        sum_over_problems<T><<<blocks, threads, 0, stream>>>(gradients.blocks[k], inputs[k].size, this_chunk,
                                                             at(shared_base, sum_at[k]));
        BPQP_CUDA_CHECK(cudaGetLastError());
      } else {
        BPQP_CUDA_CHECK(cudaMemcpyAsync(outputs[k]->data() + static_cast<std::size_t>(first) * inputs[k].size,
                                        gradients.blocks[k], this_chunk * block_bytes, cudaMemcpyDeviceToHost,
                                        stream));
      }
    }
    BPQP_CUDA_CHECK(cudaMemcpyAsync(host_reports.data() + first, reports,
                                    this_chunk * sizeof(kernels::BackwardReport<T>), cudaMemcpyDeviceToHost, stream));
  }
  for (int k = 0; k < 5; ++k)
    if (summed(k) && inputs[k].size > 0)
      BPQP_CUDA_CHECK(cudaMemcpyAsync(outputs[k]->data(), at(shared_base, sum_at[k]), inputs[k].size * sizeof(T),
                                      cudaMemcpyDeviceToHost, stream));
  BPQP_CUDA_CHECK(cudaStreamSynchronize(stream));
  for (int b = 0; b < count; ++b) {
    result.status[b] = host_reports[b].status;
    result.active_rows[b] = host_reports[b].active_rows;
  }
}

template void backward(const QpBatchView<float>&, const SolveResult<float>&, const float*, const float*,
                       const kernels::BackwardParams<float>&, const Executor&, Gradients<float>&);
template void backward(const QpBatchView<double>&, const SolveResult<double>&, const double*, const double*,
                       const kernels::BackwardParams<double>&, const Executor&, Gradients<double>&);

}  // namespace bpqp::cuda
