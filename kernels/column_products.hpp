// Y = M·X for column-major matrices: the batch phase's products (one column per problem),
// written so that a compiler vectorizes them under each instruction-set variant's flags
// (src/cpu/problem_kernels_variant.cpp). Eigen's product kernels, compiled once for generic
// x86-64, ran two doubles per instruction there, and an Eigen compiled per variant would
// hand the linker the same Eigen symbols from every variant (which that file must never do);
// this is ours, a template of the group like every kernel.
//
// Register blocking: a block of Rows rows by 4 columns of Y stays in registers while k runs
// over the inner dimension; each k loads Rows entries of M's column k (contiguous) and four
// entries of X, for 4·Rows multiply-adds. Rows is the caller's: 16 rows serve
// every CPU variant (src/cpu/problem_kernels_variant.cpp has the measurements).
#pragma once

#include <cstddef>

#include "kernels/config.hpp"

namespace bpqp::kernels {

// Rows r0 … r0 + Rows − 1 of four columns of Y = M·X, the block in registers. The
// accumulators are named arrays, one per column, and X's entries are loaded into scalars
// before the row loop: written as one two-dimensional array indexed through an array of
// column pointers, g++ kept the block in memory (6 GFLOP/s against 66).
template <int Rows, class T>
BPQP_HD BPQP_INLINE void multiply_block(int r0, int inner, const T* M, int ldm, const T* const x[4], T* const y[4]) {
  T a0[Rows] = {}, a1[Rows] = {}, a2[Rows] = {}, a3[Rows] = {};
  const T *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
  for (int k = 0; k < inner; ++k) {
    const T* mk = M + static_cast<std::ptrdiff_t>(k) * ldm + r0;
    const T b0 = x0[k], b1 = x1[k], b2 = x2[k], b3 = x3[k];
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

// Rows r0 … rows − 1 of four columns: full blocks of Rows, then at most one block of each
// smaller power of two (so 100 = 6·16 + 4, 20 = 16 + 4). The smaller blocks are slower
// (g++ vectorizes their inner-dimension loop as a reduction: about 10 GFLOP/s under every
// variant); a product whose M has fewer rows than a block is better left to a packed kernel.
template <int Rows, class T>
BPQP_HD BPQP_INLINE void multiply_rows(int r0, int rows, int inner, const T* M, int ldm, const T* const x[4],
                                       T* const y[4]) {
  for (; r0 + Rows <= rows; r0 += Rows) multiply_block<Rows>(r0, inner, M, ldm, x, y);
  if constexpr (Rows > 1) multiply_rows<Rows / 2>(r0, rows, inner, M, ldm, x, y);
}

// Y (rows×cols, leading dimension ldy) = M (rows×inner, ldm) · X (inner×cols, ldx). The
// group's threads take blocks of four columns.
template <int Rows, class Group, class T>
BPQP_HD void multiply_columns(const Group& g, int rows, int inner, int cols, const T* M, int ldm, const T* X, int ldx,
                              T* Y, int ldy) {
  static_assert(Rows > 0 && (Rows & (Rows - 1)) == 0, "the row block halves down to one row");
  for (int c0 = 4 * g.rank(); c0 < cols; c0 += 4 * g.size()) {
    if (c0 + 4 <= cols) {
      const T* const x[4] = {X + static_cast<std::ptrdiff_t>(c0) * ldx, X + static_cast<std::ptrdiff_t>(c0 + 1) * ldx,
                             X + static_cast<std::ptrdiff_t>(c0 + 2) * ldx, X + static_cast<std::ptrdiff_t>(c0 + 3) * ldx};
      T* const y[4] = {Y + static_cast<std::ptrdiff_t>(c0) * ldy, Y + static_cast<std::ptrdiff_t>(c0 + 1) * ldy,
                       Y + static_cast<std::ptrdiff_t>(c0 + 2) * ldy, Y + static_cast<std::ptrdiff_t>(c0 + 3) * ldy};
      multiply_rows<Rows>(0, rows, inner, M, ldm, x, y);
      continue;
    }
    for (int c = c0; c < cols; ++c) {  // the last columns, fewer than four
      const T* xc = X + static_cast<std::ptrdiff_t>(c) * ldx;
      T* yc = Y + static_cast<std::ptrdiff_t>(c) * ldy;
      for (int r = 0; r < rows; ++r) yc[r] = T(0);
      for (int k = 0; k < inner; ++k) {
        const T* mk = M + static_cast<std::ptrdiff_t>(k) * ldm;
        const T b = xc[k];
        for (int r = 0; r < rows; ++r) yc[r] += mk[r] * b;
      }
    }
  }
  g.sync();
}

}  // namespace bpqp::kernels
