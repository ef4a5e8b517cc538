// The sparse path's GPU entry (src/cuda/sparse_pcg_forward.cu; a build without CUDA throws
// CudaUnavailable from src/cuda/cuda_unavailable.cpp). The host driver, src/cpu/sparse_forward.cpp,
// checks each problem's input and stages those that pass; the GPU runs kernels/sparse_pcg.hpp
// on them, one thread block per problem.
#pragma once

#include "bpqp/executor.hpp"
#include "kernels/admm_params.hpp"
#include "kernels/problem_view.hpp"

namespace bpqp::cuda {

// Problems of one sparse pattern, staged in host memory, problem after problem.
struct SparsePcgBatch {
  int n = 0, m = 0;
  int count = 0;  // problems staged
  // The shared patterns: P̄ in full (both triangles), Ā, Āᵀ, and entry k of Ā's place in Āᵀ.
  const int *P_starts = nullptr, *P_rows = nullptr;
  const int *A_starts = nullptr, *A_rows = nullptr;
  const int *At_starts = nullptr, *At_rows = nullptr, *At_position = nullptr;
  // Per problem (count each, contiguous): the user's P values on the full pattern, A's, Aᵀ's,
  // q, l, u, and the warm start x0, y0 (read where warm[k] is 1).
  const double *P_values = nullptr, *A_values = nullptr, *At_values = nullptr;
  const double *q = nullptr, *l = nullptr, *u = nullptr, *x0 = nullptr, *y0 = nullptr;
  const unsigned char* warm = nullptr;
};

// Solves the staged problems on executor's device: x (count × n), y (count × m) and a report
// each, in host memory. Error (naming the CUDA call) when the device fails or lacks memory for
// the batch.
void solve_sparse_pcg(const SparsePcgBatch& batch, const kernels::AdmmParams<double>& params, const Executor& executor,
                      double* x, double* y, kernels::ProblemReport<double>* reports);

}  // namespace bpqp::cuda
