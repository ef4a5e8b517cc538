// Solver settings: the OSQP parameters plus bpqp's validation switches.
// Defaults suit a differentiable layer: tighter tolerances than OSQP's 1e-3
// and polishing on, so the active set handed to the backward pass is exact.
#pragma once

#include <optional>

namespace bpqp {

// How the sparse path (solve_sparse, SparseSolver) solves ADMM's linear systems.
enum class SparseLinearSystem {
  // factorization on the CPU executor, conjugate_gradient on the CUDA executor
  automatic,
  // The quasi-definite KKT matrix factored by a sparse LDLᵀ (CPU only), with polishing and the
  // interior-point fallback, which factor theirs too.
  factorization,
  // ADMM's reduced system P + σI + Aᵀdiag(ρ)A solved by a conjugate gradient preconditioned
  // with its diagonal, never formed or factored (kernels/sparse_pcg.hpp): the CUDA executor's
  // method, and on the CPU the same code. (check_convexity still factors P, once per P.) Without a factorization there is no polishing and no
  // interior point: a problem is solved to eps_abs/eps_rel by ADMM's own test (or proved
  // infeasible, or stops at max_iter), its multipliers within the tolerance of exact, and
  // degenerate or badly scaled problems that ADMM crawls on end max_iterations where the
  // factorization's interior point finishes them.
  conjugate_gradient,
};

struct Settings {
  double rho = 0.1;              // initial ADMM step size ρ
  double sigma = 1e-6;           // regularization σ of the x-update
  double alpha = 1.6;            // over-relaxation, in (0, 2)
  // Tolerances on the unscaled residuals. Unset: 1e-5 in double, 1e-4 in float
  // (float's rounding floor on a residual of n terms is about n·6e-8 relative).
  std::optional<double> eps_abs;
  std::optional<double> eps_rel;
  double eps_prim_inf = 1e-5;    // primal infeasibility certificate tolerance
  double eps_dual_inf = 1e-5;    // dual infeasibility certificate tolerance
  int max_iter = 10000;
  int check_every = 25;          // termination is tested every this many iterations
  bool adaptive_rho = true;
  int adaptive_rho_interval = 50;  // iterations between ρ estimates (rounded to check_every)
  double adaptive_rho_tolerance = 5.0;  // refactor only when ρ changes by more than this factor
  int scaling_iterations = 10;   // Ruiz equilibration passes; 0 disables scaling
  bool polish = true;            // OSQP solution polishing (needed for exact active sets)
  int polish_refine_iterations = 25;  // at most; stops early once corrections reach rounding level
  // Polishing is also tried during the iterations, first at this iteration and
  // then at doubling intervals; a polished point that passes the termination
  // test ends the solve early. 0: polish only after convergence or at max_iter.
  int polish_first_attempt = 25;
  double delta = 1e-6;           // polishing regularization
  // Interior-point fallback: a problem ADMM has not solved after
  // interior_point_after iterations (or max_iter, if smaller) is handed to a
  // Mehrotra interior point of at most interior_point_max_iter Newton steps,
  // whose result counts only if polishing verifies it against the termination
  // test. ADMM (like OSQP) stalls on badly scaled, degenerate problems.
  // It also runs when ADMM converged but its final polish was rejected, to find
  // the verified active set the backward pass differentiates, and when ADMM found an
  // infeasibility certificate that no polish overrode: the certificate stands unless
  // the interior point verifies a solution (ADMM's tests are approximate).
  bool interior_point_fallback = true;
  int interior_point_after = 4000;
  // The hand-over for LPs (P = 0): ADMM crawls toward an LP's vertex (hundreds to thousands
  // of iterations) where a few tens of Newton steps land on it, so an LP starts in the
  // interior point (0); where that neither verifies a solution nor proves the LP infeasible or
  // unbounded (its diverging iterate put to ADMM's infeasibility tests), ADMM runs from the
  // start, for max_iter iterations.
  // A positive value runs that many ADMM iterations first instead.
  int interior_point_after_lp = 0;
  // Newton steps in all (a sparse problem of at most 1000 variables whose first form of the
  // Newton matrix verifies nothing gives the second the steps left). 100: least squares under
  // second-difference constraints at n = 10⁴ (Maros–Mészáros LISWET's structure) takes 70.
  int interior_point_max_iter = 100;
  bool warm_start = true;        // a Solver re-solve starts from its previous x, y
  // A batch whose P and A are shared (batch stride 0, more than one problem) runs its
  // ADMM iterations as one batch-wide computation: one scaling and one factorization for
  // all problems, the iterations as matrix products (Eigen on the CPU executor, cuBLAS
  // inside a CUDA graph loop on the CUDA executor, which needs m > 0), each problem's
  // termination tested on its own and the converged ones set aside; then every problem
  // is finished on its own (its data checked, polish, interior-point rescue), so
  // statuses and accuracy are those of the per-problem path, not its bits.
  // false: every problem runs the per-problem path.
  bool batch_phase = true;
  // Deprecated: the batch phase's former name, kept so that code written for it still builds
  // and works — false turns the phase off as batch_phase = false does (it runs when both are
  // true). (Not [[deprecated]]: compilers then warn wherever a Settings is copied.)
  bool shared_data_batch_phase = true;
  bool check_convexity = true;   // reject P that is not PSD (costs one n×n factorization)
  // P must satisfy |P_ij − P_ji| ≤ symmetry_tolerance·max|P| and P + psd_tolerance·max|P|·I ≻ 0.
  // Unset: symmetry √ε of the precision (1.5e-8 double, 3.5e-4 float); PSD max(√ε, 1e-4),
  // because data read from files is rounded and a P that is PSD in exact arithmetic
  // can show eigenvalues of −1e-5·max|P| (Maros–Mészáros VALUES does).
  std::optional<double> symmetry_tolerance;
  std::optional<double> psd_tolerance;
  SparseLinearSystem sparse_linear_system = SparseLinearSystem::automatic;  // read by the sparse path only
};

// The tolerances a Solver<T> uses for these settings.
template <class T>
double effective_eps_abs(const Settings& settings);
template <class T>
double effective_eps_rel(const Settings& settings);

// Throws InvalidArgument naming the first setting out of range.
void validate(const Settings& settings);

}  // namespace bpqp
