// Where backward_on_device writes: caller-owned device arrays, laid out like
// Gradients<T> (a block per problem, or ONE block holding the sum over the batch for
// an input shared by the batch). With solve_on_device before it, a training step's
// forward and backward never leave the device and never synchronize the stream:
//
//   solver.solve_on_device(d_batch, {d_x, d_y, d_fwd_status});
//   bpqp::backward_on_device(executor, d_batch, {d_x, d_y, d_fwd_status}, d_dl_dx, nullptr,
//                            {/*dP=*/nullptr, d_dq, /*dA=*/nullptr, nullptr, nullptr, d_bwd_status});
#pragma once

#include "bpqp/backward_status.hpp"

namespace bpqp {

template <class T>
struct DeviceGradients {
  // ∂L/∂P, ∂L/∂q, ∂L/∂A, ∂L/∂l, ∂L/∂u; null: not wanted (neither computed nor written).
  // Sizes: batch × (n·n, n, m·n, m, m), or one block for an input of batch stride 0.
  T* dP = nullptr;
  T* dq = nullptr;
  T* dA = nullptr;
  T* dl = nullptr;
  T* du = nullptr;
  BackwardStatus* status = nullptr;  // batch, required
  int* active_rows = nullptr;        // batch, optional: |𝒜|, the rows held as equalities
};

}  // namespace bpqp
