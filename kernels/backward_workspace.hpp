// Everything one problem's backward pass needs besides its input and output,
// described once: BackwardWorkspace<T>::bytes(n, m, admm) sizes it, carve() lays it out.
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
  int* active = nullptr;       // m: 1 on 𝒜
  int* active_rows = nullptr;  // m: indices of 𝒜, in row order
  // Mode admm: the backward QP's data and solution, and the forward solver's workspace.
  T* P_b = nullptr;      // n×n (only with lp_smoothing)
  T* A_b = nullptr;      // m×n: the active rows
  T* q_b = nullptr;      // n (only with lp_smoothing)
  T* bound_b = nullptr;  // m: l = u = −h_𝒜
  T* y_b = nullptr;      // m
  ProblemReport<T>* admm_report = nullptr;
  unsigned char* admm = nullptr;  // AdmmWorkspace<T>::bytes(n, m), carved per problem for (n, |𝒜|)

  static constexpr int scalar_count = 4;

  BPQP_HD BPQP_INLINE static BackwardWorkspace carve(void* base, int n, int m, bool admm_mode, std::size_t* bytes = nullptr) {
    WorkspaceCarver c(base);
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

  BPQP_HD BPQP_INLINE static std::size_t bytes(int n, int m, bool admm_mode) {
    std::size_t b = 0;
    carve(nullptr, n, m, admm_mode, &b);
    return b;
  }
};

}  // namespace bpqp::kernels
