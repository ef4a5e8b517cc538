// Seeded QP and SOCP generators for the tests and benchmarks (DESIGN.md §3; not part of the
// installed library: the CMake target bpqp_problems): problems with a
// planted, exactly known solution (x*, y*) and the random feasible QPs of the
// OptNet/BPQP papers. The same seed gives the same problem, bit for bit, with
// every compiler and standard library: draws come from std::mt19937_64 words,
// never from the implementation-defined std::*_distribution algorithms.
//
//   auto planted = bpqp::generators::make_planted_qp({/*n=*/20, /*m=*/10});
//   solve(planted.qp) ... compare with planted.x_star, planted.y_star.
#pragma once

#include <cstdint>
#include <vector>

#include <bpqp/dense_qp.hpp>

namespace bpqp::generators {

// Values of PlantedQp::row_kind.
struct RowKind {
  static constexpr int inactive = 0;       // l_i + margin <= A_i x* <= u_i - margin, y_i = 0
  static constexpr int active_lower = -1;  // A_i x* = l_i, y_i <= -dual_min
  static constexpr int active_upper = 1;   // A_i x* = u_i, y_i >= dual_min
  static constexpr int equality = 2;       // l_i = u_i = A_i x*, |y_i| >= dual_min, either sign
  // The rows of a cone block (make_planted_socp), by where the block's slack s = A_k x* − l_k sits:
  static constexpr int cone_interior = 3;  // inside K, at least margin from its boundary; y_k = 0
  static constexpr int cone_boundary = 4;  // on K's boundary, not at the apex; y_k = λ∇φ(s), λ >= dual_min
  static constexpr int cone_apex = 5;      // s = 0; −y_k inside K, at least dual_min from its boundary
};

// A QP together with its unique primal-dual solution.
struct PlantedQp {
  DenseQp qp;
  std::vector<double> x_star;  // n
  std::vector<double> y_star;  // qp.m, sign convention of DESIGN.md §1
  std::vector<int> row_kind;   // qp.m, one of RowKind
};

struct PlantedOptions {
  int n = 10;                 // variables
  int m = 5;                  // general rows (dense random)
  int n_equality = 0;         // equality rows, chosen among the general rows
  int n_active = 2;           // active inequality rows, chosen among all non-equality rows
  int n_variable_bounds = 0;  // identity rows e_jᵀ appended after the general rows
  bool lp = false;            // P = 0 (p_rank ignored); n_equality + n_active must equal n
  int p_rank = -1;            // -1: P positive definite; r >= 0: P = MᵀM of rank r
  double margin = 1.0;        // inactive bounds lie at least this far from A_i x*
  double dual_min = 0.5;      // |y_i| >= dual_min on equality and active rows
  bool infinite_bounds = true;  // let some bounds that are not active be ±inf
  std::uint64_t seed = 1;
};

// Builds a QP whose exact solution is (x*, y*). The construction:
//   x* ~ N(0, I); general rows A_ij ~ N(0, 1/n) (rows of norm ≈ 1, like the
//   identity rows of the variable bounds, so `margin` means the same for all);
//   the variable-bound rows bound distinct random variables, in increasing order;
//   P = MᵀM with M (r×n) ~ N(0, 1/n), plus 1e-2·I only when p_rank = -1.
//   The active bound of a row is set to A_i x* exactly; every other finite
//   bound lies at A_i x* ± margin·(1 + U[0,1)), and when infinite_bounds is set
//   each of them is ±inf with probability 1/4 (so a few rows are free).
//   Duals: ±(dual_min + U[0,1)) on tight rows, 0 elsewhere, so strict
//   complementarity holds; q = -P x* - Aᵀ y* makes (x*, y*) satisfy the KKT
//   conditions exactly up to rounding.
// Uniqueness: x* is unique iff P is positive definite on null(A_T), A_T being
// the tight (equality + active) rows; y* is unique iff A_T has full row rank.
// The generator checks both on the drawn data (Householder QR of A_Tᵀ, then a
// Cholesky of the reduced Hessian ZᵀPZ with Z spanning null(A_T)) and redraws
// in the rare case of a (near) failure. An LP (lp = true) therefore needs
// exactly n tight rows: its solution is a non-degenerate vertex.
// Conditioning: with rank(P) + n_equality + n_active = n exactly, the reduced
// Hessian is a square random Gram matrix whose condition number grows like
// (n − tight rows)² with a heavy tail; leave a few ranks of slack when a test
// needs a well-conditioned problem rather than a hard one.
// Throws bpqp::InvalidArgument when the counts cannot give a unique solution:
// n_equality + n_active > n, rank(P) + n_equality + n_active < n, n_equality > m,
// n_active larger than the rows left, n_variable_bounds > n, margin or
// dual_min not positive. Throws std::runtime_error if 20 draws in a row fail the
// uniqueness check (never seen; it would take a pathological configuration).
PlantedQp make_planted_qp(const PlantedOptions& options);

// An LP (P = 0) at a non-degenerate vertex: n linearly independent active rows
// with duals of strict sign (|y_i| >= 0.5), plus m_extra_inactive inactive rows;
// qp.m = n + m_extra_inactive. Same construction as make_planted_qp with
// lp = true, n_active = n.
PlantedQp make_planted_lp(int n, int m_extra_inactive, std::uint64_t seed);

// A cone block of a planted SOCP: its dimension, where its slack sits (RowKind::cone_*), and
// whether it is a rotated cone (then dim >= 3).
struct PlantedConeBlock {
  int dim = 3;
  int position = RowKind::cone_boundary;
  bool rotated = false;
};

struct PlantedSocpOptions {
  PlantedOptions box;                    // n, P, the box rows (box.m general rows, …), margin, dual_min, seed
  std::vector<PlantedConeBlock> blocks;  // in this order
  bool interleave = true;                // place the blocks between box rows (else after them)
  std::uint64_t layout_seed = 1;         // draws the places: the same for every box.seed, so that
                                         // problems of one layout_seed form a batch (one cone layout)
};

// An SOCP whose exact solution is (x*, y*): the box rows of make_planted_qp(box), plus cone
// blocks (include/bpqp/cones.hpp) with rows B_k ~ N(0, 1/n) and, in the cone's coordinates
// (the rotated cone's ((t+s)/√2, (t−s)/√2, w)), slack s_k and dual y_k by position:
//   interior: s = (‖w‖ + margin·(1 + U), w), w ~ N(0, I), y = 0;
//   boundary: s = (‖w‖, w), y = λ(−1, w/‖w‖), λ = dual_min + U (a block of dim 1 cannot be
//             on the boundary without being at its apex: InvalidArgument);
//   apex:     s = 0, −y = (‖v‖ + dual_min·(1 + U), v), v ~ N(0, I);
// l_k = B_k x* − s_k, u_k = +inf, q = −P x* − Aᵀy* over every row. P must be positive definite
// (box.p_rank = -1), so x* is unique; y* is unique when the tight constraints' gradients
// (equality and active rows, a boundary block's B_kᵀ∇φ, an apex block's rows) are linearly
// independent, which the generator checks (and redraws). row_kind: RowKind per row.
PlantedQp make_planted_socp(const PlantedSocpOptions& options);

// The random QP of the OptNet and BPQP papers' benchmarks, size n×m:
//   P = MᵀM + 1e-2·I with M_ij ~ N(0, 1) (n×n), q_i ~ N(0, 1),
//   A_ij ~ N(0, 1) (m×n), l = -inf, u = A x0 + s with x0 ~ N(0, I) and
//   s_i ~ U[0, 1): the paper's G x <= h with h = G x0 + s.
// x0 is feasible, so the problem is feasible; P is positive definite, so it is
// bounded with a unique solution (not known in closed form).
DenseQp make_random_feasible_qp(int n, int m, std::uint64_t seed);

}  // namespace bpqp::generators
