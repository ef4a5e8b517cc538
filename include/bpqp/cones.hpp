// Second-order cone blocks: consecutive constraint rows of a problem that must lie in a cone
// instead of between bounds. Block k covers rows r = first_row … first_row + dim − 1 and asks
//   A_k x − l_k ∈ K,        with u_r = +inf on every row of the block,
// i.e. "A_k x ⪰_K l_k", a generalized lower bound whose offset is the rows' l (so a form
// G x + h ∈ K is A = G, l = −h). The rows' duals then lie in −K, as a lower bound's y ≤ 0.
//   second_order:          K = {(t, w) ∈ R × R^(dim−1) : ‖w‖₂ ≤ t}        (dim ≥ 1; dim 1 is t ≥ 0)
//   rotated_second_order:  K = {(t, s, w) : 2·t·s ≥ ‖w‖₂², t ≥ 0, s ≥ 0}   (dim ≥ 3)
// Blocks may not overlap; the layout is the same for every problem of a batch. A plain header
// (no library types), shared by the public API and kernels/.
#pragma once

namespace bpqp {

enum class ConeKind : int {
  second_order = 0,
  rotated_second_order = 1,
};

struct ConeBlock {
  int first_row = 0;
  int dim = 0;
  ConeKind kind = ConeKind::second_order;
};

const char* to_string(ConeKind kind);

}  // namespace bpqp
