// The per-problem side of the shared-data path (DESIGN.md §2): when a batch shares
// P and A, the backend runs the ADMM iterations for all problems at once — one
// scaling, one factorization of P̄ + σI + Āᵀdiag(ρ)Ā, its inverse applied to every
// problem's right-hand side as one matrix product — and then each problem is
// finished here from the iterate that batch phase reached: its own data checked,
// the termination test taken first (a problem the phase saw converge costs only
// its polish), and otherwise the ordinary ADMM loop, polishing and interior-point
// rescue of admm_run. The batch phase only chooses where a problem starts, so what
// is reported passes the same tests as a problem solved on its own.
#pragma once

#include "kernels/admm_solve.hpp"

namespace bpqp::kernels {

// Where the phase hands its problems over to their first polish: the iteration of a
// problem's own first in-loop attempt (first_polish_iteration), 0 without one. Polishing
// needs each problem's own factorization, so the phase stops there and every problem polishes
// at once (finish_after_batch_phase, below): a problem that the attempt solves would otherwise
// iterate in the phase to ADMM's own convergence (random QP 100×20: 75–125 iterations,
// where 98% polish at 25 on their own).
template <class T>
BPQP_HD int batch_phase_polish_handover(int n, int m, const AdmmParams<T>& prm) {
  return prm.polish ? first_polish_iteration(n, m, prm) : 0;
}

// The batch's shared scaled data (Ruiz on the shared P and A): P̄ (n×n), Ā (m×n),
// row-major like AdmmWorkspace, and the scaling D, E, c common to every problem.
template <class T>
struct BatchPhaseData {
  const T* P;
  const T* A;
  const T* D;
  const T* E;
  const T* D_inv;
  const T* E_inv;
  T c;
  SharedKkt<T> kkt;  // polishing's shared factors (kernels/shared_kkt.hpp), where the backend formed them

  // The scaling ruiz_equilibrate left in w.
  BPQP_HD BPQP_INLINE static BatchPhaseData of(const AdmmWorkspace<T>& w) {
    return BatchPhaseData{w.P, w.A, w.D, w.E, w.D_inv, w.E_inv, w.scalars[0], SharedKkt<T>{}};
  }
  BPQP_HD ScalingView<T> scaling() const { return ScalingView<T>{D_inv, E_inv, c}; }
};

// A problem's own vectors in the shared scaling: q̄ = c·D q, l̄ = E l, ū = E u (infinite
// bounds stay infinite). No sync: the caller's next step syncs.
template <class Group, class T>
BPQP_HD void scale_own_vectors(const Group& g, const BatchPhaseData<T>& s, int n, int m, const T* q, const T* l,
                               const T* u, T* q_bar, T* l_bar, T* u_bar) {
  for (int j = g.rank(); j < n; j += g.size()) q_bar[j] = s.c * s.D[j] * q[j];
  for (int i = g.rank(); i < m; i += g.size()) {
    l_bar[i] = scale_bound(l[i], s.E[i]);
    u_bar[i] = scale_bound(u[i], s.E[i]);
  }
}

// Where the batch phase left one problem (scaled), and how far it got.
template <class T>
struct PhaseResult {
  const T* x;      // n
  const T* z;      // m
  const T* y;      // m
  bool converged;  // passed the termination test in the batch phase
  int iterations;  // batch-phase iterations spent on it
  T rho;           // the batch's ρ when it stopped
  const T* x_prev = nullptr;  // n, m: the iterate before x, y (null: not kept), for the
  const T* y_prev = nullptr;  // infeasibility tests, which compare two iterates
  bool infeasible = false;    // left the batch phase with an infeasibility certificate
};

// Loads the shared scaled matrices into w and scales the problem's own vectors:
// q̄ = c·D q, l̄ = E l, ū = E u (infinite bounds stay infinite).
template <class Group, class T>
BPQP_HD void load_shared_scaling(const Group& g, const BatchPhaseData<T>& s, const ProblemView<T>& p,
                                 AdmmWorkspace<T>& w) {
  const int n = p.n, m = p.m;
  copy(g, w.P, s.P, n * n);
  copy(g, w.A, s.A, m * n);
  for (int j = g.rank(); j < n; j += g.size()) {
    w.D[j] = s.D[j];
    w.D_inv[j] = s.D_inv[j];
  }
  for (int i = g.rank(); i < m; i += g.size()) {
    w.E[i] = s.E[i];
    w.E_inv[i] = s.E_inv[i];
  }
  scale_own_vectors(g, s, n, m, p.q, p.l, p.u, w.q, w.l, w.u);
  if (g.rank() == 0) w.scalars[0] = s.c;
  g.sync();
}

// Finishes one problem of a shared-data batch from its batch-phase iterate.
// The shared P and A were checked once, by the backend (scale_shared_matrices); the
// problem's own q, l, u are checked here.
template <class Group, class T>
BPQP_HD void finish_after_batch_phase(const Group& g, const ProblemView<T>& p, const AdmmParams<T>& prm,
                                      const BatchPhaseData<T>& shared, const PhaseResult<T>& phase,
                                      AdmmWorkspace<T>& w, const ProblemOutput<T>& out) {
  const int n = p.n, m = p.m;
  ProblemReport<T> report;
  report.rho = phase.rho;
  report.input_issue = validate_own_vectors(g, p);
  if (report.input_issue != InputIssue::none) {
    report_failure(g, n, m, SolveStatus::invalid_input, report, out);
    return;
  }
  load_shared_scaling(g, shared, p, w);
  // A valid problem whose batch-phase iterate went non-finite starts cold instead.
  const bool x_finite = all_finite(g, phase.x, n);
  const bool z_finite = all_finite(g, phase.z, m);
  const bool y_finite = all_finite(g, phase.y, m);
  const bool usable = x_finite && z_finite && y_finite;
  if (usable) {
    copy(g, w.x, phase.x, n);
    copy(g, w.z, phase.z, m);
    copy(g, w.y, phase.y, m);
  } else {
    fill(g, w.x, n, T(0));
    fill(g, w.z, m, T(0));
    fill(g, w.y, m, T(0));
  }
  // The iterate before it, where the phase kept one: a certificate the phase found is
  // tested again here, at once, on the same two iterates.
  const bool x_prev_finite = phase.x_prev && all_finite(g, phase.x_prev, n);
  const bool y_prev_finite = phase.y_prev && all_finite(g, phase.y_prev, m);
  const bool previous = usable && x_prev_finite && y_prev_finite;
  copy(g, w.x_prev, previous ? phase.x_prev : w.x, n);
  copy(g, w.y_prev, previous ? phase.y_prev : w.y, m);
  set_rho_vector(g, m, phase.rho, prm, w);
  // Tested at once also where the phase handed the problem over for its first polish
  // (batch_phase_polish_handover), which admm_run then attempts before iterating.
  const int polish_at = batch_phase_polish_handover(n, m, prm);
  const bool polish_now = previous && polish_at > 0 && phase.iterations >= polish_at;
  const bool check_first = usable && (phase.converged || (previous && phase.infeasible) || polish_now);
  w.shared_kkt = shared.kkt;
  admm_run(g, p, prm, w, RunStart<T>{phase.rho, false, check_first, phase.iterations, previous}, report, out);
  w.shared_kkt = SharedKkt<T>{};
}

}  // namespace bpqp::kernels
