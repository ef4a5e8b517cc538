// The sparse path on the GPU (src/core/sparse_backends.hpp): the problems the host staged, one
// thread block each, run kernels/sparse_pcg.hpp — scaling, ADMM with the conjugate gradient on
// its reduced system, termination and certificates — every iteration inside one launch, the
// same code the CPU runs with Settings::sparse_linear_system = conjugate_gradient. The
// products are the kernels' own gathers over the CSC columns of P̄, Ā and Āᵀ (each rank writes
// its own outputs: no atomics), not cuSPARSE calls: those are launched from the host, one per
// product, and an iteration takes several, where here the whole solve is one launch.
#include <cstddef>

#include "core/sparse_backends.hpp"
#include "cuda/cuda_check.cuh"
#include "cuda/device_buffer.cuh"
#include "cuda/device_guard.cuh"
#include "cuda/problem_kernels.cuh"
#include "kernels/sparse_pcg.hpp"

namespace bpqp::cuda {
namespace {

// One staged problem's solve, on device copies of SparsePcgBatch's arrays.
struct SparsePcgJob {
  int n, m;
  long long P_nonzeros, A_nonzeros;
  const int *P_starts, *P_rows, *A_starts, *A_rows, *At_starts, *At_rows, *At_position;
  const double *P_values, *A_values, *At_values, *q, *l, *u, *x0, *y0;
  const unsigned char* warm;
  kernels::AdmmParams<double> params;
  double* x;
  double* y;
  kernels::ProblemReport<double>* reports;

  template <class Group>
  __device__ void operator()(const Group& g, int b, unsigned char* workspace) const {
    const std::ptrdiff_t bn = static_cast<std::ptrdiff_t>(b) * n, bm = static_cast<std::ptrdiff_t>(b) * m;
    kernels::SparseProblemView p;
    p.n = n;
    p.m = m;
    p.P = kernels::CscRef<const double>{n, n, P_starts, P_rows, P_values + b * P_nonzeros};
    p.A = kernels::CscRef<const double>{m, n, A_starts, A_rows, A_values + b * A_nonzeros};
    p.At = kernels::CscRef<const double>{n, m, At_starts, At_rows, At_values + b * A_nonzeros};
    p.q = q + bn;
    p.l = l + bm;
    p.u = u + bm;
    kernels::PcgAdmmWorkspace w =
        kernels::pcg_workspace_over(reinterpret_cast<double*>(workspace), n, m, P_starts, P_rows, A_starts, A_rows,
                                    At_starts, At_rows, At_position);
    const bool start_warm = warm[b] != 0;
    kernels::ProblemReport<double> report;
    report.rho = params.rho;
    const kernels::ProblemOutput<double> out{x + bn, y + bm, reports + b, start_warm ? x0 + bn : nullptr,
                                             start_warm ? y0 + bm : nullptr};
    kernels::sparse_admm_solve(g, p, params, w, report, out);
  }
};

// A device copy of `count` host elements (an empty buffer for none), enqueued on `stream`.
template <class E>
const E* upload(DeviceBuffer<E>& buffer, const E* host, std::size_t count, cudaStream_t stream) {
  buffer.resize(count);
  if (count > 0)
    BPQP_CUDA_CHECK(cudaMemcpyAsync(buffer.data(), host, count * sizeof(E), cudaMemcpyHostToDevice, stream));
  return buffer.data();
}

template <class E>
void download(E* host, const DeviceBuffer<E>& buffer, cudaStream_t stream) {
  if (buffer.size() > 0)
    BPQP_CUDA_CHECK(cudaMemcpyAsync(host, buffer.data(), buffer.size() * sizeof(E), cudaMemcpyDeviceToHost, stream));
}

}  // namespace

void solve_sparse_pcg(const SparsePcgBatch& batch, const kernels::AdmmParams<double>& params, const Executor& executor,
                      double* x, double* y, kernels::ProblemReport<double>* reports) {
  if (batch.count == 0) return;
  const DeviceGuard guard(executor.device());
  const cudaStream_t stream = static_cast<cudaStream_t>(executor.stream());
  const int n = batch.n, m = batch.m;
  const std::size_t count = static_cast<std::size_t>(batch.count);
  const std::size_t P_nonzeros = static_cast<std::size_t>(batch.P_starts[n]);
  const std::size_t A_nonzeros = static_cast<std::size_t>(batch.A_starts[n]);

  DeviceBuffer<int> P_starts, P_rows, A_starts, A_rows, At_starts, At_rows, At_position;
  DeviceBuffer<double> P_values, A_values, At_values, q, l, u, x0, y0;
  DeviceBuffer<unsigned char> warm;
  SparsePcgJob job;
  job.n = n;
  job.m = m;
  job.P_nonzeros = static_cast<long long>(P_nonzeros);
  job.A_nonzeros = static_cast<long long>(A_nonzeros);
  job.P_starts = upload(P_starts, batch.P_starts, n + 1, stream);
  job.P_rows = upload(P_rows, batch.P_rows, P_nonzeros, stream);
  job.A_starts = upload(A_starts, batch.A_starts, n + 1, stream);
  job.A_rows = upload(A_rows, batch.A_rows, A_nonzeros, stream);
  job.At_starts = upload(At_starts, batch.At_starts, m + 1, stream);
  job.At_rows = upload(At_rows, batch.At_rows, A_nonzeros, stream);
  job.At_position = upload(At_position, batch.At_position, A_nonzeros, stream);
  job.P_values = upload(P_values, batch.P_values, count * P_nonzeros, stream);
  job.A_values = upload(A_values, batch.A_values, count * A_nonzeros, stream);
  job.At_values = upload(At_values, batch.At_values, count * A_nonzeros, stream);
  job.q = upload(q, batch.q, count * n, stream);
  job.l = upload(l, batch.l, count * m, stream);
  job.u = upload(u, batch.u, count * m, stream);
  job.x0 = upload(x0, batch.x0, count * n, stream);
  job.y0 = upload(y0, batch.y0, count * m, stream);
  job.warm = upload(warm, batch.warm, count, stream);
  job.params = params;

  // Every array of the workspace starts at zero, as the CPU's does (the same iterates).
  const std::size_t workspace_doubles =
      static_cast<std::size_t>(kernels::pcg_workspace_doubles(n, m, static_cast<int>(P_nonzeros),
                                                              static_cast<int>(A_nonzeros)));
  DeviceBuffer<double> workspace(count * workspace_doubles);
  BPQP_CUDA_CHECK(cudaMemsetAsync(workspace.data(), 0, workspace.size() * sizeof(double), stream));
  DeviceBuffer<double> x_out(count * n), y_out(count * m);
  DeviceBuffer<kernels::ProblemReport<double>> reports_out(count);
  job.x = x_out.data();
  job.y = y_out.data();
  job.reports = reports_out.data();

  const int threads = executor.block_size() > 0 ? executor.block_size() : max_block_size;
  per_problem_block_kernel<SparsePcgJob, false><<<static_cast<unsigned>(count), threads, 0, stream>>>(
      job, reinterpret_cast<unsigned char*>(workspace.data()), workspace_doubles * sizeof(double));
  BPQP_CUDA_CHECK(cudaGetLastError());
  download(x, x_out, stream);
  download(y, y_out, stream);
  download(reports, reports_out, stream);
  BPQP_CUDA_CHECK(cudaStreamSynchronize(stream));
}

}  // namespace bpqp::cuda
