// CUDA forward: one thread block per problem runs the same kernels/admm_solve.hpp
// as the CPU backend, every iteration inside one launch, with the workspace in
// global memory. Host views in, host results out. The batch goes through the
// device in chunks sized to a memory limit (Executor::with_device_memory_limit,
// default half the free memory), so batches larger than the device are solved
// too; the buffers belong to the Solver and are reused by its next solve.
#include <algorithm>
#include <string>
#include <vector>

#include "core/backends.hpp"
#include "cuda/block_group.cuh"
#include "cuda/cuda_check.cuh"
#include "cuda/device_buffer.cuh"
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
constexpr std::size_t alignment = 256;

std::size_t aligned(std::size_t bytes) { return (bytes + alignment - 1) / alignment * alignment; }

template <class T>
struct DeviceBatch {
  int n, m;
  const T *P, *q, *A, *l, *u;
  std::ptrdiff_t P_stride, q_stride, A_stride, l_stride, u_stride;
};

template <class T>
__global__ void __launch_bounds__(max_block_size)
    admm_forward_kernel(DeviceBatch<T> batch, kernels::AdmmParams<T> params, unsigned char* workspace,
                        std::size_t workspace_bytes, T* x, T* y, kernels::ProblemReport<T>* reports, const T* x0,
                        const T* y0) {
  __shared__ double scratch[32];
  const int b = blockIdx.x;
  const int n = batch.n, m = batch.m;
  BlockGroup group{scratch};
  kernels::AdmmWorkspace<T> ws = kernels::AdmmWorkspace<T>::carve(workspace + b * workspace_bytes, n, m);
  kernels::ProblemView<T> problem{n, m, batch.P + b * batch.P_stride, batch.q + b * batch.q_stride,
                                  batch.A + b * batch.A_stride, batch.l + b * batch.l_stride,
                                  batch.u + b * batch.u_stride};
  kernels::ProblemOutput<T> out;
  out.x = x + static_cast<std::ptrdiff_t>(b) * n;
  out.y = y + static_cast<std::ptrdiff_t>(b) * m;
  out.report = reports + b;
  if (x0) out.x0 = x0 + static_cast<std::ptrdiff_t>(b) * n;
  if (y0) out.y0 = y0 + static_cast<std::ptrdiff_t>(b) * m;
  kernels::admm_solve(group, problem, params, ws, out);
}

// Restores the caller's current device on scope exit (bpqp holds no global device state).
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    BPQP_CUDA_CHECK(cudaGetDevice(&previous_));
    BPQP_CUDA_CHECK(cudaSetDevice(device));
  }
  ~DeviceGuard() { cudaSetDevice(previous_); }

 private:
  int previous_ = 0;
};

// One input array of the batch (P, q, A, l or u) as the host view holds it.
template <class T>
struct HostInput {
  const T* data;
  std::ptrdiff_t stride;  // elements between problems; 0: shared
  std::ptrdiff_t size;    // elements per problem
  bool shared() const { return stride == 0; }
};

// Copies problems [first, first + count) of a per-problem input to `dst`, packed.
template <class T>
void upload_rows(T* dst, const HostInput<T>& in, int first, int count, cudaStream_t stream) {
  if (in.size == 0 || count == 0) return;
  const T* src = in.data + static_cast<std::ptrdiff_t>(first) * in.stride;
  const std::size_t row_bytes = in.size * sizeof(T);
  if (in.stride == in.size || count == 1)
    BPQP_CUDA_CHECK(cudaMemcpyAsync(dst, src, row_bytes * count, cudaMemcpyHostToDevice, stream));
  else
    BPQP_CUDA_CHECK(cudaMemcpy2DAsync(dst, row_bytes, src, in.stride * sizeof(T), row_bytes, count,
                                      cudaMemcpyHostToDevice, stream));
}

std::string megabytes(std::size_t bytes) { return std::to_string((bytes + 999999) / 1000000) + " MB"; }

}  // namespace

