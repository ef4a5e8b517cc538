// Per-problem outcome of the backward pass (bpqp::backward). A plain enum with
// no library dependencies, so that kernels/ (g++ and nvcc) and the host API share it.
#pragma once

namespace bpqp {

enum class BackwardStatus : int {
  ok = 0,                  // the reduced KKT of the active set was solved (to refinement accuracy)
  regularized = 1,         // the reduced KKT is singular or too ill-conditioned: the gradients are those of
                           // the δ-regularized system (degenerate active set, e.g. duplicated active rows,
                           // an LP at a degenerate vertex); finite, but not the derivative
  forward_not_solved = 2,  // the forward status was not solved / solved_inaccurate: gradients are zero
  not_converged = 3,       // mode admm: the backward QP did not reach its tolerances; its last iterate is used
  non_finite_input = 4,    // NaN or inf in x*, y*, ∂L/∂x or ∂L/∂y: gradients are zero
  numerical_error = 5,     // the regularized factorization broke down even after raising δ: gradients are zero
  degenerate_cone = 6,     // a cone block sits at its apex with a dual on the boundary of −K (or on the boundary
                           // with a slack that vanished): the solution is only directionally differentiable
                           // there; the block's rows were all held as equalities (finite, one-sided gradients)
};

const char* to_string(BackwardStatus status);

}  // namespace bpqp
