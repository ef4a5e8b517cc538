// One instruction-set variant of the CPU backend's per-problem kernels. CMakeLists.txt
// compiles this file once per variant, with BPQP_CPU_VARIANT set to the variant's name and
// the variant's instruction-set flags (none for generic, -mavx2 -mfma, the AVX-512 set).
//
// Keeping the variants apart at link time is the point of the file's shape: every kernel is
// a template of its thread group, and each variant instantiates them with a group type of
// its own (below), so each instantiation's symbol names its variant. Nothing here may
// instantiate a template outside the variant's namespace (the standard library's
// included): the linker keeps one copy of such a symbol for the whole library, and an
// AVX-512 copy picked for an AVX2-only CPU would crash it. The test cpu_variants_keep_apart
// lists the objects' weak symbols to prove it.
#include "cpu/problem_kernels.hpp"
#include "kernels/column_products.hpp"
#include "kernels/serial_group.hpp"

#ifndef BPQP_CPU_VARIANT
#error "compile with -DBPQP_CPU_VARIANT=generic|avx2|avx512"
#endif
#define BPQP_VARIANT_NAMESPACE_OF(name) variant_##name
#define BPQP_VARIANT_NAMESPACE(name) BPQP_VARIANT_NAMESPACE_OF(name)

namespace bpqp::cpu::BPQP_VARIANT_NAMESPACE(BPQP_CPU_VARIANT) {
namespace {

// The one-thread group, as a type of this variant's own.
struct Group : kernels::SerialGroup {};

template <class T>
void solve(const kernels::ProblemView<T>& problem, const kernels::AdmmParams<T>& params,
           kernels::AdmmWorkspace<T>& ws, const kernels::ProblemOutput<T>& out) {
  kernels::admm_solve(Group{}, problem, params, ws, out);
}

template <class T>
void finish_after_batch_phase(const kernels::ProblemView<T>& problem, const kernels::AdmmParams<T>& params,
                              const kernels::BatchPhaseData<T>& shared, const kernels::PhaseResult<T>& start,
                              kernels::AdmmWorkspace<T>& ws, const kernels::ProblemOutput<T>& out) {
  kernels::finish_after_batch_phase(Group{}, problem, params, shared, start, ws, out);
}

template <class T>
void backward(const kernels::BackwardInput<T>& in, const kernels::BackwardParams<T>& params,
              kernels::BackwardWorkspace<T>& ws, const kernels::GradientOutput<T>& out,
              kernels::BackwardReport<T>* report) {
  kernels::backward_problem(Group{}, in, params, ws, out, report);
}

// The product's row block (kernels/column_products.hpp): 16 rows of a column, double or
// float, for every variant. Measured on 100×100 times 100×1024 (double, GFLOP/s, Eigen's
// generic build 22.8 beside): AVX-512 67, AVX2 34, generic 21. A block of two vectors (8
// doubles under AVX2, 4 with SSE2) made g++ vectorize the inner-dimension loop as a
// reduction instead, 12 GFLOP/s under both. In float 16 rows beat 32 (128 bytes, the block
// before 2026-12-07) under every variant: AVX-512 81 against 62, AVX2 70 against 56, generic
// 33 against 29 (the dense LDLᵀ's chunk, kernels/dense_ldlt.hpp, showed the same).
template <class T>
void multiply(int rows, int inner, int cols, const T* M, int ldm, const T* X, int ldx, T* Y, int ldy) {
  kernels::multiply_columns<column_block_rows<T>()>(Group{}, rows, inner, cols, M, ldm, X, ldx, Y, ldy);
}

template <class T>
constexpr ProblemKernels<T> table{&solve<T>, &finish_after_batch_phase<T>, &backward<T>, &multiply<T>};

}  // namespace

template <class T>
const ProblemKernels<T>& problem_kernels() {
  return table<T>;
}

template const ProblemKernels<float>& problem_kernels<float>();
template const ProblemKernels<double>& problem_kernels<double>();

}  // namespace bpqp::cpu::BPQP_VARIANT_NAMESPACE(BPQP_CPU_VARIANT)
