// A batch's cone blocks as the kernels read them. The forward solves an internal row order:
// the box rows first (in the user's order), then each block's rows, block after block, so
// that a box loop runs over rows [0, m − cone_rows) and a cone loop over whole blocks, with
// no per-row test in the ADMM iteration (a QP has no blocks and the identity order: its
// loops are what they were; a default ConeLayout is that). The order is the same for every
// problem: the host builds it once per batch (build_cone_layout) and the kernels read it.
#pragma once

#include "bpqp/cones.hpp"
#include "kernels/config.hpp"

namespace bpqp::kernels {

struct ConeLayout {
  int count = 0;                        // blocks
  int cone_rows = 0;                    // rows inside blocks (the last cone_rows internal rows)
  const ConeBlock* blocks = nullptr;    // count: the user's blocks (rows, dimension, kind)
  const int* row_order = nullptr;       // m: internal row r is user row row_order[r]; null: the identity
  const int* block_start = nullptr;     // count + 1: block k is internal rows [block_start[k], block_start[k+1])

  BPQP_HD BPQP_INLINE bool any() const { return count > 0; }
  BPQP_HD BPQP_INLINE int box_rows(int m) const { return m - cone_rows; }
  BPQP_HD BPQP_INLINE int user_row(int r) const { return row_order ? row_order[r] : r; }
  BPQP_HD BPQP_INLINE int begin(int k) const { return block_start[k]; }
  BPQP_HD BPQP_INLINE int dim(int k) const { return block_start[k + 1] - block_start[k]; }
  BPQP_HD BPQP_INLINE bool rotated(int k) const { return blocks[k].kind == ConeKind::rotated_second_order; }
};

// The layout of m rows with `count` blocks (already validated: in range, not overlapping),
// written to row_order (m entries) and block_start (count + 1); returns it (pointing at them).
// A user row is in a block iff in_block[row] (m entries of scratch, set here).
BPQP_INLINE ConeLayout build_cone_layout(const ConeBlock* blocks, int count, int m, int* row_order, int* block_start,
                                         unsigned char* in_block) {
  ConeLayout layout;
  layout.count = count;
  layout.blocks = blocks;
  for (int i = 0; i < m; ++i) in_block[i] = 0;
  for (int k = 0; k < count; ++k)
    for (int r = 0; r < blocks[k].dim; ++r) in_block[blocks[k].first_row + r] = 1;
  int next = 0;
  for (int i = 0; i < m; ++i)
    if (!in_block[i]) row_order[next++] = i;
  layout.cone_rows = m - next;
  for (int k = 0; k < count; ++k) {
    block_start[k] = next;
    for (int r = 0; r < blocks[k].dim; ++r) row_order[next++] = blocks[k].first_row + r;
  }
  block_start[count] = next;
  layout.row_order = row_order;
  layout.block_start = block_start;
  return layout;
}

}  // namespace bpqp::kernels
