// Y = M·X for column-major matrices: the batch phase's products (one column per problem),
// written so that a compiler vectorizes them under each instruction-set variant's flags
// (src/cpu/problem_kernels_variant.cpp). Eigen's product kernels, compiled once for generic
// x86-64, ran two doubles per instruction there, and an Eigen compiled per variant would
// hand the linker the same Eigen symbols from every variant (which that file must never do);
// this is ours, a template of the group like every kernel.
//
// Register blocking: a block of Rows rows by 4 columns of Y stays in registers while k runs
// over the inner dimension; each k loads Rows entries of M's column k (contiguous) and four
// entries of X, for 4·Rows multiply-adds. Rows is the variant's choice: two vectors' worth,
// so that the block is eight vector accumulators (16 doubles under AVX-512, 8 under AVX2,
// 4 with SSE2's sixteen-byte registers).
#pragma once

#include "kernels/config.hpp"

namespace bpqp::kernels {

// Rows r0 … r0 + Rows − 1 of four columns of Y = M·X, the block in registers.
template <int Rows, class T>
BPQP_HD BPQP_INLINE void multiply_block(int r0, int inner, const T* M, int ldm, const T* const x[4], T* const y[4]) {
  T a0[Rows] = {}, a1[Rows] = {}, a2[Rows] = {}, a3[Rows] = {};
  for (int k = 0; k < inner; ++k) {
    const T* mk = M + static_cast<std::ptrdiff_t>(k) * ldm + r0;
    const T b0 = x[0][k], b1 = x[1][k], b2 = x[2][k], b3 = x[3][k];
    for (int r = 0; r < Rows; ++r) {
      a0[r] += mk[r] * b0;
      a1[r] += mk[r] * b1;
      a2[r] += mk[r] * b2;
      a3[r] += mk[r] * b3;
    }
  }
  for (int r = 0; r < Rows; ++r) {
    y[0][r0 + r] = a0[r];
    y[1][r0 + r] = a1[r];
    y[2][r0 + r] = a2[r];
    y[3][r0 + r] = a3[r];
  }
}

// Y (rows×cols, leading dimension ldy) = M (rows×inner, ldm) · X (inner×cols, ldx). The
// group's threads take blocks of four columns. Rows left over after the full blocks go in
// blocks of Rows/2 and Rows/4 (100 = 6·16 + 4), the last few one by one.
template <int Rows, class Group, class T>
BPQP_HD void multiply_columns(const Group& g, int rows, int inner, int cols, const T* M, int ldm, const T* X, int ldx,
                              T* Y, int ldy) {
  static_assert(Rows % 4 == 0, "the row block halves twice");
  auto x_col = [&](int c) { return X + static_cast<std::ptrdiff_t>(c) * ldx; };
  auto y_col = [&](int c) { return Y + static_cast<std::ptrdiff_t>(c) * ldy; };
  for (int c0 = 4 * g.rank(); c0 < cols; c0 += 4 * g.size()) {
    if (c0 + 4 <= cols) {
      const T* const x[4] = {x_col(c0), x_col(c0 + 1), x_col(c0 + 2), x_col(c0 + 3)};
      T* const y[4] = {y_col(c0), y_col(c0 + 1), y_col(c0 + 2), y_col(c0 + 3)};
      int r0 = 0;
      for (; r0 + Rows <= rows; r0 += Rows) multiply_block<Rows>(r0, inner, M, ldm, x, y);
      if (r0 + Rows / 2 <= rows) {
        multiply_block<Rows / 2>(r0, inner, M, ldm, x, y);
        r0 += Rows / 2;
      }
      if (r0 + Rows / 4 <= rows) {
        multiply_block<Rows / 4>(r0, inner, M, ldm, x, y);
        r0 += Rows / 4;
      }
      for (; r0 < rows; ++r0) multiply_block<1>(r0, inner, M, ldm, x, y);
    } else {
      for (int c = c0; c < cols; ++c) {  // the last columns, fewer than four
        const T* x = x_col(c);
        T* y = y_col(c);
        for (int r = 0; r < rows; ++r) y[r] = T(0);
        for (int k = 0; k < inner; ++k) {
          const T* mk = M + static_cast<std::ptrdiff_t>(k) * ldm;
          const T b = x[k];
          for (int r = 0; r < rows; ++r) y[r] += mk[r] * b;
        }
      }
    }
  }
  g.sync();
}

}  // namespace bpqp::kernels