template <class T>
void solve_forward(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params, const Executor& executor,
                   detail::WarmStart<T> warm, DeviceStatePtr& state, SolveResult<T>& result) {
  if (!cuda_available()) throw CudaUnavailable(std::string("Executor::cuda: ") + cuda_unavailable_reason());
  DeviceGuard guard(executor.device());
  cudaStream_t stream = static_cast<cudaStream_t>(executor.stream());
  if (!state) state.reset(new DeviceState);
  const int n = batch.n, m = batch.m, count = batch.batch;
  const std::ptrdiff_t nn = static_cast<std::ptrdiff_t>(n) * n, mn = static_cast<std::ptrdiff_t>(m) * n;
  const int block = executor.block_size() > 0 ? executor.block_size() : default_block_size;
  const bool batch_of_one = count == 1;  // a lone problem's strides are irrelevant: treat its arrays as per-problem
  HostInput<T> inputs[5] = {{batch.P, batch_of_one ? nn : batch.P_stride, nn},
                            {batch.q, batch_of_one ? n : batch.q_stride, n},
                            {batch.A, batch_of_one ? mn : batch.A_stride, mn},
                            {batch.l, batch_of_one ? m : batch.l_stride, m},
                            {batch.u, batch_of_one ? m : batch.u_stride, m}};

  // Device memory: the shared arrays once, then per problem of a chunk its inputs,
  // outputs (x, y, report; x0, y0 when warm starting) and workspace.
  std::size_t shared_bytes = 0, per_problem = 0;
  for (const HostInput<T>& in : inputs) {
    if (in.shared()) shared_bytes += aligned(in.size * sizeof(T));
    else per_problem += in.size * sizeof(T);
  }
  const std::size_t workspace_bytes = aligned(kernels::AdmmWorkspace<T>::bytes(n, m));
  per_problem += (warm.x ? 2 : 1) * (n + m) * sizeof(T) + sizeof(kernels::ProblemReport<T>) + workspace_bytes;
  const std::size_t chunk_overhead = 16 * alignment;  // the alignment padding of the chunk's arrays
  std::size_t limit = executor.device_memory_limit();
  if (limit == 0) {
    std::size_t free_bytes = 0, total_bytes = 0;
    BPQP_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    // What this solver already holds counts as free: it is reused, not allocated again.
    limit = (free_bytes + state->shared_inputs.size() + state->chunk.size()) / 2;
  }
  if (shared_bytes + chunk_overhead + per_problem > limit)
    throw Error("CUDA forward: one " + std::to_string(n) + "×" + std::to_string(m) + " problem needs " +
                megabytes(per_problem) + " of device memory (inputs, outputs, workspace) besides " +
                megabytes(shared_bytes) + " of shared inputs, over the limit of " + megabytes(limit) +
                " (Executor::with_device_memory_limit; default: half the free memory)");
  const int chunk = static_cast<int>(
      std::min<std::size_t>(count, (limit - shared_bytes - chunk_overhead) / per_problem));

  // Carve the chunk buffer: inputs, warm start, outputs, workspace.
  std::size_t offset = 0;
  auto carve = [&](std::size_t bytes) {
    const std::size_t at = offset;
    offset += aligned(bytes);
    return at;
  };
  std::size_t input_at[5], shared_at[5];
  std::size_t shared_offset = 0;
  for (int k = 0; k < 5; ++k) {
    if (inputs[k].shared()) {
      shared_at[k] = shared_offset;
      shared_offset += aligned(inputs[k].size * sizeof(T));
    } else {
      input_at[k] = carve(static_cast<std::size_t>(chunk) * inputs[k].size * sizeof(T));
    }
  }
  const std::size_t x0_at = warm.x ? carve(static_cast<std::size_t>(chunk) * n * sizeof(T)) : 0;
  const std::size_t y0_at = warm.x ? carve(static_cast<std::size_t>(chunk) * m * sizeof(T)) : 0;
  const std::size_t x_at = carve(static_cast<std::size_t>(chunk) * n * sizeof(T));
  const std::size_t y_at = carve(static_cast<std::size_t>(chunk) * m * sizeof(T));
  const std::size_t reports_at = carve(static_cast<std::size_t>(chunk) * sizeof(kernels::ProblemReport<T>));
  const std::size_t workspace_at = carve(static_cast<std::size_t>(chunk) * workspace_bytes);
  state->shared_inputs.reserve(std::max<std::size_t>(1, shared_offset));
  state->chunk.reserve(offset);
  unsigned char* const shared_base = state->shared_inputs.data();
  unsigned char* const base = state->chunk.data();
  auto at = [](unsigned char* p, std::size_t byte_offset) { return reinterpret_cast<T*>(p + byte_offset); };

  const T* device_input[5];
  std::ptrdiff_t device_stride[5];
  for (int k = 0; k < 5; ++k) {
    if (inputs[k].shared()) {
      device_input[k] = at(shared_base, shared_at[k]);
      device_stride[k] = 0;
      if (inputs[k].size > 0)
        BPQP_CUDA_CHECK(cudaMemcpyAsync(at(shared_base, shared_at[k]), inputs[k].data, inputs[k].size * sizeof(T),
                                        cudaMemcpyHostToDevice, stream));
    } else {
      device_input[k] = at(base, input_at[k]);
      device_stride[k] = inputs[k].size;
    }
  }
  const DeviceBatch<T> device_batch{n,           m,           device_input[0],  device_input[1],  device_input[2],
                                    device_input[3], device_input[4], device_stride[0], device_stride[1],
                                    device_stride[2], device_stride[3], device_stride[4]};

  std::vector<kernels::ProblemReport<T>> host_reports(count);
  result.x.resize(static_cast<std::size_t>(count) * n);
  result.y.resize(static_cast<std::size_t>(count) * m);
  T* const x = at(base, x_at);
  T* const y = at(base, y_at);
  auto* const reports = reinterpret_cast<kernels::ProblemReport<T>*>(base + reports_at);
  for (int first = 0; first < count; first += chunk) {
    const int this_chunk = std::min(chunk, count - first);
    for (int k = 0; k < 5; ++k)
      if (!inputs[k].shared()) upload_rows(at(base, input_at[k]), inputs[k], first, this_chunk, stream);
    if (warm.x) {
      upload_rows(at(base, x0_at), HostInput<T>{warm.x, n, n}, first, this_chunk, stream);
      upload_rows(at(base, y0_at), HostInput<T>{warm.y, m, m}, first, this_chunk, stream);
    }
    admm_forward_kernel<T><<<this_chunk, block, 0, stream>>>(device_batch, params, base + workspace_at,
                                                             workspace_bytes, x, y, reports,
                                                             warm.x ? at(base, x0_at) : nullptr,
                                                             warm.x ? at(base, y0_at) : nullptr);
    BPQP_CUDA_CHECK(cudaGetLastError());
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

template void solve_forward(const QpBatchView<float>&, const kernels::AdmmParams<float>&, const Executor&,
                            detail::WarmStart<float>, DeviceStatePtr&, SolveResult<float>&);
template void solve_forward(const QpBatchView<double>&, const kernels::AdmmParams<double>&, const Executor&,
                            detail::WarmStart<double>, DeviceStatePtr&, SolveResult<double>&);

}  // namespace bpqp::cuda
