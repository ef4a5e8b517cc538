// CUDA backend, first step: one thread block per problem runs the same
// kernels/admm_solve.hpp as the CPU backend, all iterations inside one launch,
// with the workspace in global memory. Host views in, host results out (the
// device-pointer API, the shared-memory path and the shared-data GEMM path
// are the CUDA backend's own issue).
#include <algorithm>
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
namespace {

constexpr int block_size = 128;

// Problem arrays on the device: one copy when the batch shares the array.
template <class T>
struct DeviceArray {
  DeviceBuffer<T> buffer;
  std::ptrdiff_t stride = 0;
};

template <class T>
void upload(DeviceArray<T>& dst, const T* src, std::ptrdiff_t stride, std::ptrdiff_t size, int batch,
            cudaStream_t stream) {
  const std::ptrdiff_t copies = stride == 0 ? 1 : batch;
  dst.buffer.resize(static_cast<std::size_t>(std::max<std::ptrdiff_t>(1, copies * size)));
  dst.stride = stride == 0 ? 0 : size;
  if (size == 0) return;
  if (stride == 0 || stride == size || batch == 1) {  // contiguous (a lone problem's stride is irrelevant)
    BPQP_CUDA_CHECK(cudaMemcpyAsync(dst.buffer.data(), src, copies * size * sizeof(T), cudaMemcpyHostToDevice, stream));
  } else {
    BPQP_CUDA_CHECK(cudaMemcpy2DAsync(dst.buffer.data(), size * sizeof(T), src, stride * sizeof(T), size * sizeof(T),
                                      batch, cudaMemcpyHostToDevice, stream));
  }
}

template <class T>
struct DeviceBatch {
  int n, m;
  const T *P, *q, *A, *l, *u;
  std::ptrdiff_t P_stride, q_stride, A_stride, l_stride, u_stride;
};

template <class T>
__global__ void __launch_bounds__(block_size) admm_forward_kernel(DeviceBatch<T> batch, kernels::AdmmParams<T> params, int first, int count,
                                    unsigned char* workspace, std::size_t workspace_bytes, T* x, T* y,
                                    kernels::ProblemReport<T>* reports, const T* x0, const T* y0) {
  __shared__ double scratch[32];
  const int local = blockIdx.x;
  if (local >= count) return;
  const int b = first + local;
  const int n = batch.n, m = batch.m;
  BlockGroup group{scratch};
  kernels::AdmmWorkspace<T> ws = kernels::AdmmWorkspace<T>::carve(workspace + local * workspace_bytes, n, m);
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

}  // namespace

template <class T>
void solve_forward(const QpBatchView<T>& batch, const kernels::AdmmParams<T>& params, const Executor& executor,
                   detail::WarmStart<T> warm, SolveResult<T>& result) {
  if (!cuda_available()) throw CudaUnavailable(std::string("Executor::cuda: ") + cuda_unavailable_reason());
  DeviceGuard guard(executor.device());
  cudaStream_t stream = static_cast<cudaStream_t>(executor.stream());
  const int n = batch.n, m = batch.m, count = batch.batch;
  const std::ptrdiff_t nn = static_cast<std::ptrdiff_t>(n) * n, mn = static_cast<std::ptrdiff_t>(m) * n;

  DeviceArray<T> P, q, A, l, u;
  upload(P, batch.P, batch.P_stride, nn, count, stream);
  upload(q, batch.q, batch.q_stride, n, count, stream);
  upload(A, batch.A, batch.A_stride, mn, count, stream);
  upload(l, batch.l, batch.l_stride, m, count, stream);
  upload(u, batch.u, batch.u_stride, m, count, stream);
  DeviceBuffer<T> x(std::max<std::size_t>(1, static_cast<std::size_t>(count) * n));
  DeviceBuffer<T> y(std::max<std::size_t>(1, static_cast<std::size_t>(count) * m));
  DeviceBuffer<kernels::ProblemReport<T>> reports(std::max(1, count));
  DeviceBuffer<T> x0, y0;
  if (warm.x) {
    x0.resize(x.size());
    y0.resize(y.size());
    const std::size_t x_bytes = static_cast<std::size_t>(count) * n * sizeof(T);
    const std::size_t y_bytes = static_cast<std::size_t>(count) * m * sizeof(T);
    if (x_bytes > 0) BPQP_CUDA_CHECK(cudaMemcpyAsync(x0.data(), warm.x, x_bytes, cudaMemcpyHostToDevice, stream));
    if (y_bytes > 0) BPQP_CUDA_CHECK(cudaMemcpyAsync(y0.data(), warm.y, y_bytes, cudaMemcpyHostToDevice, stream));
  }

  // Workspace for a chunk of problems at a time, at most a quarter of the free memory.
  const std::size_t bytes = (kernels::AdmmWorkspace<T>::bytes(n, m) + 255) / 256 * 256;
  std::size_t free_bytes = 0, total_bytes = 0;
  BPQP_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  const std::size_t fit = std::max<std::size_t>(1, free_bytes / 4 / bytes);
  const int chunk = static_cast<int>(std::min<std::size_t>(fit, static_cast<std::size_t>(std::max(1, count))));
  DeviceBuffer<unsigned char> workspace(chunk * bytes);

  DeviceBatch<T> device_batch{n, m, P.buffer.data(), q.buffer.data(), A.buffer.data(), l.buffer.data(),
                              u.buffer.data(), P.stride, q.stride, A.stride, l.stride, u.stride};
  for (int first = 0; first < count; first += chunk) {
    const int this_chunk = std::min(chunk, count - first);
    admm_forward_kernel<T><<<this_chunk, block_size, 0, stream>>>(device_batch, params, first, this_chunk,
                                                                  workspace.data(), bytes, x.data(), y.data(),
                                                                  reports.data(), warm.x ? x0.data() : nullptr,
                                                                  warm.y ? y0.data() : nullptr);
    BPQP_CUDA_CHECK(cudaGetLastError());
  }

  std::vector<kernels::ProblemReport<T>> host_reports(count);
  result.x.resize(static_cast<std::size_t>(count) * n);
  result.y.resize(static_cast<std::size_t>(count) * m);
  BPQP_CUDA_CHECK(cudaMemcpyAsync(result.x.data(), x.data(), result.x.size() * sizeof(T), cudaMemcpyDeviceToHost, stream));
  BPQP_CUDA_CHECK(cudaMemcpyAsync(result.y.data(), y.data(), result.y.size() * sizeof(T), cudaMemcpyDeviceToHost, stream));
  BPQP_CUDA_CHECK(cudaMemcpyAsync(host_reports.data(), reports.data(),
                                  static_cast<std::size_t>(count) * sizeof(kernels::ProblemReport<T>),
                                  cudaMemcpyDeviceToHost, stream));
  BPQP_CUDA_CHECK(cudaStreamSynchronize(stream));
  detail::collect_reports(host_reports, result);
}

template void solve_forward(const QpBatchView<float>&, const kernels::AdmmParams<float>&, const Executor&,
                            detail::WarmStart<float>, SolveResult<float>&);
template void solve_forward(const QpBatchView<double>&, const kernels::AdmmParams<double>&, const Executor&,
                            detail::WarmStart<double>, SolveResult<double>&);

}  // namespace bpqp::cuda
