// The backward pass of the sparse path: gradients of a loss L(x*, y*) through solve_sparse's
// solutions, without densifying, as values on the input's patterns.
//
//   bpqp::SolveResult<double> fwd = bpqp::solve_sparse(view, settings);
//   bpqp::Gradients<double> grad = bpqp::backward_sparse(view, fwd, dl_dx.data());
//   // grad.dP_of(b): view.P_pattern.nonzeros() values, grad.dA_of(b): view.A_pattern.nonzeros()
//
// The dense path's method and rules (bpqp/backward.hpp): the same active set, the same reduced
// KKT [P A_𝒜ᵀ; A_𝒜 0][dx; w] = [−g; −h_𝒜] (equilibrated, δ-regularized, refined against the
// exact matrix; lp_smoothing as there), the same statuses and bound gradients. The reduced KKT
// is factored by a sparse LDLᵀ with an AMD ordering (src/cpu/sparse_kkt.hpp). CPU, double, one
// thread, problems in turn.
//
// Gradients on the patterns. A structural zero is not a parameter, so there is no gradient for
// it: dA holds ∂L/∂A_ij = w_i x_j + y*_i dx_j at A's stored entries, in A_pattern's order. P is
// stored as its upper triangle, and a stored off-diagonal value v is both P_ij and P_ji; dP
// holds the derivative with respect to the stored value: dx_i x_j + x_i dx_j off the diagonal
// (the sum of the dense path's two mirrored entries ½(dx_i x_j + x_i dx_j)), dx_i x_i on it.
// dq, dl, du are dense, as on the dense path. An input whose batch stride was 0 (shared) gets
// one block, the sum over the batch; its stride in the Gradients is then 0.
//
// Statuses: as the dense path's. A rank-deficient A_𝒜 (status regularized) is found by
// inverse iteration on the factor's Schur complement Â(P̃ + δI)⁻¹Âᵀ + δI, whose smallest
// eigenvalue is ≈ δ exactly when the active rows are dependent, judged with the dense path's
// rounding allowance (the dense path reads the same from its pivots, which an AMD ordering
// does not keep in place).
//
// Not on this path: BackwardMode::admm and cone blocks (InvalidArgument); float; CUDA.
// Misuse throws InvalidArgument naming the argument, as backward() does.
#pragma once

#include "bpqp/backward.hpp"
#include "bpqp/solve_result.hpp"
#include "bpqp/sparse_qp_batch_view.hpp"

namespace bpqp {

// dl_dx: batch × n, required; dl_dy: batch × m, or null when L does not depend on y*.
Gradients<double> backward_sparse(const SparseQpBatchView<double>& batch, const SolveResult<double>& forward,
                                  const double* dl_dx, const double* dl_dy = nullptr,
                                  const BackwardOptions& options = {});

}  // namespace bpqp
