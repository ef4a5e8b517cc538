// The CPU backend's per-problem kernels — one problem's forward solve, its finish after the
// shared-data batch phase, its backward pass — and the batch phase's matrix product, as a
// table of function pointers, one table per instruction-set variant
// (include/bpqp/cpu_isa.hpp). Each variant is src/cpu/problem_kernels_variant.cpp compiled
// with its own flags; the workers call through the table of the variant in use, once per
// problem.
#pragma once

#include "bpqp/cpu_isa.hpp"
#include "kernels/backward.hpp"
#include "kernels/batch_phase_finish.hpp"

namespace bpqp::cpu {

template <class T>
struct ProblemKernels {
  void (*solve)(const kernels::ProblemView<T>& problem, const kernels::AdmmParams<T>& params,
                kernels::AdmmWorkspace<T>& ws, const kernels::ProblemOutput<T>& out);
  void (*finish_after_batch_phase)(const kernels::ProblemView<T>& problem, const kernels::AdmmParams<T>& params,
                                   const kernels::BatchPhaseData<T>& shared, const kernels::PhaseResult<T>& start,
                                   kernels::AdmmWorkspace<T>& ws, const kernels::ProblemOutput<T>& out);
  void (*backward)(const kernels::BackwardInput<T>& in, const kernels::BackwardParams<T>& params,
                   kernels::BackwardWorkspace<T>& ws, const kernels::GradientOutput<T>& out,
                   kernels::BackwardReport<T>* report);
  // Y = M·X, column-major (kernels/column_products.hpp).
  void (*multiply)(int rows, int inner, int cols, const T* M, int ldm, const T* X, int ldx, T* Y, int ldy);
};

// The column product's row block: 16 rows of either type (problem_kernels_variant.cpp says
// why). Below it a product has only the smaller blocks, where g++'s code runs at 10 GFLOP/s
// against the 14 of Eigen's packed kernel, so the batch phase leaves products with fewer rows
// to Eigen.
template <class T>
constexpr int column_block_rows() {
  return 16;
}

// The table of the variant cpu_isa() names (so, like it, it may throw std::invalid_argument).
template <class T>
const ProblemKernels<T>& problem_kernels();

// One variant's tables, defined in its compilation of problem_kernels_variant.cpp. The
// namespace keeps every symbol of a variant apart: an inline function or template
// instantiated under two sets of flags must never be merged into one by the linker.
#define BPQP_DECLARE_VARIANT(name)                         \
  namespace variant_##name {                               \
  template <class T>                                       \
  const ProblemKernels<T>& problem_kernels();              \
  extern template const ProblemKernels<float>& problem_kernels<float>();   \
  extern template const ProblemKernels<double>& problem_kernels<double>(); \
  }
BPQP_DECLARE_VARIANT(generic)
BPQP_DECLARE_VARIANT(avx2)
BPQP_DECLARE_VARIANT(avx512)
#undef BPQP_DECLARE_VARIANT

}  // namespace bpqp::cpu
