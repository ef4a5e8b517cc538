// Everything one problem's backward pass needs besides its input and output,
// described once: BackwardWorkspace<T>::bytes(n, m, admm, cones) sizes it, carve() lays it out.
#pragma once

#include "kernels/admm_workspace.hpp"
#include "kernels/problem_view.hpp"
#include "kernels/workspace_carver.hpp"

namespace bpqp::kernels {

template <class T>
struct BackwardWorkspace {
  // Mode direct: the regularized reduced KKT (at most (n+m)², leading dimension n+|𝒜|)
  // and its LDLᵀ; right-hand side, regularized solution, refined solution, correction
  // and residual of the reduced KKT (n+m each).
  T* factor = nullptr;
  T* factor_scratch = nullptr;
  T* rhs = nullptr;
  T* sol0 = nullptr;
  T* sol = nullptr;
  T* corr = nullptr;
  T* res = nullptr;
  T* row_scale = nullptr;  // |𝒜|: 1 / max_j |A_ij| of each active row, in active_rows order
  // Both modes.
  T* dx = nullptr;        // n: ∂L/∂q
  T* w = nullptr;         // m: the backward's multipliers, 0 off 𝒜
  T* y_active = nullptr;  // m: y* on 𝒜, 0 elsewhere
  T* scalars = nullptr;   // group-wide broadcasts
  int* active = nullptr;       // m: 1 on 𝒜 (box rows), cone_row_kind on a cone block's rows
  int* active_rows = nullptr;  // m: indices of 𝒜's box rows, in row order
  T* multipliers = nullptr;    // m: the reduced KKT's multiplier of each of its rows (v, unscaled)
  T* h_rows = nullptr;         // m: ∂L/∂y of each reduced-KKT row (what its multiplier's loss weight is)
  // With cone blocks (kernels/cone_backward.hpp): the reduced KKT's P block with the boundary
  // blocks' curvature and its rows (n×n, m×n), the rows' indices (0, 1, …), the gradient of L
  // with respect to x with the boundary blocks' ∂L/∂y folded in (n); each block's rows in its
  // cone's coordinates (m×n, internal order), its slack s = Âx − l̂, dual ŷ and ∂L/∂ŷ (m each),
  // ∇φ at its rows (m), and per block λ, ‖s̄‖, position (ConePosition) and first reduced-KKT row.
  T* hessian = nullptr;
  T* kkt_rows = nullptr;
  int* row_index = nullptr;
  T* g_eff = nullptr;
  T* cone_A = nullptr;
  T* cone_s = nullptr;
  T* cone_y = nullptr;
  T* cone_h = nullptr;
  T* cone_gradient = nullptr;
  T* cone_lambda = nullptr;
  T* cone_norm = nullptr;
  int* cone_position = nullptr;
  int* cone_kkt_row = nullptr;
  // Mode admm: the backward QP's data and solution, and the forward solver's workspace.
  T* P_b = nullptr;      // n×n (only with lp_smoothing)
  T* A_b = nullptr;      // m×n: the active rows
  T* q_b = nullptr;      // n (only with lp_smoothing)
  T* bound_b = nullptr;  // m: l = u = −h_𝒜
  T* y_b = nullptr;      // m
  ProblemReport<T>* admm_report = nullptr;
  unsigned char* admm = nullptr;  // AdmmWorkspace<T>::bytes(n, m), carved per problem for (n, |𝒜|)

  static constexpr int scalar_count = 4;

  BPQP_HD BPQP_INLINE static BackwardWorkspace carve(void* base, int n, int m, bool admm_mode, std::size_t* bytes = nullptr,
                                                     bool with_cones = false) {
    WorkspaceCarver c(base);
    const std::size_t nm = static_cast<std::size_t>(n) * m;
    BackwardWorkspace w;
    const std::size_t N = static_cast<std::size_t>(n) + m;
    if (!admm_mode) {
      w.factor = c.take<T>(N * N);
      w.factor_scratch = c.take<T>(N);
      w.rhs = c.take<T>(N);
      w.sol0 = c.take<T>(N);
      w.sol = c.take<T>(N);
      w.corr = c.take<T>(N);
      w.res = c.take<T>(N);
      w.row_scale = c.take<T>(m);
    }
    w.dx = c.take<T>(n);
    w.w = c.take<T>(m);
    w.y_active = c.take<T>(m);
    w.scalars = c.take<T>(scalar_count);
    w.active = c.take<int>(m);
    w.active_rows = c.take<int>(m);
    w.multipliers = c.take<T>(m);
    w.h_rows = c.take<T>(m);
    if (with_cones) {
      w.hessian = c.take<T>(static_cast<std::size_t>(n) * n);
      w.kkt_rows = c.take<T>(nm);
      w.row_index = c.take<int>(m);
      w.g_eff = c.take<T>(n);
      w.cone_A = c.take<T>(nm);
      w.cone_s = c.take<T>(m);
      w.cone_y = c.take<T>(m);
      w.cone_h = c.take<T>(m);
      w.cone_gradient = c.take<T>(m);
      w.cone_lambda = c.take<T>(m);
      w.cone_norm = c.take<T>(m);
      w.cone_position = c.take<int>(m);
      w.cone_kkt_row = c.take<int>(m);
    }
    if (admm_mode) {
      w.P_b = c.take<T>(static_cast<std::size_t>(n) * n);
      w.A_b = c.take<T>(static_cast<std::size_t>(m) * n);
      w.q_b = c.take<T>(n);
      w.bound_b = c.take<T>(m);
      w.y_b = c.take<T>(m);
      w.admm_report = c.take<ProblemReport<T>>(1);
      w.admm = c.take<unsigned char>(AdmmWorkspace<T>::bytes(n, m));
    }
    if (bytes) *bytes = c.bytes_used();
    return w;
  }

  BPQP_HD BPQP_INLINE static std::size_t bytes(int n, int m, bool admm_mode, bool with_cones = false) {
    std::size_t b = 0;
    carve(nullptr, n, m, admm_mode, &b, with_cones);
    return b;
  }
};

}  // namespace bpqp::kernels
