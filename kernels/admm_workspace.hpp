// Everything one problem's forward solve needs besides its input and output,
// described once: AdmmWorkspace<T>::bytes(n, m) sizes it, carve() lays it out.
#pragma once

#include "kernels/cone_layout.hpp"
#include "kernels/shared_kkt.hpp"
#include "kernels/workspace_carver.hpp"

namespace bpqp::kernels {

template <class T>
struct AdmmWorkspace {
  using Scalar = T;
  // Scaled problem data (Ruiz equilibration): P̄ = c·D P D, Ā = E A D, q̄ = c·D q, l̄ = E l, ū = E u.
  T* P = nullptr;
  T* A = nullptr;
  T* q = nullptr;
  T* l = nullptr;
  T* u = nullptr;
  T* D = nullptr;
  T* E = nullptr;
  T* D_inv = nullptr;
  T* E_inv = nullptr;
  T* scalars = nullptr;  // [0] cost scale c; the rest is scratch for group-wide broadcasts
  T* rho = nullptr;      // per-row ρ (equality rows and free rows differ)
  // Factor storage: the ADMM reduced matrix P̄ + σI + Āᵀdiag(ρ)Ā (n×n), or later
  // polishing's reduced KKT (at most (n+m)×(n+m)), or the convexity check's P + τI.
  T* factor = nullptr;
  T* factor_scratch = nullptr;  // n + m
  // ADMM iterates (scaled) and temporaries.
  T* x = nullptr;
  T* z = nullptr;
  T* y = nullptr;
  T* x_prev = nullptr;
  T* y_prev = nullptr;
  T* x_tilde = nullptr;
  T* z_tilde = nullptr;
  T* work_n = nullptr;
  T* work_n2 = nullptr;
  T* work_m = nullptr;
  T* work_m2 = nullptr;
  // Polishing: solution, right-hand side, refinement residual and correction of the reduced KKT.
  T* kkt_sol = nullptr;
  T* kkt_rhs = nullptr;
  T* kkt_res = nullptr;
  T* kkt_corr = nullptr;
  T* interior = nullptr;        // the interior-point fallback's arrays (InteriorPointArrays)
  int* active = nullptr;        // per row: -1 lower active, +1 upper active, 0 inactive
  int* active_rows = nullptr;   // indices of the active rows, in row order
  int* rejected_guess = nullptr;  // the last polish's initial active set (kernels/polish.hpp)
  // Polishing with cone blocks (kernels/cone_polish.hpp), carved only for a problem that has
  // them: the Newton matrix's P̄ block with the boundary blocks' curvature (n×n), its rows
  // (at most m: active box rows, one per boundary block, every row of an apex block), their
  // indices, what each row is (cone_row_code), each block's multiplier λ, slack norm ‖s̄‖
  // and position (ConePosition), and ∇φ of each boundary block (at its rows).
  T* cone_hessian = nullptr;
  T* cone_kkt_rows = nullptr;
  int* cone_row_index = nullptr;
  int* cone_row_code = nullptr;
  T* cone_lambda = nullptr;
  T* cone_slack_norm = nullptr;
  int* cone_position = nullptr;
  T* cone_gradient = nullptr;
  // Not carved: a shared-data batch's (P̄ + δI)⁻¹ and products (kernels/shared_kkt.hpp), set by
  // finish_after_batch_phase for the duration of its solve; null otherwise.
  SharedKkt<T> shared_kkt;
  // Not carved: the batch's cone blocks and the internal row order (kernels/cone_layout.hpp):
  // every row-indexed array here (Ā, l̄, ū, E, ρ, z, y, …) is in that order. Set by admm_solve.
  ConeLayout cones;

  static constexpr int scalar_count = 8;

  // with_cones: carve the cone polish's arrays too (a problem with cone blocks).
  BPQP_HD BPQP_INLINE static AdmmWorkspace carve(void* base, int n, int m, std::size_t* bytes = nullptr,
                                                 bool with_cones = false) {
    WorkspaceCarver c(base);
    AdmmWorkspace w;
    const std::size_t nn = static_cast<std::size_t>(n) * n;
    const std::size_t nm = static_cast<std::size_t>(n) * m;
    const std::size_t kkt = static_cast<std::size_t>(n + m) * (n + m);
    w.P = c.take<T>(nn);
    w.A = c.take<T>(nm);
    w.q = c.take<T>(n);
    w.l = c.take<T>(m);
    w.u = c.take<T>(m);
    w.D = c.take<T>(n);
    w.E = c.take<T>(m);
    w.D_inv = c.take<T>(n);
    w.E_inv = c.take<T>(m);
    w.scalars = c.take<T>(scalar_count);
    w.rho = c.take<T>(m);
    w.factor = c.take<T>(kkt > nn ? kkt : nn);
    w.factor_scratch = c.take<T>(n + m);
    w.x = c.take<T>(n);
    w.z = c.take<T>(m);
    w.y = c.take<T>(m);
    w.x_prev = c.take<T>(n);
    w.y_prev = c.take<T>(m);
    w.x_tilde = c.take<T>(n);
    w.z_tilde = c.take<T>(m);
    w.work_n = c.take<T>(n);
    w.work_n2 = c.take<T>(n);
    w.work_m = c.take<T>(m);
    w.work_m2 = c.take<T>(m);
    w.kkt_sol = c.take<T>(n + m);
    w.kkt_rhs = c.take<T>(n + m);
    w.kkt_res = c.take<T>(n + m);
    w.kkt_corr = c.take<T>(n + m);
    w.interior = c.take<T>(14 * static_cast<std::size_t>(m) + 4 * static_cast<std::size_t>(n));  // InteriorPointArrays
    w.active = c.take<int>(m);
    w.active_rows = c.take<int>(m);
    w.rejected_guess = c.take<int>(m);
    if (with_cones) {
      w.cone_hessian = c.take<T>(nn);
      w.cone_kkt_rows = c.take<T>(nm);
      w.cone_row_index = c.take<int>(m);
      w.cone_row_code = c.take<int>(m);
      w.cone_lambda = c.take<T>(m);
      w.cone_slack_norm = c.take<T>(m);
      w.cone_position = c.take<int>(m);
      w.cone_gradient = c.take<T>(m);
    }
    if (bytes) *bytes = c.bytes_used();
    return w;
  }

  BPQP_HD BPQP_INLINE static std::size_t bytes(int n, int m, bool with_cones = false) {
    std::size_t b = 0;
    carve(nullptr, n, m, &b, with_cones);
    return b;
  }
};

}  // namespace bpqp::kernels
